"""Contacts and transactions imports, and the import pages from upload to result."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from guanxi.analytics.models import Transaction
from guanxi.core.models import AuditEntry
from guanxi.core.tasks import queue
from guanxi.customers.models import Account, Contact, TimelineEvent
from guanxi.customers.search import search
from guanxi.customers.services.common import completeness
from guanxi.integrations.models import ImportJob, MappingTemplate
from guanxi.integrations.services import imports
from guanxi.integrations.tests.imports_fixtures import (  # noqa: F401
    import_file,
    rejected_rows,
    var_dir,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.usefixtures("var_dir")


@pytest.fixture
def accounts(org, make_account):
    a = make_account(by=org.rep, name="上海明珠机电有限公司", registration_id="91310000MA1FL8TQ7J")
    b = make_account(by=org.other_rep, name="深圳华强电子有限公司")
    return a, b


def test_contacts_through_the_customer_services(org, accounts, tmp_path):
    a, b = accounts
    path = write_xlsx(tmp_path / "contacts.xlsx", [
        ["客户名称", "统一社会信用代码", "姓名", "手机", "邮箱", "性别", "职务"],
        [None, "91310000MA1FL8TQ7J", "王五", "13712345678", "wang@mingzhu.cn", "男", "采购"],
        ["上海明珠机电有限公司", None, "赵六", None, None, "女", None],
        ["上海明珠机电有限公司", None, "王五", "13712345678", None, None, None],
        ["深圳华强电子有限公司", None, "钱七", None, None, None, None],
        ["不存在的公司", None, "孙八", None, None, None, None],
        ["上海明珠机电有限公司", None, "", "bad", None, None, None],
    ])
    job = import_file(org.rep, "contacts", path)
    assert (job.total, job.imported, job.updated, job.skipped, job.rejected) == (6, 2, 0, 1, 3)
    assert sorted(a.contacts.values_list("name", flat=True)) == ["王五", "赵六"]
    assert a.contacts.get(name="王五").gender == "m"
    reasons = [r[-1] for r in rejected_rows(job)[1:]]
    # The contact 王五 already there is skipped, not rejected.
    assert not any("already has this contact" in r for r in reasons)
    assert "No customer you can see" in reasons[0]  # another rep's customer is not visible
    assert "No customer you can see" in reasons[1]
    assert "Contact name: This field is required." in reasons[2]
    # The customer services wrote the audit trail and the timeline, one per contact.
    assert AuditEntry.objects.filter(action="customers.contact.created").count() == 2
    assert not Contact.objects.filter(account=b).exists()
    again = import_file(org.rep, "contacts", path, policy="update")
    assert (again.imported, again.updated) == (0, 3)


def test_contacts_in_bulk_are_what_adding_them_by_hand_gives(org, accounts, make_account,
                                                             tmp_path):
    a, _b = accounts
    make_account(by=org.other_rep, name="别人的客户有限公司", phone="13911112222")
    path = write_csv(tmp_path / "c.csv", [
        ["统一社会信用代码", "姓名", "手机", "邮箱"],
        ["91310000MA1FL8TQ7J", "周一", "13711110001", "zhou@mingzhu.cn"],
        ["91310000MA1FL8TQ7J", "吴二", "13711110002", ""],
        ["91310000MA1FL8TQ7J", "郑三", "13911112222", ""],
    ])
    job = import_file(org.rep, "contacts", path)
    assert (job.imported, job.rejected) == (2, 1)
    # 撞单: the number of a customer another rep follows is refused, as by hand.
    assert "This number belongs to 别人的客户有限公司" in rejected_rows(job)[1][-1]
    contacts = list(a.contacts.order_by("id"))
    assert [(c.name, c.is_primary) for c in contacts] == [("周一", True), ("吴二", False)]
    assert [h.name for h in search(org.rep, "zhouyi")] == ["周一"]
    assert [h.name for h in search(org.rep, "13711110002")] == ["吴二"]
    titles = set(TimelineEvent.objects.filter(account=a).values_list("title", flat=True))
    assert {"Contact added: 周一", "Contact added: 吴二"} <= titles
    a.refresh_from_db()
    assert a.completeness == completeness(a)[0]
    assert AuditEntry.objects.filter(action="customers.contact.created",
                                     object_id=str(contacts[0].pk)).exists()


def test_transactions_by_external_id(org, accounts, tmp_path):
    a, _b = accounts
    path = write_csv(tmp_path / "t.csv", [
        ["单号", "客户名称", "日期", "金额", "成本"],
        ["SO-1", "上海明珠机电有限公司", "2026-03-31", "¥12,000.50", "8000"],
        ["SO-2", "上海明珠机电有限公司", "2026/04/02", "500", ""],
        ["SO-1", "上海明珠机电有限公司", "2026-03-31", "12000.50", ""],
        ["SO-3", "上海明珠机电有限公司", "yesterday", "abc", ""],
    ])
    job = import_file(org.manager, "transactions", path)
    assert (job.total, job.imported, job.rejected) == (4, 2, 2)
    t = Transaction.objects.get(external_id="SO-1")
    assert (t.account, t.date, t.amount, t.cost) == (a, dt.date(2026, 3, 31), Decimal("12000.50"),
                                                     Decimal("8000.00"))
    again = import_file(org.manager, "transactions", path)
    assert (again.imported, again.skipped, again.rejected) == (0, 2, 2)
    assert Transaction.objects.count() == 2
    with pytest.raises(Exception, match="cannot import"):
        import_file(org.rep, "transactions", path)


def test_pages_from_upload_to_result(org, client, tmp_path):
    client.force_login(org.rep)
    path = write_csv(tmp_path / "客户.csv", [["公司", "联系电话", "备注"],
                                           ["页面导入有限公司", "13812345678", "=1+1"],
                                           ["", "13812345679", ""]], "gb18030")
    with path.open("rb") as f:
        response = client.post(reverse("integrations:imports"),
                               {"kind": "customers", "policy": "skip", "file": f})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("integrations:import_detail", args=[job.pk])
    # The upload only stores the file: the page polls while the worker reads it.
    page = client.get(response["Location"]).content.decode()
    progress_url = reverse("integrations:import_progress", args=[job.pk])
    assert "Reading the file" in page and f'hx-get="{progress_url}"' in page
    assert "HX-Refresh" not in client.get(progress_url).headers
    job = imports.read(job.pk)
    assert client.get(progress_url)["HX-Refresh"] == "true"
    page = client.get(response["Location"]).content.decode()
    assert "gb18030" in page and "页面导入有限公司" in page and "Rejected" in page
    assert 'name="col_1"' in page
    response = client.post(reverse("integrations:import_mapping", args=[job.pk]),
                           {"col_0": "name", "col_1": "phone", "col_2": "description",
                            "version": job.version, "template_name": "通讯录"})
    job.refresh_from_db()
    assert job.mapping == {"0": "name", "1": "phone", "2": "description"}
    assert MappingTemplate.objects.get().mapping == {"公司": "name", "联系电话": "phone",
                                                     "备注": "description"}
    before, queue.immediate = queue.immediate, True
    try:
        with pytest.MonkeyPatch.context() as mp:
            # Tasks run inline and the test's transaction never commits: run on_commit now.
            mp.setattr("django.db.transaction.on_commit", lambda fn, *a, **k: fn())
            client.post(reverse("integrations:import_confirm", args=[job.pk]),
                        {"version": job.version})
    finally:
        queue.immediate = before
    job.refresh_from_db()
    assert (job.status, job.imported, job.rejected) == ("done", 1, 1)
    assert Account.objects.get().description == "=1+1"
    page = client.get(reverse("integrations:import_detail", args=[job.pk])).content.decode()
    assert reverse("integrations:import_rejected", args=[job.pk]) in page
    progress = client.get(reverse("integrations:import_progress", args=[job.pk]))
    assert "2 of 2 rows" in progress.content.decode()
    listing = client.get(reverse("integrations:imports")).content.decode()
    assert "客户.csv" in listing


def test_bad_upload_is_explained(org, client, tmp_path):
    client.force_login(org.rep)
    path = tmp_path / "x.pdf"
    path.write_bytes(b"%PDF-1.4")
    with path.open("rb") as f:
        response = client.post(reverse("integrations:imports"),
                               {"kind": "customers", "policy": "skip", "file": f})
    assert response.status_code == 400
    assert "Upload a CSV or XLSX file." in response.content.decode()
    assert not ImportJob.objects.exists()
