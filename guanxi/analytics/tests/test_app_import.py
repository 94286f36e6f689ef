"""Importing a transaction file: every bad row reported with its line and column; nothing
changes unless asked to skip them; rows with an id are imported once."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from guanxi.analytics.models import Transaction
from guanxi.analytics.services.imports import import_transactions
from guanxi.core.errors import DomainError, Forbidden

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(org, make_account):
    a = make_account(by=org.rep, name="上海明珠机电有限公司", registration_id="91310000MA1FL0XQ3D")
    b = make_account(by=org.other_rep, name="深圳湾电子有限公司")
    return a, b


def _csv(*lines: str) -> bytes:
    return ("\n".join(("customer,date,amount,cost,id",) + lines) + "\n").encode()


def test_bad_rows_are_each_reported_and_nothing_is_imported(org, customers):
    a, _b = customers
    data = _csv(f"{a.pk},2026-03-01,100.00,70,SO-1",
                f"{a.pk},2026-03-02,-5,,SO-2",
                "没有这个客户有限公司,2026-03-03,10,,SO-3",
                f"{a.pk},2026-13-40,10,,SO-4",
                f"{a.pk},2026-03-05,abc,,SO-5")
    report = import_transactions(org.admin, data)
    assert [(e.line, e.field) for e in report.errors] == [
        (3, "amount"), (4, "customer"), (5, "date"), (6, "amount")]
    assert "没有这个客户有限公司" in report.errors[1].message
    assert report.added == 0 and not Transaction.objects.exists()


def test_skip_errors_imports_the_good_rows_once(org, customers):
    a, b = customers
    data = _csv(f"{a.pk},2026-03-01,100.00,70,SO-1",
                "91310000MA1FL0XQ3D,2026/03/02,\"1,200.50\",,SO-2",
                "深圳湾电子有限公司,20260303,88,,SO-3",
                f"{a.pk},2026-03-04,-1,,SO-4")
    report = import_transactions(org.admin, data, skip_errors=True)
    assert (report.added, report.skipped, len(report.errors)) == (3, 0, 1)
    assert Transaction.objects.get(external_id="SO-2").amount == Decimal("1200.50")
    assert Transaction.objects.get(external_id="SO-2").cost is None
    assert Transaction.objects.get(external_id="SO-3").account == b
    again = import_transactions(org.admin, data, skip_errors=True)
    assert (again.added, again.skipped) == (0, 3)
    assert Transaction.objects.count() == 3


def test_a_name_two_customers_share_is_refused(org, customers):
    from guanxi.customers.models import Account

    # Two records of one name (as an old import may leave them): the name cannot decide.
    Account.objects.create(name="深圳湾电子有限公司", name_key="深圳湾电子有限公司")
    report = import_transactions(org.admin, _csv("深圳湾电子有限公司,2026-03-03,88,,X"))
    assert report.errors[0].field == "customer" and "Several" in report.errors[0].message


def test_wrong_header_and_roles_are_refused(org, customers):
    with pytest.raises(DomainError) as exc:
        import_transactions(org.admin, b"name,when,value\nx,y,z\n")
    assert exc.value.field == "file"
    with pytest.raises(Forbidden):
        import_transactions(org.rep, _csv())


def test_gb18030_files_are_read(org, customers):
    data = "客户,日期,金额\n深圳湾电子有限公司,2026-03-03,88\n".encode("gb18030")
    assert import_transactions(org.admin, data).added == 1


def test_import_page_shows_the_report(org, customers):
    a, _b = customers
    client = Client()
    client.force_login(org.finance)
    upload = SimpleUploadedFile("t.csv", _csv(f"{a.pk},2026-03-01,100,,A",
                                              f"{a.pk},2026-03-02,-5,,B"))
    page = client.post("/analytics/import/", {"file": upload}).content.decode()
    assert "Must be more than zero." in page and "nothing was imported" in page
    assert not Transaction.objects.exists()


def test_import_command(org, customers, tmp_path):
    a, _b = customers
    path = tmp_path / "t.csv"
    path.write_bytes(_csv(f"{a.pk},2026-03-01,100,,A"))
    out = StringIO()
    call_command("analytics", "import", str(path), stdout=out)
    assert "1 transactions added" in out.getvalue()
    assert Transaction.objects.get().source == Transaction.Source.IMPORT


def test_an_oversize_or_broken_file_is_refused_at_the_field(org, customers, settings):
    settings.GUANXI_UPLOAD_MAX_MB = 1
    client = Client()
    client.force_login(org.finance)
    big = SimpleUploadedFile("t.csv", _csv(*["x,2026-03-01,1,,"] * 80_000))
    response = client.post("/analytics/import/", {"file": big})
    assert "larger than 1 MB" in response.context["form"].errors["file"][0]
    settings.GUANXI_UPLOAD_MAX_MB = 3
    broken = SimpleUploadedFile("t.csv", _csv("a,2026-03-01,1,," + "x" * 1_100_000))
    response = client.post("/analytics/import/", {"file": broken})
    assert "not valid CSV" in response.context["form"].errors["file"][0]
    assert not Transaction.objects.exists()
