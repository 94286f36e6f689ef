"""An import whose process died: refused to a second runner while its lease is live, taken
over by the next worker once it has run out, failed after dying again and again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from guanxi.core.errors import Conflict
from guanxi.customers.models import Account
from guanxi.integrations.models import ImportJob
from guanxi.integrations.services import imports
from guanxi.integrations.tests.imports_fixtures import upload, var_dir, write_csv  # noqa: F401

pytestmark = pytest.mark.usefixtures("var_dir")

ROWS = [["客户名称", "电话"]] + [[f"租约客户{n}号有限公司", f"1390001{n:04d}"]
                              for n in range(1, 31)]


def _stopped_midway(org, tmp_path, *, lease_left: dt.timedelta) -> ImportJob:
    """An import that committed one batch of ten rows, then lost its process."""
    job = upload(org.rep, "customers", write_csv(tmp_path / "lease.csv", ROWS))
    job.batch_size = 10
    job.save(update_fields=["batch_size"])
    imports.confirm(org.rep, job, job.version, enqueue=False)
    kind = imports.get_kind(job.kind)
    runner = imports.Runner(job, kind, org.rep)
    imports._commit(job, runner, next(runner.batches()))
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, lease_owner="gone:1:dead",
        lease_until=timezone.now() + lease_left)
    return ImportJob.objects.get(pk=job.pk)


def test_a_running_import_is_not_resumed_twice(org, tmp_path):
    job = _stopped_midway(org, tmp_path, lease_left=dt.timedelta(seconds=30))
    with pytest.raises(Conflict, match="running in another process") as refused:
        imports.resume(org.rep, job, enqueue=False)
    assert refused.value.status == 409
    with pytest.raises(Conflict):  # a second worker handed the same job
        imports.run(job.pk)
    assert imports.take_over_interrupted(enqueue=False) == []
    job.refresh_from_db()
    assert (job.status, job.last_batch, job.imported) == ("running", 1, 10)


def test_the_next_worker_takes_over_an_import_whose_process_died(org, tmp_path):
    job = _stopped_midway(org, tmp_path, lease_left=-dt.timedelta(seconds=1))
    assert imports.take_over_interrupted(enqueue=False) == [job.pk]
    job.refresh_from_db()
    assert job.status == "queued" and job.takeovers == 1 and not job.lease_owner
    done = imports.run(job.pk)  # what the queued task does in the worker
    assert (done.status, done.total, done.imported, done.rejected) == ("done", 30, 30, 0)
    assert Account.objects.filter(name__startswith="租约客户").count() == 30
    assert not done.lease_owner and done.lease_until is None


def test_an_import_that_keeps_dying_is_failed_with_the_reason(org, tmp_path):
    job = _stopped_midway(org, tmp_path, lease_left=-dt.timedelta(seconds=1))
    ImportJob.objects.filter(pk=job.pk).update(takeovers=imports.MAX_TAKEOVERS)
    assert imports.take_over_interrupted(enqueue=False) == []
    job.refresh_from_db()
    assert job.status == "failed" and "stopped 4 times" in job.error
    resumed = imports.resume(org.rep, job, enqueue=False)  # a person may still resume it
    assert resumed.status == "queued"
