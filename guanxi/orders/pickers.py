"""The product and document pickers (``guanxi.core.pickers``): active products by code or
name; quotes, contracts, orders and invoices the user may see by number or by their customer's
name, pinyin, initials or phone."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy

from guanxi.accounts.models import User
from guanxi.core.pickers import Choice, PickerKind, by_id, register
from guanxi.orders.selectors.catalog import active_products
from guanxi.orders.selectors.search import _models, search_documents


def search_products(user: User, q: str, limit: int, params: Mapping[str, str]) -> list[Choice]:
    return [Choice(id=p.pk, label=f"{p.code} {p.label}",
                   detail=f"{p.list_price} {p.currency} / {p.unit}")
            for p in active_products(q)[:limit]]


def _find_product(user: User, raw: Any) -> Any:
    from guanxi.orders.models import Product

    return by_id(Product.objects.all(), raw) or Product.objects.filter(code=raw).first()


def _document_kind(kind: str, label: Any) -> PickerKind:
    def search(user: User, q: str, limit: int, params: Mapping[str, str]) -> list[Choice]:
        return [Choice(id=h.id, label=h.name, detail=f"{h.account_name} · {h.detail}",
                       url=h.url) for h in search_documents(user, q, limit, kinds=(kind,))]

    def find(user: User, raw: Any) -> Any:
        model = _models()[kind][0]
        return by_id(model.objects.visible_to(user), raw) \
            or model.objects.visible_to(user).filter(number=raw).first()

    return PickerKind(key=kind, label=label, search=search, find=find,
                      placeholder=gettext_lazy("Number, or the customer's name or pinyin"))


KINDS = (
    PickerKind(key="product", label=gettext_lazy("Product"), search=search_products,
               find=_find_product,
               describe=lambda p: Choice(id=p.pk, label=f"{p.code} {p.label}"),
               placeholder=gettext_lazy("Code or name of a product"), scoped=False),
    _document_kind("quote", gettext_lazy("Quote")),
    _document_kind("contract", gettext_lazy("Contract")),
    _document_kind("order", gettext_lazy("Sales order")),
    _document_kind("invoice", gettext_lazy("Invoice")),
)


def register_own() -> None:
    for kind in KINDS:
        register(kind)
