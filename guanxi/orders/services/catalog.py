"""Products, customer groups and price lists: who may change them, what is valid, and the
audit trail. Prices are read through ``selectors.catalog.price_for``.

A product on a quote or an order is never deleted (the lines protect it): it is deactivated
and disappears from pickers and new price lists."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Self

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.core import audit
from guanxi.core.errors import Conflict, DomainError, FieldErrors, Forbidden
from guanxi.core.inputs import UNSET, Input
from guanxi.core.locking import save_versioned
from guanxi.core.models import AuditEntry
from guanxi.customers.models import Account
from guanxi.orders import permissions as perms
from guanxi.orders.models import CustomerGroup, PriceList, PriceListItem, Product

PRODUCT_FIELDS = ("code", "name_zh", "name_en", "description", "unit", "list_price", "cost",
                  "currency", "tax_rate", "kind", "active")
PRICE_LIST_FIELDS = ("name", "currency", "group", "valid_from", "valid_until", "active")
MAX_MONEY = Decimal("99999999999999.99")
MAX_QUANTITY = Decimal("99999999999.999")
DEFAULT_TAX_RATE = Decimal("13.00")  # the standard VAT rate on goods
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class ProductInput(Input):
    code: str | None = UNSET
    name_zh: str | None = UNSET
    name_en: str | None = UNSET
    description: str | None = UNSET
    unit: str | None = UNSET
    list_price: Decimal | None = UNSET
    cost: Decimal | None = UNSET
    currency: str | None = UNSET
    tax_rate: Decimal | None = UNSET
    kind: str | None = UNSET
    active: bool = UNSET


@dataclass(frozen=True)
class PriceListInput(Input):
    name: str | None = UNSET
    currency: str | None = UNSET
    group: CustomerGroup | int | None = UNSET
    valid_from: dt.date | None = UNSET
    valid_until: dt.date | None = UNSET
    active: bool = UNSET


@dataclass(frozen=True)
class PriceItemInput(Input):
    """One price: the product (a Product or its id, or ``product_code``), ``unit_price`` and
    ``min_quantity`` (default 1)."""

    product: Product | int | None = None
    product_code: str | None = None
    unit_price: Decimal | None = None
    min_quantity: Decimal | None = None

    @classmethod
    def rows(cls, rows: Iterable[Mapping[str, Any]]) -> list[Self]:
        """Rows as typed on a page or read from a file; an error names its row
        (``items.<n>.<field>``, counted from 0) and says its number as people count."""
        return cls.parse_rows(rows, "items.{n}.{field}",
                              lambda n: _("Row %(n)s") % {"n": n + 1})


def _require_editor(actor: User, message: str) -> None:
    if not perms.can_edit_catalog(actor):
        raise Forbidden(message)


# --- Cleaning input --------------------------------------------------------------------------

def _text(value: Any, limit: int) -> str:
    return str(value if value is not None else "").strip()[:limit]


def _in_range(number: Decimal | None, places: int, top: Decimal) -> Decimal:
    """A non-negative decimal rounded to ``places``; ValueError when it is not one."""
    if number is None:
        raise ValueError(_("Enter a number."))
    if number < 0:
        raise ValueError(_("This cannot be negative."))
    if number > top:
        raise ValueError(_("This number is too large."))
    return number.quantize(Decimal(1).scaleb(-places))


def _currency(value: Any) -> str:
    code = _text(value, 10).upper()
    if not CURRENCY_RE.match(code):
        raise ValueError(_("Enter a three-letter currency code such as CNY, USD or EUR."))
    return code


def normalise_code(value: Any) -> str:
    """Product codes compare as written without spaces around and in capitals."""
    return _text(value, 40).upper()


def _clean_product(values: ProductInput, product: Product | None, *,
                   check_code: bool = True) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    data = values.given()
    out: dict[str, Any] = {}
    creating = product is None
    if "code" in data or creating:
        out["code"] = normalise_code(data.get("code"))
        if not out["code"]:
            errors["code"] = [_("This field is required.")]
        elif len(str(data.get("code")).strip()) > 40:
            errors["code"] = [_("Use at most 40 characters.")]
        elif check_code:
            taken = Product.objects.filter(code__iexact=out["code"])
            if product is not None:
                taken = taken.exclude(pk=product.pk)
            if taken.exists():
                errors["code"] = [_("Another product already has this code.")]
    if "name_zh" in data or creating:
        out["name_zh"] = _text(data.get("name_zh"), 200)
        if not out["name_zh"]:
            errors["name_zh"] = [_("This field is required.")]
    for key, limit in (("name_en", 200), ("description", 5000), ("unit", 20)):
        if key in data:
            out[key] = _text(data[key], limit)
    if "unit" in out and not out["unit"]:
        errors["unit"] = [_("This field is required.")]
    for key in ("list_price", "cost"):
        if key in data and data[key] not in (None, ""):
            try:
                out[key] = _in_range(data[key], 2, MAX_MONEY)
            except ValueError as exc:
                errors[key] = [str(exc)]
    if "tax_rate" in data:
        try:
            out["tax_rate"] = _in_range(data["tax_rate"], 2, Decimal("100"))
        except ValueError:
            errors["tax_rate"] = [_("Enter a VAT rate from 0 to 100, e.g. 13, 9, 6 or 0.")]
    if "currency" in data:
        try:
            out["currency"] = _currency(data["currency"])
        except ValueError as exc:
            errors["currency"] = [str(exc)]
    if "kind" in data:
        if data["kind"] not in Product.Kind.values:
            errors["kind"] = [_("Choose one of the listed values.")]
        out["kind"] = data["kind"]
    if "active" in data:
        out["active"] = bool(data["active"])
    if errors:
        raise FieldErrors(errors)
    return out


# --- Products --------------------------------------------------------------------------------

def create_product(actor: User, data: ProductInput) -> Product:
    """A new product. ``code`` and ``name_zh`` are required, ``list_price`` defaults to 0,
    the VAT rate to 13 % and the currency to CNY."""
    _require_editor(actor, _("Only administrators and sales managers change products."))
    cleaned = _clean_product(data, None)
    cleaned.setdefault("tax_rate", DEFAULT_TAX_RATE)
    try:
        with transaction.atomic():
            product = Product.objects.create(**cleaned)
            audit.log(actor, "orders.product.created", product,
                      changes=audit.diff({}, {k: getattr(product, k) for k in PRODUCT_FIELDS}))
    except IntegrityError:  # the same code saved by someone else a moment ago
        raise FieldErrors({"code": [_("Another product already has this code.")]}) from None
    return product


def create_products(actor: User, inputs: Sequence[ProductInput],
                    ) -> list[Product | FieldErrors]:
    """Many new products at once (an import): each checked as ``create_product`` checks one,
    the codes taken looked up in one query, the valid ones written in one insert with an
    audit entry each. Returns, in order, the product or why it was not created; a code given
    twice is refused the second time."""
    _require_editor(actor, _("Only administrators and sales managers change products."))
    out: list[Product | FieldErrors] = []
    for data in inputs:
        try:
            cleaned = _clean_product(data, None, check_code=False)
        except FieldErrors as exc:
            out.append(exc)
            continue
        cleaned.setdefault("tax_rate", DEFAULT_TAX_RATE)
        out.append(Product(**cleaned))
    codes = {p.code for p in out if isinstance(p, Product)}
    taken = set(Product.objects.annotate(up=Upper("code")).filter(up__in=codes)
                .values_list("up", flat=True)) if codes else set()  # code__iexact, at once
    new: list[Product] = []
    for i, product in enumerate(out):
        if isinstance(product, Product):
            if product.code in taken:
                out[i] = FieldErrors({"code": [_("Another product already has this code.")]})
            else:
                taken.add(product.code)
                new.append(product)
    try:
        with transaction.atomic():
            Product.objects.bulk_create(new, batch_size=1000)
            AuditEntry.objects.bulk_create([AuditEntry(
                actor=actor, action="orders.product.created", object_type="orders.product",
                object_id=str(p.pk), object_repr=str(p)[:200],
                changes=audit.diff({}, {k: getattr(p, k) for k in PRODUCT_FIELDS}))
                for p in new], batch_size=1000)
    except IntegrityError:  # a code saved by someone else a moment ago: one by one then
        out = [_create_one(actor, data) for data in inputs]
    return out


def _create_one(actor: User, data: ProductInput) -> Product | FieldErrors:
    try:
        return create_product(actor, data)
    except FieldErrors as exc:
        return exc


def update_product(actor: User, product: Product, data: ProductInput,
                   version: int | None) -> Product:
    """Change a product as read at ``version`` (409 when someone changed it since)."""
    _require_editor(actor, _("Only administrators and sales managers change products."))
    cleaned = _clean_product(data, product)
    before = {k: getattr(product, k) for k in cleaned}
    try:
        with transaction.atomic():
            save_versioned(product, version, cleaned)
            audit.log(actor, "orders.product.updated", product,
                      changes=audit.diff(before, cleaned))
    except IntegrityError:
        raise FieldErrors({"code": [_("Another product already has this code.")]}) from None
    return product


def deactivate_product(actor: User, product: Product, version: int | None) -> Product:
    """Take a product out of pickers and new price lists; quotes and orders keep it."""
    return update_product(actor, product, ProductInput(active=False), version)


def delete_product(actor: User, product: Product) -> None:
    """Only a product no quote or order line ever used goes away; others are deactivated."""
    from guanxi.orders.models import OrderLine, QuoteLine

    _require_editor(actor, _("Only administrators and sales managers change products."))
    if QuoteLine.objects.filter(product=product).exists() or \
            OrderLine.objects.filter(product=product).exists():
        raise Conflict(_("Quotes or orders use this product: deactivate it instead."),
                       field="active", code="product_in_use")
    with transaction.atomic():
        audit.log(actor, "orders.product.deleted", product, data={"code": product.code})
        product.delete()


# --- Customer groups -------------------------------------------------------------------------

def _group_name(name: Any, group: CustomerGroup | None) -> str:
    cleaned = _text(name, 100)
    if not cleaned:
        raise DomainError(_("This field is required."), field="name")
    taken = CustomerGroup.objects.filter(name__iexact=cleaned)
    if group is not None:
        taken = taken.exclude(pk=group.pk)
    if taken.exists():
        raise DomainError(_("Another customer group has this name."), field="name")
    return cleaned


def _visible_accounts(actor: User, accounts: Iterable[Account | int | str]) -> list[Account]:
    """The customers named, each of which the actor must be able to see."""
    ids: list[int] = []
    for item in accounts:
        try:
            ids.append(item.pk if isinstance(item, Account) else int(item))
        except (TypeError, ValueError):
            raise DomainError(_("Choose customers from the list."), field="accounts") from None
    found = {a.pk: a for a in Account.objects.visible_to(actor).filter(pk__in=ids)}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise DomainError(_("Customer %(id)s was not found.") % {"id": missing[0]},
                          field="accounts")
    return [found[pk] for pk in dict.fromkeys(ids)]


def create_customer_group(actor: User, name: str,
                          accounts: Iterable[Account | int] = ()) -> CustomerGroup:
    """A group of customers sharing a price list, with its first members (customers the
    actor may see)."""
    _require_editor(actor, _("Only administrators and sales managers change customer groups."))
    cleaned = _group_name(name, None)
    members = _visible_accounts(actor, accounts)
    try:
        with transaction.atomic():
            group = CustomerGroup.objects.create(name=cleaned)
            group.accounts.add(*members)
            audit.log(actor, "orders.customer_group.created", group,
                      changes=audit.diff({}, {"name": group.name}),
                      data={"added": [a.pk for a in members]})
    except IntegrityError:
        raise DomainError(_("Another customer group has this name."), field="name") from None
    return group


def rename_customer_group(actor: User, group: CustomerGroup, name: str) -> CustomerGroup:
    _require_editor(actor, _("Only administrators and sales managers change customer groups."))
    cleaned = _group_name(name, group)
    before = group.name
    with transaction.atomic():
        CustomerGroup.objects.filter(pk=group.pk).update(name=cleaned)
        group.name = cleaned
        audit.log(actor, "orders.customer_group.renamed", group,
                  changes=audit.diff({"name": before}, {"name": cleaned}))
    return group


def change_group_members(actor: User, group: CustomerGroup,
                         add: Iterable[Account | int] = (),
                         remove: Iterable[Account | int] = ()) -> CustomerGroup:
    """Add and remove members in one step; only customers the actor may see."""
    _require_editor(actor, _("Only administrators and sales managers change customer groups."))
    to_add = _visible_accounts(actor, add)
    to_remove = _visible_accounts(actor, remove)
    current = set(group.accounts.values_list("pk", flat=True))
    to_add = [a for a in to_add if a.pk not in current]
    to_remove = [a for a in to_remove if a.pk in current]
    if not to_add and not to_remove:
        return group
    with transaction.atomic():
        group.accounts.add(*to_add)
        group.accounts.remove(*to_remove)
        audit.log(actor, "orders.customer_group.members_changed", group,
                  data={"added": [a.pk for a in to_add], "removed": [a.pk for a in to_remove]})
    return group


def set_group_members(actor: User, group: CustomerGroup,
                      accounts: Iterable[Account | int]) -> CustomerGroup:
    """Make the members the actor can see exactly ``accounts``; members the actor cannot see
    stay (a manager edits their part of a company-wide group)."""
    wanted = {a.pk for a in _visible_accounts(actor, accounts)}
    visible = set(Account.objects.visible_to(actor).filter(price_groups=group)
                  .values_list("pk", flat=True))
    return change_group_members(actor, group, add=sorted(wanted - visible),
                                remove=sorted(visible - wanted))


@transaction.atomic
def update_customer_group(actor: User, group: CustomerGroup, *, name: str | None = None,
                          add: Iterable[Account | int] = (),
                          remove: Iterable[Account | int] = (),
                          accounts: Iterable[Account | int] | None = None) -> CustomerGroup:
    """Rename and change members in one step: ``accounts`` replaces the members the actor
    can see, ``add`` and ``remove`` adjust them."""
    _require_editor(actor, _("Only administrators and sales managers change customer groups."))
    if name is not None and name != group.name:
        rename_customer_group(actor, group, name)
    if accounts is not None:
        set_group_members(actor, group, accounts)
    if add or remove:
        change_group_members(actor, group, add=add, remove=remove)
    return group


# --- Price lists -----------------------------------------------------------------------------

def _resolve_group(value: Any) -> CustomerGroup | None:
    if value in (None, ""):
        return None
    if isinstance(value, CustomerGroup):
        return value
    try:
        return CustomerGroup.objects.get(pk=int(value))
    except (CustomerGroup.DoesNotExist, TypeError, ValueError):
        raise DomainError(_("Choose a customer group from the list."), field="group") from None


def _clean_price_list(values: PriceListInput, price_list: PriceList | None,
                      ) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    data = values.given()
    out: dict[str, Any] = {}
    creating = price_list is None
    if "name" in data or creating:
        out["name"] = _text(data.get("name"), 100)
        if not out["name"]:
            errors["name"] = [_("This field is required.")]
    if "currency" in data:
        try:
            out["currency"] = _currency(data["currency"])
        except ValueError as exc:
            errors["currency"] = [str(exc)]
    if "group" in data:
        try:
            out["group"] = _resolve_group(data["group"])
        except DomainError as exc:
            errors["group"] = [exc.message]
    for key in ("valid_from", "valid_until"):
        if key in data:
            out[key] = data[key]
    if "active" in data:
        out["active"] = bool(data["active"])
    start = out.get("valid_from", price_list.valid_from if price_list else None)
    end = out.get("valid_until", price_list.valid_until if price_list else None)
    if start and end and end < start and "valid_until" not in errors:
        errors["valid_until"] = [_("The end date is before the start date.")]
    if errors:
        raise FieldErrors(errors)
    return out


def _product_ref(row: PriceItemInput, products: dict[int, Product],
                 by_code: dict[str, Product]) -> Product | None:
    value = row.product
    if isinstance(value, Product):
        return products.get(value.pk)
    if value is None:
        return by_code.get(normalise_code(row.product_code)) if row.product_code else None
    return products.get(value)


def _clean_items(rows: Sequence[PriceItemInput],
                 price_list: PriceList | None) -> list[PriceListItem]:
    """Rows → unsaved items; every error names its row (``items.<n>.<field>``, counted from
    0) and its message says the row number as people count (from 1)."""
    refs: set[int] = set()
    codes: set[str] = set()
    for row in rows:
        if isinstance(row.product, Product):
            refs.add(row.product.pk)
        elif row.product is not None:
            refs.add(row.product)
        elif row.product_code:
            codes.add(normalise_code(row.product_code))
    found = list(Product.objects.filter(Q(pk__in=refs) | Q(code__in=codes)))
    products = {p.pk: p for p in found}
    by_code = {p.code: p for p in found}
    already = set(price_list.items.values_list("product_id", flat=True)) if price_list \
        and price_list.pk else set()
    errors: dict[str, list[str]] = {}
    seen: set[tuple[int, Decimal]] = set()
    out: list[PriceListItem] = []
    for n, row in enumerate(rows):
        where = _("Row %(n)s") % {"n": n + 1}
        product = _product_ref(row, products, by_code)
        if product is None:
            errors[f"items.{n}.product"] = [f"{where}: " + _("Choose a product from the list.")]
        elif not product.active and product.pk not in already:
            errors[f"items.{n}.product"] = [
                f"{where}: " + _("Product %(code)s is inactive.") % {"code": product.code}]
        try:
            price = _in_range(row.unit_price, 2, MAX_MONEY)
        except ValueError as exc:
            errors[f"items.{n}.unit_price"] = [f"{where}: {exc}"]
            price = None
        try:
            qty = _in_range(Decimal(1) if row.min_quantity is None else row.min_quantity, 3,
                            MAX_QUANTITY)
        except ValueError as exc:
            errors[f"items.{n}.min_quantity"] = [f"{where}: {exc}"]
            qty = None
        if product is None or price is None or qty is None:
            continue
        if (product.pk, qty) in seen:
            errors[f"items.{n}.min_quantity"] = [
                f"{where}: " + _("%(code)s already has a price from this quantity.")
                % {"code": product.code}]
            continue
        seen.add((product.pk, qty))
        out.append(PriceListItem(product=product, unit_price=price, min_quantity=qty))
    if errors:
        raise FieldErrors(errors)
    return out


def _replace_items(price_list: PriceList, items: list[PriceListItem]) -> None:
    price_list.items.all().delete()
    for item in items:
        item.price_list = price_list
    PriceListItem.objects.bulk_create(items)


def _items_summary(items: list[PriceListItem]) -> list[list[Any]]:
    return [[i.product_id, str(i.min_quantity), str(i.unit_price)] for i in items]


def create_price_list(actor: User, data: PriceListInput,
                      items: Sequence[PriceItemInput] = ()) -> PriceList:
    """A price list with its prices."""
    _require_editor(actor, _("Only administrators and sales managers change price lists."))
    cleaned = _clean_price_list(data, None)
    rows = _clean_items(items, None)
    with transaction.atomic():
        price_list = PriceList.objects.create(**cleaned)
        _replace_items(price_list, rows)
        audit.log(actor, "orders.price_list.created", price_list,
                  changes=audit.diff({}, {k: getattr(price_list, k)
                                          for k in PRICE_LIST_FIELDS}),
                  data={"items": _items_summary(rows)})
    return price_list


def update_price_list(actor: User, price_list: PriceList, data: PriceListInput,
                      version: int | None,
                      items: Sequence[PriceItemInput] | None = None) -> PriceList:
    """Change the list's terms and, when ``items`` is given, replace its prices: one step,
    one version (409 when someone changed the list since ``version``)."""
    _require_editor(actor, _("Only administrators and sales managers change price lists."))
    cleaned = _clean_price_list(data, price_list)
    rows = _clean_items(items, price_list) if items is not None else None
    before = {k: getattr(price_list, k) for k in cleaned}
    with transaction.atomic():
        save_versioned(price_list, version, cleaned)
        extra: dict[str, Any] = {}
        if rows is not None:
            extra["items_before"] = _items_summary(list(price_list.items.all()))
            _replace_items(price_list, rows)
            extra["items"] = _items_summary(rows)
        audit.log(actor, "orders.price_list.updated", price_list,
                  changes=audit.diff(before, cleaned), data=extra)
    return price_list


def set_price_list_items(actor: User, price_list: PriceList, items: Sequence[PriceItemInput],
                         version: int | None) -> PriceList:
    """Replace every price of the list at once; a bad row changes nothing."""
    return update_price_list(actor, price_list, PriceListInput(), version, items=items)
