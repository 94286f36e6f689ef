"""Exporting lists: scope and filters, CSV with BOM and XLSX, formula neutralising, the audit
entry, and the round trip export → import into an empty database."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from guanxi.core.models import AuditEntry
from guanxi.core.tests.api_client import as_
from guanxi.customers.models import Account
from guanxi.integrations.services.exports import neutralise, restore
from guanxi.integrations.tests.imports_fixtures import import_file, var_dir  # noqa: F401


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


@pytest.fixture
def customers(org, make_account):
    mine = make_account(by=org.rep, name="上海明珠机电有限公司", phone="13812345678",
                        industry="manufacturing", email="a@mingzhu.cn",
                        registration_id="91310000MA1FL8TQ7J",
                        contacts=[{"name": "张三", "mobile": "13912345678"}])
    formula = make_account(by=org.rep, name="=HYPERLINK(\"http://evil\",\"x\")",
                           industry="it", description="@SUM(A1:A9)")
    theirs = make_account(by=org.other_rep, name="深圳华强电子有限公司", industry="it")
    return mine, formula, theirs


def test_neutralise_and_restore():
    for text in ("=1+1", "+8613812345678", "-2", "@x", "\tx", "\rx"):
        assert neutralise(text) == "'" + text
        assert restore(neutralise(text)) == text
    assert neutralise("张三") == "张三" and neutralise(5) == 5
    assert restore("'quoted") == "'quoted"


def test_csv_export_has_the_reps_scope_and_neutralised_formulas(org, customers):
    mine, formula, theirs = customers
    response = as_(org.rep).get("/data/exports/customers/", format="csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    names = [r[0] for r in rows[1:]]
    assert rows[0][0] == "Customer name"
    assert sorted(names) == sorted([mine.name, "'" + formula.name])
    assert theirs.name not in names
    by_name = {r[0]: r for r in rows[1:]}
    phone_col = rows[0].index("Phone")
    assert by_name[mine.name][phone_col] == "'+8613812345678"  # readable, never a formula
    assert "'@SUM(A1:A9)" in by_name["'" + formula.name]
    entry = AuditEntry.objects.get(action="integrations.exported")
    assert entry.actor == org.rep and entry.data["rows"] == 2
    assert entry.data["list"] == "customers" and entry.data["format"] == "csv"


def test_filters_of_the_page_apply(org, customers):
    rows = _csv(as_(org.manager).get("/data/exports/customers/", industry="it",
                                     format="csv"))
    assert [r[0] for r in rows[1:]] == ["'=HYPERLINK(\"http://evil\",\"x\")"]
    entry = AuditEntry.objects.filter(action="integrations.exported").latest("id")
    assert entry.data["filters"] == {"industry": "it"}
    everyone = _csv(as_(org.admin).get("/data/exports/customers/"))
    assert len(everyone) == 4
    assert as_(org.rep).get("/data/exports/customers/", below="x").status_code == 400
    assert as_(org.rep).get("/data/exports/nothing/").status_code == 400


def test_xlsx_export(org, customers):
    mine, formula, _theirs = customers
    response = as_(org.rep).get("/data/exports/customers/", format="xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = [list(r) for r in book.active.iter_rows(values_only=True)]
    assert rows[0][0] == "Customer name"
    cells = {r[0] for r in rows[1:]}
    assert cells == {mine.name, "'" + formula.name}
    # Written as text cells: nothing in the workbook is a formula.
    assert all(c.data_type != "f" for row in book.active.iter_rows() for c in row)


def test_contacts_export_and_audit(org, customers):
    rows = _csv(as_(org.rep).get("/data/exports/contacts/"))
    assert [r[2] for r in rows[1:]] == ["张三"]
    assert rows[1][rows[0].index("Mobile")] == "'+8613912345678"
    assert AuditEntry.objects.filter(action="integrations.exported",
                                     object_type="customers.contact").count() == 1


def test_round_trip_into_an_empty_database(org, customers, var_dir, tmp_path):  # noqa: F811
    mine, formula, _theirs = customers
    response = as_(org.rep).get("/data/exports/customers/")
    path = tmp_path / "export.csv"
    path.write_bytes(b"".join(response.streaming_content))
    before = {a.name: a for a in Account.objects.filter(owner=org.rep)}
    Account.objects.all().delete()
    job = import_file(org.rep, "customers", path)
    assert (job.total, job.imported, job.rejected) == (2, 2, 0)
    after = {a.name: a for a in Account.objects.all()}
    assert after.keys() == before.keys()
    fields = ("kind", "registration_id", "industry", "phone", "email", "description", "owner_id")
    for name, old in before.items():
        new = after[name]
        assert [getattr(new, f) for f in fields] == [getattr(old, f) for f in fields]
    again = after[mine.name].contacts.get()
    assert (again.name, again.mobile) == ("张三", "+8613912345678")


def test_customer_list_page_offers_the_export_with_its_filters(org, customers, client):
    client.force_login(org.rep)
    page = client.get("/customers/?industry=it").content.decode()
    assert 'href="/data/exports/customers/?format=csv&amp;industry=it"' in page
    assert 'href="/data/exports/customers/?format=xlsx&amp;industry=it"' in page


def test_customer_export_keeps_the_standing_and_value_filters(org, customers):
    """``standing`` and the customer-value filters narrow the export as they narrow the list
    page and the API."""
    mine, formula, _theirs = customers
    Account.objects.filter(pk=mine.pk).update(standing="customer")
    rows = _csv(as_(org.rep).get("/data/exports/customers/", format="csv",
                                 standing="customer"))
    assert [r[0] for r in rows[1:]] == [mine.name]
    rows = _csv(as_(org.rep).get("/data/exports/customers/", format="csv",
                                 standing="prospect"))
    assert [r[0] for r in rows[1:]] == ["'" + formula.name]
    # No analysis has run: a value filter matches nobody (it used to be dropped).
    rows = _csv(as_(org.rep).get("/data/exports/customers/", format="csv", abc="A"))
    assert rows[1:] == []
    assert as_(org.rep).get("/data/exports/customers/", abc="Z").status_code == 400
