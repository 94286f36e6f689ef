"""Two machines' worth of Guanxi: two web nodes (gunicorn) and two background workers, each
with its own local var folder, sharing only PostgreSQL, Redis and an S3 bucket (a local moto
server). A person signs in on one node and carries on on the other; an import uploaded on one
is previewed on the other and run by whichever worker takes it. Then, while a load of API
writes runs against both nodes, one web node and the worker running the import are killed
outright: the import finishes on the surviving worker, every write that was acknowledged is
there, and nothing is there twice."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import requests
from django.db import connection
from django.db.models import Count

from guanxi.core.tests.processes import Node, SharedDatabase

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="several machines share a database server: PostgreSQL only"),
    pytest.mark.django_db(transaction=True),
]

REDIS_URL = "redis://127.0.0.1:6379/13"  # this test's own database number, flushed by it
ROWS = 200
PASSWORD = "pw-Guanxi-2026"


@pytest.fixture
def cluster(s3_server, tmp_path):
    import redis

    store = redis.Redis.from_url(REDIS_URL)
    store.flushdb()
    bucket = f"guanxi-nodes-{uuid.uuid4().hex[:8]}"
    shared = SharedDatabase(tmp_path, REDIS_URL=REDIS_URL, GUANXI_LEASE_SECONDS="2",
                            GUANXI_IMPORT_BATCH_PAUSE="0.15", GUANXI_WORKERS="2",
                            GUANXI_WARM_UP="0",  # what a first request loads: not needed here
                            **s3_server.env(bucket))
    webs = [shared.web(tmp_path / "web-a"), shared.web(tmp_path / "web-b")]
    workers = [shared.worker(tmp_path / "worker-a"), shared.worker(tmp_path / "worker-b")]
    try:
        for web in webs:
            web.wait_ready()
        yield shared, webs, workers, s3_server.client(), bucket
    finally:
        for node in webs + workers:
            node.kill()
        store.flushdb()


def _sign_in(url: str, username: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{url}/accounts/login/", timeout=30)
    answer = session.post(f"{url}/accounts/login/", timeout=30, allow_redirects=False, data={
        "login": username, "password": PASSWORD,
        "csrfmiddlewaretoken": session.cookies["csrftoken"]})
    assert answer.status_code == 302, answer.text[:500]
    session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
    return session


def _until(check, timeout: float = 60, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"not in {timeout} s: {what}")


class Load:
    """API writes (new customers) spread over the nodes; a write that gets no answer from one
    node is sent again to the other with the same Idempotency-Key, as a balancer retries."""

    def __init__(self, urls: list[str], token: str) -> None:
        self.urls, self.token = urls, token
        self.acknowledged: dict[str, int] = {}  # name → id, answered 201
        self.after_kill = 0
        self.killed = threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        for i in range(5000):
            if self.stop.is_set():
                return
            name = f"压测客户{i:05d}号有限公司"
            key = uuid.uuid4().hex
            for attempt in range(4):
                url = self.urls[(i + attempt) % len(self.urls)]
                try:
                    answer = requests.post(f"{url}/api/customers", timeout=15, json={
                        "name": name, "force": True}, headers={**headers, "Idempotency-Key": key})
                except requests.RequestException:
                    continue
                if answer.status_code == 201:
                    self.acknowledged[name] = answer.json()["id"]
                    self.after_kill += self.killed.is_set()
                    break

    def __enter__(self) -> Load:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(30)


def test_two_nodes_share_sessions_files_and_work_and_survive_losing_one(org, cluster):
    from guanxi.accounts.services import create_token
    from guanxi.customers.models import Account
    from guanxi.integrations.models import ImportJob

    shared, (web_a, web_b), workers, s3, bucket = cluster
    a, b = web_a.url, web_b.url

    # The test's users carry a fast test hash the nodes do not know: a real one (fewer
    # rounds than Django's default, which the hash itself records).
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    type(org.rep).objects.filter(pk=org.rep.pk).update(
        password=PBKDF2PasswordHasher().encode(PASSWORD, "multinodesalt", iterations=1000))

    # Signed in on A, the same session carries on on B.
    person = _sign_in(a, org.rep.username)
    assert person.get(f"{b}/api/me", timeout=30).json()["username"] == org.rep.username

    # Uploaded on A; read by a worker from the bucket; previewed on B.
    rows = ["客户名称,电话"] + [f"导入客户{i:04d}号,139{i:08d}" for i in range(ROWS)]
    answer = person.post(f"{a}/api/imports", timeout=30, data={"kind": "customers"},
                         files={"file": ("客户.csv", "\n".join(rows).encode())})
    assert answer.status_code == 201, answer.text[:500]
    job_id = answer.json()["id"]
    job = _until(lambda: (j := person.get(f"{b}/api/imports/{job_id}", timeout=30).json())
                 ["status"] != "reading" and j, what="the upload read by a worker")
    assert job["status"] == "draft" and job["total"] == ROWS, job
    preview = person.get(f"{b}/api/imports/{job_id}/preview", timeout=30).json()
    assert [r["values"][0] for r in preview[:2]] == ["导入客户0000号", "导入客户0001号"]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert keys == [f"imports/{ImportJob.objects.get(pk=job_id).file_name}"]
    for node in (web_a, web_b, *workers):  # nothing on any machine's own disk
        assert not (node.log.parent / "media").exists()

    _token, secret = create_token(org.rep, "load", "write")
    with Load([a, b], secret) as load:
        _until(lambda: len(load.acknowledged) >= 5, what="writes acknowledged")
        # Small batches, so the import is still running when its worker is killed.
        ImportJob.objects.filter(pk=job_id).update(batch_size=10)
        confirmed = person.post(f"{b}/api/imports/{job_id}/confirm", timeout=30,
                                json={"version": job["version"]})
        assert confirmed.status_code == 202, confirmed.text[:500]
        running = _until(lambda: ImportJob.objects.filter(
            pk=job_id, status="running", last_batch__gte=2).exclude(lease_owner="").first(),
            what="the import under way")
        runner_pid = int(running.lease_owner.split(":")[1])
        [victim] = [w for w in workers if w.pid == runner_pid]  # one of the two runs it
        survivor: Node = next(w for w in workers if w is not victim)
        victim.kill()
        web_a.kill()
        load.killed.set()
        stopped_at = ImportJob.objects.get(pk=job_id).last_batch

        # The lease of the dead worker runs out; the minute's takeover check (run now rather
        # than at the next minute) queues the rest for the surviving worker.
        _until(lambda: not ImportJob.objects.filter(pk=job_id, status="running",
                                                    lease_until__gt=_now()).exists(),
               what="the dead worker's lease ended")
        _tick_takeover(shared)
        done = _until(lambda: ImportJob.objects.filter(pk=job_id, status="done").first(),
                      timeout=90, what="the import finished by the survivor")
        _until(lambda: load.after_kill >= 10, what="writes acknowledged after the kill")

    assert survivor.proc.poll() is None and stopped_at < done.last_batch
    assert (done.imported, done.skipped, done.rejected, done.total) == (ROWS, 0, 0, ROWS)
    imported = Account.objects.filter(name__startswith="导入客户")
    assert imported.count() == ROWS
    assert not imported.values("name").annotate(n=Count("id")).filter(n__gt=1).exists()

    loaded = dict(Account.objects.filter(name__startswith="压测客户").values_list("name", "id"))
    for name, pk in load.acknowledged.items():
        assert loaded.get(name) == pk, f"acknowledged, then lost: {name}"
    assert not Account.objects.filter(name__startswith="压测客户").values("name").annotate(
        n=Count("id")).filter(n__gt=1).exists()
    # B answered all along; A is gone.
    assert requests.get(f"{b}/health/ready", timeout=10).status_code == 200


def _now():
    from django.utils import timezone

    return timezone.now()


def _tick_takeover(shared: SharedDatabase) -> None:
    """Queue the periodic takeover check in the shared Redis queue, as the scheduler does."""
    from huey.storage import RedisStorage

    from guanxi.core.tasks import queue
    from guanxi.integrations.tasks import take_over_interrupted_imports

    before, immediate = queue.storage, queue.immediate
    queue.storage, queue.immediate = RedisStorage(queue.name, url=REDIS_URL), False
    try:
        take_over_interrupted_imports()
    finally:
        queue.storage, queue.immediate = before, immediate
