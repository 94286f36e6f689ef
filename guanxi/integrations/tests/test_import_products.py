"""Importing products: headers in Chinese suggest the fields, the code is the natural key,
rows go through the catalogue services (validation and audit), and only those who may change
the catalogue may import it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from guanxi.core.models import AuditEntry
from guanxi.integrations.services.imports_kinds import get_kind, suggest_mapping
from guanxi.integrations.tests.imports_fixtures import (  # noqa: F401
    import_file,
    rejected_rows,
    var_dir,
    write_csv,
    write_xlsx,
)
from guanxi.orders.models import Product
from guanxi.orders.services import catalog as svc
from guanxi.orders.services.catalog import ProductInput

P = ProductInput.parse

pytestmark = pytest.mark.usefixtures("var_dir")

HEADER = ["产品编码", "产品名称", "英文名称", "单位", "单价", "成本", "税率", "类型"]


def test_headers_suggest_the_fields():
    mapping = suggest_mapping(get_kind("products"), HEADER)
    assert [mapping[str(i)] for i in range(len(HEADER))] == [
        "code", "name_zh", "name_en", "unit", "list_price", "cost", "tax_rate", "kind"]


def test_products_from_a_spreadsheet(org, tmp_path):
    svc.create_product(org.admin, P({"code": "TR-100", "name_zh": "变压器", "list_price": "1"}))
    path = write_xlsx(tmp_path / "products.xlsx", [
        HEADER,
        ["sg-1", "高压开关柜", "Switchgear", "台", "¥78,000", "52000", "13%", "定制"],
        ["SV-1", "安装调试服务", None, "次", "3000", None, 0.06, "库存"],
        ["TR-100", "变压器（新）", None, "台", "1200", None, None, None],
        ["SG-1", "重复行", None, "台", "1", None, None, None],
        ["BAD-1", "负价格", None, "台", "-5", None, None, None],
        ["", "无编码", None, "台", "5", None, None, None],
        ["BAD-2", "错误类型", None, "台", "5", None, None, "服务"],
    ])
    job = import_file(org.manager, "products", path)
    assert (job.total, job.imported, job.updated, job.skipped, job.rejected) == (7, 2, 0, 1, 4)
    sg = Product.objects.get(code="SG-1")
    assert (sg.name_en, sg.list_price, sg.cost, sg.tax_rate, sg.kind) == (
        "Switchgear", Decimal("78000.00"), Decimal("52000.00"), Decimal("13.00"),
        Product.Kind.MADE_TO_ORDER)
    sv = Product.objects.get(code="SV-1")
    assert (sv.tax_rate, sv.unit, sv.kind) == (Decimal("6.00"), "次", Product.Kind.STOCK)
    reasons = [r[-1] for r in rejected_rows(job)[1:]]
    # TR-100, already in the catalogue, is skipped: not a row to fix.
    assert not any("TR-100 already exists" in r for r in reasons)
    assert "Duplicate of row 1" in reasons[0]
    assert "cannot be negative" in reasons[1]
    assert "Product code: This field is required." in reasons[2]
    assert "stock or made to order" in reasons[3]
    assert AuditEntry.objects.filter(action="orders.product.created").count() == 3
    again = import_file(org.admin, "products", path, policy="update")
    assert (again.imported, again.updated) == (0, 3)
    assert Product.objects.get(code="TR-100").list_price == Decimal("1200.00")


def test_only_catalogue_editors_import_products(org, tmp_path):
    path = write_csv(tmp_path / "p.csv", [HEADER, ["X-1", "产品", "", "件", "1", "", "", ""]])
    with pytest.raises(Exception, match="cannot import"):
        import_file(org.rep, "products", path)
    assert not Product.objects.exists()
