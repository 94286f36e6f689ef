"""The ``import`` command: counts, dry run, fatal errors, and an import killed with SIGKILL
midway that resumes from its last committed batch with no row lost or repeated."""

from __future__ import annotations

import io
import json
import signal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from guanxi.core.tests.api_client import as_
from guanxi.core.tests.processes import SharedDatabase
from guanxi.customers.models import Account
from guanxi.integrations.models import ImportJob
from guanxi.integrations.tests.imports_fixtures import var_dir, write_csv  # noqa: F401

MANAGE = Path(settings.BASE_DIR) / "manage.py"


def test_command_prints_the_counts_and_where_the_rejected_rows_are(org, var_dir, tmp_path):  # noqa: F811
    path = write_csv(tmp_path / "c.csv", [["客户名称", "电话"], ["甲有限公司", "13812345678"],
                                         ["乙有限公司", "bad"]])
    out = io.StringIO()
    call_command("import", "customers", str(path), "--json", "--user", "rep", stdout=out)
    result = json.loads(out.getvalue())
    assert {k: result[k] for k in ("status", "rows", "imported", "updated", "rejected")} == {
        "status": "done", "rows": 2, "imported": 1, "updated": 0, "rejected": 1}
    rejected = Path(result["rejected_file"]).read_text(encoding="utf-8-sig")
    assert "乙有限公司" in rejected and "not a phone number" in rejected
    assert Account.objects.get().owner == org.rep

    out = io.StringIO()
    call_command("import", "customers", str(path), "--json", "--user", "rep",
                 "--update-existing", stdout=out)
    assert json.loads(out.getvalue())["updated"] == 1


def test_dry_run_keeps_nothing(org, var_dir, tmp_path):  # noqa: F811
    path = write_csv(tmp_path / "c.csv", [["name", "phone"], ["Acme Ltd", "13812345678"]])
    out = io.StringIO()
    call_command("import", "customers", str(path), "--dry-run", "--json", "--user", "rep",
                 stdout=out)
    assert json.loads(out.getvalue()) == {"dry_run": True, "imported": 1, "updated": 0,
                                          "skipped": 0, "rejected": 0, "total": 1}
    assert not Account.objects.exists() and not ImportJob.objects.exists()


def test_duplicates_already_in_guanxi_are_counted_as_skipped_not_rejected(org, var_dir, tmp_path, client):  # noqa: F811, E501
    path = write_csv(tmp_path / "c.csv", [["客户名称", "电话"], ["甲有限公司", "13812345678"]])
    call_command("import", "customers", str(path), "--user", "rep", stdout=io.StringIO())
    out = io.StringIO()
    call_command("import", "customers", str(path), "--json", "--user", "rep", stdout=out)
    result = json.loads(out.getvalue())
    assert {k: result[k] for k in ("rows", "imported", "updated", "skipped", "rejected")} == {
        "rows": 1, "imported": 0, "updated": 0, "skipped": 1, "rejected": 0}
    assert "rejected_file" not in result
    job = ImportJob.objects.get(pk=result["job"])
    assert not job.rejections.exists()
    # The API and the pages say the same.
    api = as_(org.rep).get(f"/api/imports/{job.pk}").json()
    assert (api["skipped"], api["rejected"]) == (1, 0)
    client.force_login(org.rep)
    progress = client.get(reverse("integrations:import_progress", args=[job.pk])).content
    assert "1 skipped, 0 rejected" in progress.decode()
    page = client.get(reverse("integrations:import_detail", args=[job.pk])).content.decode()
    assert "Skipped (already in Guanxi)" in page
    assert reverse("integrations:import_rejected", args=[job.pk]) not in page


def test_without_user_imports_as_a_superuser_made_by_createsuperuser(db, var_dir, tmp_path):  # noqa: F811
    # The only administrator: made by ``guanxi createsuperuser``, with no admin role row.
    call_command("createsuperuser", "--noinput", "--username", "root",
                 "--email", "root@example.com", stdout=io.StringIO())
    path = write_csv(tmp_path / "c.csv", [["客户名称", "电话"], ["甲有限公司", "13812345678"]])
    out = io.StringIO()
    call_command("import", "customers", str(path), "--json", stdout=out)
    assert json.loads(out.getvalue())["imported"] == 1
    assert Account.objects.get().created_by.username == "root"


