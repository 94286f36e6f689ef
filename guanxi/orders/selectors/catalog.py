"""Reading the catalogue: product search and the price a customer pays.

Every signed-in member of staff may read products and price lists; only what a product costs
us is restricted (``permissions.can_see_cost``).

Which price applies: among the active price lists in the currency that are valid on the day
(an empty bound is open), a list for a customer group the customer belongs to wins over a
general one, then the list that started latest. Within a list, the price with the largest
"from quantity" not above the quantity ordered applies. A list without a price for the
product (at that quantity) is passed over for the next one. With no list at all, the
product's list price applies when it is in that currency."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import DomainError
from guanxi.customers.models import Account
from guanxi.orders.models import CustomerGroup, PriceList, PriceListItem, Product

# PriceQuote.source: where the price came from.
GROUP_PRICE_LIST = "group_price_list"
PRICE_LIST = "price_list"
LIST_PRICE = "list_price"

PICKER_LIMIT = 20


@dataclass(frozen=True)
class PriceQuote:
    unit_price: Decimal
    price_list: PriceList | None
    source: str


def today() -> dt.date:
    return timezone.localdate()


def _candidate_items(account: Account | None, product_ids: Iterable[int], currency: str,
                     on: dt.date) -> QuerySet[PriceListItem]:
    """Every price that could apply, in one query (the customer's groups are a subquery)."""
    lists = Q(price_list__group__isnull=True)
    if account is not None and account.pk:
        lists |= Q(price_list__group_id__in=CustomerGroup.objects.filter(
            accounts=account).values("pk"))
    return (PriceListItem.objects
            .filter(lists, product_id__in=list(product_ids), price_list__active=True,
                    price_list__currency=currency.upper())
            .filter(Q(price_list__valid_from__isnull=True) | Q(price_list__valid_from__lte=on))
            .filter(Q(price_list__valid_until__isnull=True)
                    | Q(price_list__valid_until__gte=on))
            .select_related("price_list"))


def _rank(price_list: PriceList) -> tuple:
    """Higher ranks first: group lists, then the latest start (an open start is earliest)."""
    return (price_list.group_id is not None, price_list.valid_from or dt.date.min,
            price_list.pk)


def _pick(items: list[PriceListItem], quantity: Decimal) -> PriceQuote | None:
    by_list: dict[int, list[PriceListItem]] = defaultdict(list)
    for item in items:
        if item.min_quantity <= quantity:
            by_list[item.price_list_id].append(item)
    if not by_list:
        return None
    best = max(by_list.values(), key=lambda rows: _rank(rows[0].price_list))
    item = max(best, key=lambda i: i.min_quantity)
    source = GROUP_PRICE_LIST if item.price_list.group_id else PRICE_LIST
    return PriceQuote(item.unit_price, item.price_list, source)


def _fallback(product: Product, currency: str) -> PriceQuote | None:
    if product.currency.upper() == currency.upper():
        return PriceQuote(product.list_price, None, LIST_PRICE)
    return None


def _no_price(product: Product, currency: str) -> DomainError:
    return DomainError(_("%(product)s has no price in %(currency)s.")
                       % {"product": product.code, "currency": currency.upper()},
                       field="currency", code="no_price")


def price_for(account: Account | None, product: Product, *, currency: str = "CNY",
              quantity: Decimal = Decimal("1"), on: dt.date | None = None) -> PriceQuote:
    """The unit price ``account`` (None: any customer) pays for ``quantity`` of ``product``
    on day ``on`` (default today); DomainError(field="currency") when there is none."""
    items = list(_candidate_items(account, [product.pk], currency, on or today()))
    quote = _pick(items, Decimal(quantity)) or _fallback(product, currency)
    if quote is None:
        raise _no_price(product, currency)
    return quote


def prices_for(account: Account | None, products: Iterable[Product], currency: str = "CNY",
               on: dt.date | None = None, *, quantity: Decimal = Decimal("1"),
               quantities: dict[int, Decimal] | None = None) -> dict[int, PriceQuote]:
    """``price_for`` for many products at once in a constant number of queries, keyed by
    product id. ``quantities`` (product id → quantity) overrides ``quantity`` per product.
    A product without any price in the currency is left out of the answer."""
    products = list(products)
    if not products:
        return {}
    grouped: dict[int, list[PriceListItem]] = defaultdict(list)
    for item in _candidate_items(account, [p.pk for p in products], currency, on or today()):
        grouped[item.product_id].append(item)
    quantities = quantities or {}
    out: dict[int, PriceQuote] = {}
    for product in products:
        qty = Decimal(quantities.get(product.pk, quantity))
        quote = _pick(grouped.get(product.pk, []), qty) or _fallback(product, currency)
        if quote is not None:
            out[product.pk] = quote
    return out


def customer_discount(account: Account | None) -> Decimal:
    """The customer's approved discount rate in percent (0 for no customer): the discount a
    quote may give without further approval."""
    return account.discount_rate if account is not None else Decimal("0")


# --- Products and lists ----------------------------------------------------------------------

def search_products(query: str = "", *, kind: str | None = None,
                    active: bool | None = None) -> QuerySet[Product]:
    """Products by code or name (Chinese or English), case-insensitive."""
    qs = Product.objects.all()
    query = (query or "").strip()
    if query:
        qs = qs.filter(Q(code__icontains=query) | Q(name_zh__icontains=query)
                       | Q(name_en__icontains=query))
    if kind:
        qs = qs.filter(kind=kind)
    if active is not None:
        qs = qs.filter(active=active)
    return qs


def active_products(query: str = "") -> list[Product]:
    """What the quote editor's product picker offers: active products matching ``query``,
    exact code first, at most 20."""
    rows = list(search_products(query, active=True).order_by("code")[:PICKER_LIMIT * 3])
    code = (query or "").strip().upper()
    rows.sort(key=lambda p: (p.code != code, not p.code.startswith(code), p.code))
    return rows[:PICKER_LIMIT]


def price_lists(*, currency: str | None = None, group: int | None = None,
                active: bool | None = None) -> QuerySet[PriceList]:
    qs = PriceList.objects.select_related("group")
    if currency:
        qs = qs.filter(currency=currency.upper())
    if group:
        qs = qs.filter(group_id=group)
    if active is not None:
        qs = qs.filter(active=active)
    return qs


def price_list_items(price_list: PriceList) -> QuerySet[PriceListItem]:
    return price_list.items.select_related("product").order_by("product__code", "min_quantity")


def customer_groups() -> QuerySet[CustomerGroup]:
    """Every group with its number of members (``n_members``)."""
    return CustomerGroup.objects.annotate(n_members=Count("accounts"))


def group_members(user, group: CustomerGroup,
                  limit: int | None = None) -> tuple[list[Account], int, int]:
    """Up to ``limit`` members ``user`` may see (by name), how many they may see in all, and
    how many others the group has."""
    visible = Account.objects.visible_to(user).filter(price_groups=group).order_by("name")
    rows = list(visible[:limit] if limit else visible)
    seen = len(rows) if not limit or len(rows) < limit else visible.count()
    return rows, seen, max(0, group.accounts.count() - seen)
