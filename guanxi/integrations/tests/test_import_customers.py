"""Importing customers from real CSV and XLSX files: encodings, delimiters, mapping, every
kind of bad row, duplicates in the file and in the database, and re-running a file."""

from __future__ import annotations

import pytest

from guanxi.core.models import AuditEntry
from guanxi.customers.models import Account, Contact, SearchToken, TimelineEvent
from guanxi.customers.search import search
from guanxi.integrations.models import ImportJob, ImportToken
from guanxi.integrations.services import imports
from guanxi.integrations.tests.imports_fixtures import (  # noqa: F401
    import_file,
    rejected_rows,
    upload,
    var_dir,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.usefixtures("var_dir")

HEADER_ZH = ["客户名称", "统一社会信用代码", "电话", "邮箱", "行业", "联系人", "联系人手机",
             "省份", "城市", "地址", "标签"]
GOOD = [
    ["上海明珠机电有限公司", "91310000MA1FL8TQ7J", "021-6234 5678", "info@mingzhu.cn", "制造业",
     "张三", "13812345678", "上海", "上海市", "浦东新区张江路1号", "重点,华东"],
    ["杭州西湖软件有限公司", "", "0571-8888 1234", "", "IT and software", "李四",
     "139 1234 5678", "浙江", "杭州市", "", ""],
]


def _counts(job: ImportJob) -> tuple[int, int, int, int]:
    return job.total, job.imported, job.updated, job.rejected


@pytest.mark.parametrize("encoding,delimiter", [
    ("utf-8", ","), ("utf-8-sig", ","), ("gb18030", ","), ("utf-8", ";"), ("gb18030", "\t"),
    ("utf-8-sig", "|"),
])
def test_csv_in_every_encoding_and_delimiter(org, tmp_path, encoding, delimiter):
    path = write_csv(tmp_path / "customers.csv", [HEADER_ZH, *GOOD], encoding, delimiter)
    job = upload(org.rep, "customers", path)
    assert job.encoding == ("gb18030" if encoding == "gb18030" else "utf-8-sig")
    assert job.delimiter == delimiter
    assert job.headers[0] == "客户名称"
    assert set(job.mapping.values()) >= {"name", "registration_id", "phone", "email",
                                         "industry", "contact_name", "contact_mobile",
                                         "province", "city", "street", "tags"}
    imports.confirm(org.rep, job, job.version, enqueue=False)
    job = imports.run(job.pk)
    assert _counts(job) == (2, 2, 0, 0)
    a = Account.objects.get(name="上海明珠机电有限公司")
    assert a.owner == org.rep and a.phone == "+862162345678"
    assert a.registration_id == "91310000MA1FL8TQ7J" and a.industry == "manufacturing"
    assert a.contacts.get().mobile == "+8613812345678"
    assert str(a.addresses.get()) == "上海上海市浦东新区张江路1号"
    assert sorted(a.tags.values_list("name", flat=True)) == ["华东", "重点"]
    assert a.completeness > 50
    # Found by search as any customer entered by hand: name, pinyin, phone.
    assert a.pk in {h.account_id for h in search(org.rep, "明珠")}
    assert a.pk in {h.account_id for h in search(org.rep, "13812345678")}
    assert TimelineEvent.objects.filter(account=a, kind="customers.imported").exists()


def test_xlsx_with_english_headers(org, tmp_path):
    path = write_xlsx(tmp_path / "crm.xlsx", [
        ["Company name", "Registration ID", "Phone", "E-mail", "Industry", "Contact",
         "Contact mobile", "Province"],
        ["Acme Trading Co., Ltd.", None, 13912345678, "sales@acme.com", "Retail and wholesale",
         "Tom", "+86 139 8765 4321", "Guangdong"],
        ["=HYPERLINK(\"http://x\")", None, None, None, None, None, None, None],
    ])
    job = import_file(org.rep, "customers", path)
    assert _counts(job) == (2, 2, 0, 0)
    acme = Account.objects.get(name="Acme Trading Co., Ltd.")
    assert acme.phone == "+8613912345678" and acme.industry == "retail"
    # A formula is text like any other: stored, never evaluated.
    assert Account.objects.filter(name='=HYPERLINK("http://x")').exists()


def test_every_bad_row_is_reported_and_counts_add_up(org, make_account, tmp_path):
    make_account(by=org.rep, name="已有客户有限公司", phone="13700000001")
    rows = [
        HEADER_ZH,
        *GOOD,
        ["坏电话有限公司", "", "12345", "", "", "", "", "", "", "", ""],
        ["坏代码有限公司", "91310000MA1FL8TQ7X", "", "", "", "", "", "", "", "", ""],
        ["", "", "13600000000", "", "", "", "", "", "", "", ""],
        ["上海明珠机电有限公司", "", "", "", "", "", "", "", "", "", ""],
        ["另一家公司", "", "13700000001", "", "", "", "", "", "", "", ""],
        ["坏邮箱有限公司", "", "", "not-an-email", "", "", "", "", "", "", ""],
        ["坏行业有限公司", "", "", "", "造船", "", "", "", "", "", ""],
        ["坏省份有限公司", "", "", "", "", "", "", "火星", "", "", ""],
        ["=1+1", "", "", "", "", "", "", "", "", "", ""],
    ]
    path = write_csv(tmp_path / "mixed.csv", rows, "utf-8-sig")
    job = import_file(org.rep, "customers", path)
    assert _counts(job) == (11, 3, 0, 7)
    assert job.skipped == 1  # 另一家公司: already in Guanxi by its phone
    assert job.imported + job.updated + job.skipped + job.rejected == job.total
    rejected = rejected_rows(job)
    assert rejected[0] == [*HEADER_ZH, "Row", "Reason"]
    reasons = {r[0] or r[2]: r[-1] for r in rejected[1:]}
    assert len(rejected) - 1 == job.rejected
    assert "not a valid phone number" in reasons["坏电话有限公司"]
    assert "check character" in reasons["坏代码有限公司"]
    assert "Customer name: This field is required." in reasons["13600000000"]
    assert "Duplicate of row 1 in this file" in reasons["上海明珠机电有限公司"]
    assert "另一家公司" not in reasons
    assert "e-mail" in reasons["坏邮箱有限公司"]
    assert "not one of the choices" in reasons["坏行业有限公司"]
    assert "not a Chinese province" in reasons["坏省份有限公司"]
    assert {r[-2] for r in rejected[1:]} == {"3", "4", "5", "6", "8", "9", "10"}
    # The formula-looking name went in as text.
    assert Account.objects.filter(name="=1+1").exists()


def test_rerunning_the_same_file_creates_nothing(org, tmp_path):
    path = write_csv(tmp_path / "c.csv", [HEADER_ZH, *GOOD])
    first = import_file(org.rep, "customers", path)
    assert _counts(first) == (2, 2, 0, 0)
    before = (Account.objects.count(), Contact.objects.count(), SearchToken.objects.count())
    second = import_file(org.rep, "customers", path)
    assert _counts(second) == (2, 0, 0, 0) and second.skipped == 2
    assert imports.previous_run(second) == first
    third = import_file(org.rep, "customers", path, policy="update")
    assert _counts(third) == (2, 0, 2, 0)
    after = (Account.objects.count(), Contact.objects.count(), SearchToken.objects.count())
    assert before == after


def test_update_existing_fills_in_what_the_file_adds(org, make_account, tmp_path):
    a = make_account(by=org.rep, name="上海明珠机电有限公司")
    path = write_csv(tmp_path / "u.csv", [HEADER_ZH, GOOD[0]])
    job = import_file(org.rep, "customers", path, policy="update")
    assert _counts(job) == (1, 0, 1, 0)
    a.refresh_from_db()
    assert a.registration_id == "91310000MA1FL8TQ7J" and a.email == "info@mingzhu.cn"
    assert a.version == 2
    assert a.contacts.filter(mobile="+8613812345678").exists()
    assert a.pk in {h.account_id for h in search(org.rep, "info@mingzhu.cn")}
    entry = AuditEntry.objects.get(action="integrations.import.batch", object_id=str(job.pk))
    assert "email" in entry.data["updated"][str(a.pk)]


def test_another_reps_customer_is_never_touched(org, make_account, tmp_path):
    theirs = make_account(by=org.other_rep, name="深圳华强电子有限公司", phone="13800000002")
    path = write_csv(tmp_path / "x.csv", [["客户名称", "电话", "备注"],
                                         ["深圳华强电子有限公司", "", "mine now"],
                                         ["华强电子（深圳）", "13800000002", ""]])
    for policy in ("update", "create"):
        job = import_file(org.rep, "customers", path, policy=policy)
        assert _counts(job) == (2, 0, 0, 2)
        assert all("Already followed by 黄伟" in r[-1] for r in rejected_rows(job)[1:])
    theirs.refresh_from_db()
    assert theirs.description == "" and theirs.version == 1


def test_create_anyway_keeps_registration_ids_unique(org, make_account, tmp_path):
    make_account(by=org.rep, name="老客户有限公司", registration_id="91310000MA1FL8TQ7J")
    path = write_csv(tmp_path / "c.csv", [
        ["客户名称", "统一社会信用代码", "电话"],
        ["老客户有限公司", "", ""],
        ["新名字有限公司", "91310000MA1FL8TQ7J", ""],
        ["同名公司", "", "13500000001"],
        ["同名公司", "", "13500000001"],
    ])
    job = import_file(org.rep, "customers", path, policy="create")
    assert _counts(job) == (4, 3, 0, 1)
    assert "registration id already exists" in rejected_rows(job)[1][-1]
    assert Account.objects.filter(name="同名公司").count() == 2


def test_assistant_imports_are_pending_and_owner_column(org, tmp_path):
    path = write_csv(tmp_path / "o.csv", [["客户名称", "负责人"], ["甲公司", "rep"],
                                         ["乙公司", "黄伟"], ["丙公司", ""]])
    job = import_file(org.assistant, "customers", path)
    assert _counts(job) == (3, 2, 0, 1)
    assert Account.objects.get(name="甲公司").owner == org.rep
    assert Account.objects.get(name="甲公司").approval == "pending"
    assert "not a sales rep you may assign" in rejected_rows(job)[1][-1]  # other team
    rep_job = import_file(org.rep, "customers", write_csv(
        tmp_path / "p.csv", [["客户名称", "负责人"], ["丁公司", "teammate"]]))
    assert rep_job.rejected == 1


def test_finance_cannot_import_customers(org, tmp_path):
    from guanxi.core.errors import Forbidden

    path = write_csv(tmp_path / "f.csv", [HEADER_ZH, *GOOD])
    with pytest.raises(Forbidden):
        upload(org.finance, "customers", path)
    assert not ImportJob.objects.exists()


def test_mapping_checks_and_templates(org, tmp_path):
    from guanxi.core.errors import FieldErrors

    path = write_csv(tmp_path / "m.csv", [["甲", "乙"], ["上海明珠机电有限公司", "13812345678"]])
    job = upload(org.rep, "customers", path)
    assert job.mapping == {}
    with pytest.raises(FieldErrors, match="Map a column"):
        imports.set_mapping(org.rep, job, {"1": "phone"}, job.version)
    with pytest.raises(FieldErrors, match="Two columns"):
        imports.set_mapping(org.rep, job, {"0": "name", "1": "name"}, job.version)
    imports.set_mapping(org.rep, job, {"0": "name", "1": "phone"}, job.version)
    imports.save_template(org.rep, job, "ERP export")
    again = imports.create_job(org.rep, "customers", [path.read_bytes()], "again.csv",
                               template=imports.templates_for(org.rep).get(), enqueue=False)
    assert (again.status, again.mapping) == ("reading", {})  # the worker reads the file
    again = imports.read(again.pk)
    assert again.mapping == {"0": "name", "1": "phone"}
    items = imports.preview(org.rep, again)
    assert [i.outcome for i in items] == ["imported"] and not Account.objects.exists()


def test_batches_and_audit(org, tmp_path):
    rows = [["客户名称", "电话"]] + [[f"批量客户{n}号", f"1380000{n:04d}"] for n in range(25)]
    job = import_file(org.rep, "customers", write_csv(tmp_path / "b.csv", rows), batch_size=10)
    assert _counts(job) == (25, 25, 0, 0) and job.last_batch == 3
    entries = AuditEntry.objects.filter(action="integrations.import.batch", object_id=str(job.pk))
    assert [e.data["rows"] for e in entries.order_by("id")] == [[1, 10], [11, 20], [21, 25]]
    assert sum(len(e.data["created"]) for e in entries) == 25


@pytest.mark.django_db(transaction=True)
def test_big_files_are_cleaned_in_worker_processes_with_the_same_result(org, tmp_path,
                                                                       monkeypatch):
    rows = [["客户名称", "电话"]]
    for n in range(1, 61):
        name = "并行客户1号" if n % 20 == 0 else f"并行客户{n}号"
        rows.append([name, "bad" if n % 9 == 0 else f"1380000{n:04d}"])
    path = write_csv(tmp_path / "big.csv", rows)
    monkeypatch.setattr(imports, "PARALLEL_FROM", 10)
    job = upload(org.rep, "customers", path)
    job.batch_size = 7
    job.save(update_fields=["batch_size"])
    imports.confirm(org.rep, job, job.version, enqueue=False)
    runner_workers = []
    original = imports.Runner.__init__

    def spy(self, *args, **kwargs):
        original(self, *args, **kwargs)
        runner_workers.append(self.workers)

    monkeypatch.setattr(imports.Runner, "__init__", spy)
    job = imports.run(job.pk)
    assert runner_workers[0] > 1 or (__import__("os").cpu_count() or 1) == 1
    bad = {n for n in range(1, 61) if n % 9 == 0 or n % 20 == 0}
    assert _counts(job) == (60, 60 - len(bad), 0, len(bad))
    assert {int(r[-2]) for r in rejected_rows(job)[1:]} == bad
    # A big import's search tokens go in at its end, all of them: by name, pinyin and phone.
    assert not ImportToken.objects.exists()
    assert [h.name for h in search(org.rep, "并行客户13号")] == ["并行客户13号"]
    assert [h.name for h in search(org.rep, "bingxingkehu13")] == ["并行客户13号"]
    assert [h.name for h in search(org.rep, "13800000013")] == ["并行客户13号"]


@pytest.mark.django_db(transaction=True)
def test_a_big_import_stopped_midway_resumes_and_indexes_every_row(org, tmp_path, monkeypatch):
    rows = [["客户名称", "电话"], *([f"续传客户{n}号", f"1390000{n:04d}"] for n in range(1, 31))]
    monkeypatch.setattr(imports, "PARALLEL_FROM", 10)
    job = upload(org.rep, "customers", write_csv(tmp_path / "big.csv", rows))
    job.batch_size = 7
    job.save(update_fields=["batch_size"])
    imports.confirm(org.rep, job, job.version, enqueue=False)
    original = imports._commit

    def dies_after_two_batches(job, runner, batch):
        if job.last_batch == 2:
            raise KeyboardInterrupt  # the process stops between two batches
        original(job, runner, batch)

    monkeypatch.setattr(imports, "_commit", dies_after_two_batches)
    with pytest.raises(KeyboardInterrupt):
        imports.run(job.pk)
    # Two batches are in, their search tokens set aside until the import ends.
    assert Account.objects.count() == 14 and ImportToken.objects.exists()
    monkeypatch.setattr(imports, "_commit", original)
    job = imports.run(job.pk)
    assert _counts(job) == (30, 30, 0, 0)
    assert not ImportToken.objects.exists()
    for n in (1, 14, 15, 30):
        assert [h.name for h in search(org.rep, f"续传客户{n}号")] == [f"续传客户{n}号"]
    assert SearchToken.objects.filter(field=SearchToken.Field.PHONE).count() == 30