def test_fatal_errors_are_clear(org, var_dir, tmp_path):  # noqa: F811
    with pytest.raises(CommandError, match="No such file"):
        call_command("import", "customers", str(tmp_path / "missing.csv"), "--user", "rep")
    path = write_csv(tmp_path / "c.csv", [["甲", "乙"], ["x", "y"]])
    with pytest.raises(CommandError, match="Map a column to: Customer name"):
        call_command("import", "customers", str(path), "--user", "rep")
    with pytest.raises(CommandError, match="cannot import"):
        call_command("import", "customers", str(path), "--user", "finance")
    with pytest.raises(CommandError, match="Choose what the file holds"):
        call_command("import", "widgets", str(path), "--user", "rep")
    with pytest.raises(CommandError, match="cannot import products"):
        call_command("import", "products", str(path), "--user", "rep")
    with pytest.raises(CommandError, match="No import job"):
        call_command("import", "--resume", "999")


# --- killed and resumed ------------------------------------------------------------------------

ROWS = 100
BATCH = 10


def _expected_rejected() -> set[int]:
    return {n for n in range(1, ROWS + 1) if n % 7 == 0 or n % 13 == 0}


def _file(tmp_path: Path) -> Path:
    rows = [["客户名称", "电话"]]
    for n in range(1, ROWS + 1):
        name = "续传客户1号有限公司" if n % 13 == 0 else f"续传客户{n}号有限公司"
        phone = "12345" if n % 7 == 0 else f"1390000{n:04d}"
        rows.append([name, phone])
    return write_csv(tmp_path / "resume.csv", rows)


JOB = "SELECT id, last_batch, imported, updated, rejected, status FROM integrations_importjob"
COUNTS = ("SELECT (SELECT COUNT(*) FROM customers_account), "
          "(SELECT COUNT(DISTINCT name) FROM customers_account), "
          "(SELECT COUNT(*) FROM integrations_importrejection), "
          "(SELECT COUNT(DISTINCT token) FROM customers_searchtoken WHERE field = 4)")


@pytest.mark.django_db(transaction=True)
def test_killed_import_resumes_without_loss_or_duplicate(org, tmp_path):
    shared = SharedDatabase(tmp_path)
    path = _file(tmp_path)
    proc = shared.run("import", "customers", str(path), "--user", "rep", "--batch-size",
                      str(BATCH), GUANXI_IMPORT_BATCH_PAUSE="0.4", GUANXI_LEASE_SECONDS="2")
    shared.wait_for("SELECT COUNT(*) FROM integrations_importjob WHERE last_batch >= 3",
                    lambda row: bool(row and row[0]), proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL

    job_id, batches, imported, updated, rejected, status = shared.one(JOB)
    assert status == "running" and batches < ROWS // BATCH
    accounts, distinct, rejections, phones = shared.one(COUNTS)
    # Exactly the committed batches are in the database: nothing half-written.
    assert imported + updated + rejected == batches * BATCH
    assert (accounts, rejections) == (imported, rejected) and distinct == accounts

    # Once it has run out, two resumes at once: one carries the import to the end, the other
    # is told it is under way (no traceback, nothing imported twice).
    shared.wait_for("SELECT lease_until < CURRENT_TIMESTAMP FROM integrations_importjob",
                    lambda row: bool(row and row[0]), timeout=10)
    first, second = (shared.run("import", "--resume", str(job_id), "--json",
                                GUANXI_IMPORT_BATCH_PAUSE="0.5", GUANXI_LANGUAGE="en")
                     for _ in range(2))
    answers = [p.communicate(timeout=300) for p in (first, second)]
    codes = sorted((p.returncode, i) for i, p in enumerate((first, second)))
    assert [c for c, _i in codes] == [0, 1], answers
    out, _err = answers[codes[0][1]]
    loser = answers[codes[1][1]][1]
    assert any(why in loser for why in ("under way", "running in another process",
                                        "can be resumed")), loser
    assert "Traceback" not in loser
    result = json.loads(out)
    expected_rejected = _expected_rejected()
    assert (result["rows"], result["imported"], result["updated"], result["rejected"]) == (
        ROWS, ROWS - len(expected_rejected), 0, len(expected_rejected))
    accounts, distinct, rejections, phones = shared.one(COUNTS)
    assert accounts == distinct == phones == ROWS - len(expected_rejected)
    assert rejections == len(expected_rejected)
    rejected_file = Path(result["rejected_file"]).read_text(encoding="utf-8-sig")
    rows = {int(line.split(",")[2]) for line in rejected_file.splitlines()[1:]}
    assert rows == expected_rejected

    # A fatal error is a non-zero exit with a clear message.
    failed = shared.run("import", "customers", str(tmp_path / "missing.csv"), "--user", "rep")
    _out, err = failed.communicate(timeout=120)
    assert failed.returncode != 0 and "No such file" in err
