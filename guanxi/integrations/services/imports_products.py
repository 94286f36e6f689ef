"""Importing products (a catalogue from an ERP or a spreadsheet). The product code is the
natural key: the same code again is the same product, updated only when asked to. Rows are
written through the catalogue services, so validation and the audit trail are theirs: new
products a batch at a time (``catalog.create_products``), changed ones one by one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.accounts.models import Role, User
from guanxi.core.errors import DomainError, FieldErrors
from guanxi.integrations.services.imports_kinds import Item, Kind, RowError, Target, register
from guanxi.orders.models import Product
from guanxi.orders.services import catalog

T = Target
KIND_WORDS = {
    "stock": Product.Kind.STOCK, "库存": Product.Kind.STOCK, "现货": Product.Kind.STOCK,
    "标准品": Product.Kind.STOCK, "stock item": Product.Kind.STOCK,
    "made_to_order": Product.Kind.MADE_TO_ORDER, "made to order": Product.Kind.MADE_TO_ORDER,
    "定制": Product.Kind.MADE_TO_ORDER, "订制": Product.Kind.MADE_TO_ORDER,
    "按单生产": Product.Kind.MADE_TO_ORDER, "非标": Product.Kind.MADE_TO_ORDER,
}


def _money(text: str) -> str:
    return text.strip().replace("¥", "").replace("￥", "").replace(",", "")


def _rate(text: str) -> str:
    """13, 13%, 13.00 % or a spreadsheet percentage cell read as 0.13 — all 13 %."""
    cleaned = text.strip().replace("%", "").replace("％", "").strip()
    try:
        number = Decimal(cleaned)
    except ArithmeticError:
        return cleaned
    return str(number * 100) if 0 < number < 1 else cleaned


class Products(Kind):
    key = "products"
    label = gettext_lazy("Products")
    roles = (Role.MANAGER, Role.ADMIN)  # who may change the catalogue
    grows = (Product,)
    unique_keys = frozenset({"code"})
    targets = (
        T("code", gettext_lazy("Product code"), ("产品编码", "物料编码", "编码", "货号", "型号编码",
                                                 "code", "sku", "item code"), required=True),
        T("name_zh", gettext_lazy("Name (Chinese)"), ("产品名称", "品名", "中文名称", "名称",
                                                      "name"), required=True),
        T("name_en", gettext_lazy("Name (English)"), ("英文名称", "english name", "name en")),
        T("unit", gettext_lazy("Unit"), ("单位", "计量单位", "unit", "uom")),
        T("list_price", gettext_lazy("List price"), ("目录价", "标准价", "售价", "单价", "价格",
                                                     "list price", "price")),
        T("cost", gettext_lazy("Unit cost"), ("成本", "成本价", "单位成本", "cost")),
        T("currency", gettext_lazy("Currency"), ("币种", "货币", "currency")),
        T("tax_rate", gettext_lazy("VAT rate (%)"), ("税率", "增值税率", "增值税税率", "vat",
                                                     "tax rate")),
        T("kind", gettext_lazy("Kind"), ("类型", "产品类型", "kind", "type")),
        T("description", gettext_lazy("Description"), ("描述", "说明", "规格", "description")),
    )

    def clean(self, ctx: Any, values: dict[str, str]) -> dict[str, Any]:
        """Pure parsing (it may run in a worker process); the service checks the rest."""
        from guanxi.integrations.services.imports_customers import describe

        errors: dict[str, list[str]] = {}
        data: dict[str, Any] = {}
        for key in ("code", "name_zh", "name_en", "unit", "currency", "description"):
            text = (values.get(key) or "").strip()
            if text or key in ("code", "name_zh"):
                data[key] = text
        data["code"] = catalog.normalise_code(data["code"])
        for key in ("code", "name_zh"):
            if not data[key]:
                errors[key] = [_("This field is required.")]
        if values.get("list_price", "").strip():
            data["list_price"] = _money(values["list_price"])
        if values.get("cost", "").strip():
            data["cost"] = _money(values["cost"])
        if values.get("tax_rate", "").strip():
            data["tax_rate"] = _rate(values["tax_rate"])
        kind = (values.get("kind") or "").strip().lower()
        if kind:
            if kind not in KIND_WORDS:
                errors["kind"] = [_("Write stock or made to order (库存 / 定制).")]
            else:
                data["kind"] = KIND_WORDS[kind]
        if errors:
            raise RowError(describe(self, errors))
        return data

    def keys(self, data: dict[str, Any]) -> list[tuple[str, str]]:
        return [("code", data["code"])]

    def write(self, ctx: Any, actor: User, items: list[Item], policy: str,
              job_id: int) -> dict[str, Any]:
        from guanxi.integrations.services.imports_customers import describe

        codes = {i.data["code"] for i in items}
        existing = {p.code: p for p in Product.objects.filter(code__in=codes)}
        creates: list[Item] = []
        updated = []
        for item in items:
            if item.dup_of:
                item.error = _("Duplicate of row %(row)s in this file.") % {"row": item.dup_of[0]}
                continue
            old = existing.get(item.data["code"])
            if old is None:
                creates.append(item)
            elif policy != "update":
                item.outcome = "skipped"
                item.error = _("Product %(code)s already exists; skipped.") % {
                    "code": old.code}
            else:
                try:
                    catalog.update_product(actor, old, catalog.ProductInput.parse(item.data),
                                           old.version)
                except FieldErrors as exc:
                    item.error = describe(self, exc.errors)
                except DomainError as exc:
                    item.error = exc.message
                else:
                    item.outcome, item.object_id = "updated", old.pk
                    updated.append(old.pk)
        inputs = []
        for item in creates:
            try:
                inputs.append(catalog.ProductInput.parse(item.data))
            except FieldErrors as exc:
                item.error = describe(self, exc.errors)
        results = catalog.create_products(actor, inputs)
        created = 0
        for item, result in zip([i for i in creates if not i.error], results, strict=True):
            if isinstance(result, FieldErrors):
                item.error = describe(self, result.errors)
            else:
                item.outcome, item.object_id = "imported", result.pk
                created += 1
        return {"created": created, "updated": updated}


register(Products())
