"""API: products, price lists, customer groups and the price a customer pays.

Everyone signed in reads the catalogue; administrators and sales managers change it (the
services decide). What a product costs us is null for anyone but administrators, managers,
finance and executives. Edits take the ``version`` the caller read (409 when stale).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from guanxi.core.access import get_visible
from guanxi.core.schemas import Id, Version
from guanxi.core.selectors import keyset_page
from guanxi.customers.models import Account
from guanxi.orders import permissions as perms
from guanxi.orders.models import CustomerGroup, PriceList, Product
from guanxi.orders.selectors import catalog as sel
from guanxi.orders.services import catalog as svc

router = Router(tags=["Products and prices"])


class In(Schema):
    model_config = ConfigDict(extra="forbid")


# --- Shapes ----------------------------------------------------------------------------------

class ProductOut(Schema):
    id: int
    code: str
    name_zh: str
    name_en: str
    label: str
    description: str
    unit: str
    list_price: Decimal
    cost: Decimal | None = Field(
        description="Unit cost; null unless you are an administrator, manager, finance or "
                    "executive")
    currency: str
    tax_rate: Decimal
    kind: Literal["stock", "made_to_order"]
    active: bool
    version: int
    updated_at: dt.datetime

    @staticmethod
    def resolve_cost(obj: Product, context: dict) -> Decimal | None:
        return obj.cost if perms.can_see_cost(context["request"].auth) else None


class ProductPage(Schema):
    items: list[ProductOut]
    next: str | None = Field(description="Cursor of the next page; null on the last one")


class ProductIn(In):
    code: str
    name_zh: str
    name_en: str = ""
    description: str = ""
    unit: str = "件"
    list_price: Decimal = Decimal("0")
    cost: Decimal = Decimal("0")
    currency: str = "CNY"
    tax_rate: Decimal = Field(Decimal("13"), description="VAT rate in percent, 0–100")
    kind: Literal["stock", "made_to_order"] = "stock"
    active: bool = True


class ProductPatch(In):
    version: Version
    code: str | None = None
    name_zh: str | None = None
    name_en: str | None = None
    description: str | None = None
    unit: str | None = None
    list_price: Decimal | None = None
    cost: Decimal | None = None
    currency: str | None = None
    tax_rate: Decimal | None = None
    kind: Literal["stock", "made_to_order"] | None = None
    active: bool | None = None


class ProductFilters(Schema):
    q: str | None = Field(None, description="Part of the code or the Chinese or English name")
    kind: Literal["stock", "made_to_order"] | None = None
    active: bool | None = None
    sort: Literal["code", "-code", "name_zh", "-name_zh", "updated_at", "-updated_at"] = "code"
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


class PriceOut(Schema):
    product_id: int
    account_id: int | None
    currency: str
    quantity: Decimal
    on: dt.date
    unit_price: Decimal
    source: Literal["group_price_list", "price_list", "list_price"]
    price_list_id: int | None
    price_list_name: str | None
    discount_rate: Decimal = Field(description="The customer's approved discount rate (%)")


class GroupRef(Schema):
    id: int
    name: str


class ItemOut(Schema):
    id: int
    product_id: int
    product_code: str
    product_name: str
    unit_price: Decimal
    min_quantity: Decimal

    @staticmethod
    def resolve_product_code(obj) -> str:
        return obj.product.code

    @staticmethod
    def resolve_product_name(obj) -> str:
        return obj.product.label


class ItemIn(In):
    product_id: Id
    unit_price: Decimal
    min_quantity: Decimal = Decimal("1")


class PriceListOut(Schema):
    id: int
    name: str
    currency: str
    group: GroupRef | None = Field(description="null: for every customer")
    valid_from: dt.date | None
    valid_until: dt.date | None
    active: bool
    version: int


class PriceListDetail(PriceListOut):
    items: list[ItemOut]

    @staticmethod
    def resolve_items(obj: PriceList) -> list:
        return list(sel.price_list_items(obj))


class PriceListPage(Schema):
    items: list[PriceListOut]
    next: str | None


class PriceListIn(In):
    name: str
    currency: str = "CNY"
    group_id: Id | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    active: bool = True
    items: list[ItemIn] = []


class PriceListPatch(In):
    version: Version
    name: str | None = None
    currency: str | None = None
    group_id: Id | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    active: bool | None = None
    items: list[ItemIn] | None = Field(None, description="Replaces every price of the list")


class PriceListFilters(Schema):
    currency: str | None = None
    group: Id | None = None
    active: bool | None = None
    sort: Literal["name", "-name", "valid_from", "-valid_from"] = "name"
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


class GroupMemberOut(Schema):
    id: int
    name: str


class GroupOut(Schema):
    id: int
    name: str
    member_count: int = Field(description="All members, also those you cannot see")


class GroupDetail(GroupOut):
    members: list[GroupMemberOut] = Field(description="The members you may see")
    hidden_members: int = Field(description="Members at customers you cannot see")


class GroupIn(In):
    name: str
    account_ids: list[Id] = []


class GroupPatch(In):
    name: str | None = None
    add_account_ids: list[Id] = []
    remove_account_ids: list[Id] = []
    account_ids: list[Id] | None = Field(
        None, description="The members you can see become exactly these (others stay)")


# --- Products --------------------------------------------------------------------------------

@router.get("/products", response=ProductPage)
def list_products(request: HttpRequest, filters: Query[ProductFilters]):
    """Products by code or name, kind and active; keyset pages: follow `next`."""
    qs = sel.search_products(filters.q or "", kind=filters.kind, active=filters.active)
    page = keyset_page(qs, filters.sort, filters.cursor, filters.limit)
    return {"items": page.items, "next": page.next}


@router.post("/products", response={201: ProductOut})
def create_product(request: HttpRequest, payload: ProductIn):
    """A new product (administrators and sales managers)."""
    return Status(201, svc.create_product(request.auth, svc.ProductInput(**payload.model_dump())))


@router.get("/products/{product_id}", response=ProductOut)
def get_product(request: HttpRequest, product_id: Id):
    return get_visible(Product.objects.all(), pk=product_id)


@router.patch("/products/{product_id}", response=ProductOut)
def update_product(request: HttpRequest, product_id: Id, payload: ProductPatch):
    """Change a product; `active: false` deactivates it (quotes and orders keep it)."""
    product = get_visible(Product.objects.all(), pk=product_id)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    return svc.update_product(request.auth, product, svc.ProductInput(**data), version)


@router.get("/products/{product_id}/price", response=PriceOut)
def product_price(request: HttpRequest, product_id: Id, account_id: Id | None = None,
                  currency: str = "CNY", quantity: Decimal = Decimal("1"),
                  on: dt.date | None = None):
    """The unit price a customer (none: any customer) pays for a quantity on a day (default
    today), and where it comes from; 400 with `field: currency` when there is none."""
    product = get_visible(Product.objects.all(), pk=product_id)
    account = get_visible(Account.objects.visible_to(request.auth), pk=account_id) \
        if account_id is not None else None
    day = on or sel.today()
    quote = sel.price_for(account, product, currency=currency, quantity=quantity, on=day)
    return {"product_id": product.pk, "account_id": account_id, "currency": currency.upper(),
            "quantity": quantity, "on": day, "unit_price": quote.unit_price,
            "source": quote.source,
            "price_list_id": quote.price_list.pk if quote.price_list else None,
            "price_list_name": quote.price_list.name if quote.price_list else None,
            "discount_rate": sel.customer_discount(account)}


# --- Price lists -----------------------------------------------------------------------------

def _list_data(data: dict[str, Any]) -> svc.PriceListInput:
    if "group_id" in data:
        data["group"] = data.pop("group_id")
    return svc.PriceListInput(**data)


def _items(rows: list[dict] | None) -> list[svc.PriceItemInput] | None:
    if rows is None:
        return None
    return [svc.PriceItemInput(product=r["product_id"], unit_price=r["unit_price"],
                               min_quantity=r.get("min_quantity", Decimal("1"))) for r in rows]


@router.get("/price-lists", response=PriceListPage)
def list_price_lists(request: HttpRequest, filters: Query[PriceListFilters]):
    """Price lists by currency, customer group and active; keyset pages."""
    qs = sel.price_lists(currency=filters.currency, group=filters.group,
                         active=filters.active)
    page = keyset_page(qs, filters.sort, filters.cursor, filters.limit)
    return {"items": page.items, "next": page.next}


@router.post("/price-lists", response={201: PriceListDetail})
def create_price_list(request: HttpRequest, payload: PriceListIn):
    """A price list with its prices; a bad row is named (`items.<n>.<field>`) and nothing is
    saved."""
    data = payload.model_dump()
    items = _items(data.pop("items"))
    price_list = svc.create_price_list(request.auth, _list_data(data), items=items or [])
    return Status(201, price_list)


@router.get("/price-lists/{price_list_id}", response=PriceListDetail)
def get_price_list(request: HttpRequest, price_list_id: Id):
    return get_visible(sel.price_lists(), pk=price_list_id)


@router.patch("/price-lists/{price_list_id}", response=PriceListDetail)
def update_price_list(request: HttpRequest, price_list_id: Id, payload: PriceListPatch):
    """Change the list's terms and, with `items`, replace all its prices in one step."""
    price_list = get_visible(sel.price_lists(), pk=price_list_id)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    items = _items(data.pop("items", None))
    svc.update_price_list(request.auth, price_list, _list_data(data), version, items=items)
    return get_visible(sel.price_lists(), pk=price_list_id)


# --- Customer groups -------------------------------------------------------------------------

def _group_detail(request: HttpRequest, group: CustomerGroup) -> dict[str, Any]:
    members, seen, hidden = sel.group_members(request.auth, group)
    return {"id": group.pk, "name": group.name, "member_count": seen + hidden,
            "members": [{"id": a.pk, "name": a.name} for a in members],
            "hidden_members": hidden}


@router.get("/customer-groups", response=list[GroupOut])
def list_customer_groups(request: HttpRequest):
    """Every customer group with its size."""
    return [{"id": g.pk, "name": g.name, "member_count": g.n_members}
            for g in sel.customer_groups()]


@router.post("/customer-groups", response={201: GroupDetail})
def create_customer_group(request: HttpRequest, payload: GroupIn):
    """A customer group with its first members (customers you may see)."""
    group = svc.create_customer_group(request.auth, payload.name, payload.account_ids)
    return Status(201, _group_detail(request, group))


@router.get("/customer-groups/{group_id}", response=GroupDetail)
def get_customer_group(request: HttpRequest, group_id: Id):
    """A group with the members you may see."""
    return _group_detail(request, get_visible(CustomerGroup.objects.all(), pk=group_id))


@router.patch("/customer-groups/{group_id}", response=GroupDetail)
def update_customer_group(request: HttpRequest, group_id: Id, payload: GroupPatch):
    """Rename; add or remove members, or give the full list of the members you can see."""
    group = get_visible(CustomerGroup.objects.all(), pk=group_id)
    svc.update_customer_group(request.auth, group, name=payload.name,
                              add=payload.add_account_ids, remove=payload.remove_account_ids,
                              accounts=payload.account_ids)
    return _group_detail(request, group)
