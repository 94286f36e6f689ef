"""Query building for customers: the customer list's filters (read once, applied by
``selectors.filter_customers`` for the page, the API and the export alike) with the filters
other apps contribute, duplicate-check input, and the scoped querysets of addresses and
relationships (both scoped through their customer)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from guanxi.accounts.models import Team, User
from guanxi.core import normalize
from guanxi.core.custom_fields import clean_value, definitions
from guanxi.core.errors import FieldErrors
from guanxi.core.filters import Param, choices, parse
from guanxi.core.models import CustomFieldDefinition
from guanxi.customers.models import (
    Account,
    Address,
    Approval,
    Industry,
    Relationship,
    Size,
    Source,
    Standing,
)
from guanxi.customers.regions import province_code
from guanxi.customers.search import search
from guanxi.customers.selectors import account_scope

CUSTOM_PREFIXES = ("cf_", "custom_")  # the API's and the page's names for a custom field


@dataclass(frozen=True)
class ContributedFilter:
    """Customer-list filters another app adds (analytics: segment, lifecycle, CLV …).

    ``names`` are its query-string parameters; ``parse`` reads them from the raw values into
    cleaned ones (raising FieldErrors naming the parameter); ``apply`` narrows the customers;
    ``form_fields`` gives the list page's form fields, shown under ``label``."""

    key: str
    label: Promise | str
    names: tuple[str, ...]
    parse: Callable[[Mapping[str, Any]], dict[str, Any]]
    apply: Callable[[QuerySet[Account], dict[str, Any]], QuerySet[Account]]
    form_fields: Callable[[], dict[str, forms.Field]]


_CONTRIBUTED: dict[str, ContributedFilter] = {}


def register_filter(entry: ContributedFilter) -> None:
    """Apps add their customer filters from ``ready()``."""
    _CONTRIBUTED[entry.key] = entry


def contributed_filters() -> list[ContributedFilter]:
    return list(_CONTRIBUTED.values())


CUSTOMER_FILTERS = (
    Param("q"), Param("owner", "user"), Param("team", "int"),
    Param("industry", "choice", choices(Industry)), Param("size", "choice", choices(Size)),
    Param("source", "choice", choices(Source)), Param("approval", "choice", choices(Approval)),
    Param("standing", "choice", choices(Standing)),
    Param("in_pool", "bool", aliases=("pool",)), Param("tag"), Param("province"),
    Param("completeness_lt", "int", aliases=("below",)),
)


@dataclass(frozen=True)
class CustomerFilters:
    """The customer list's filters, cleaned: the plain ones, custom fields by key, and the
    contributed ones by their registry key."""

    plain: dict[str, Any]
    custom: dict[str, str]
    contributed: dict[str, dict[str, Any]]

    def __bool__(self) -> bool:
        return bool(self.plain or self.custom or any(self.contributed.values()))


def parse_customer_filters(params: Mapping[str, Any] | CustomerFilters) -> CustomerFilters:
    """Read the list's filters once from a query string or an API schema dump."""
    if isinstance(params, CustomerFilters):
        return params
    errors: dict[str, list[str]] = {}
    plain: dict[str, Any] = {}
    try:
        plain = parse(params, CUSTOMER_FILTERS)
    except FieldErrors as exc:
        errors |= exc.errors
    custom = {}
    for key, value in params.items():
        for prefix in CUSTOM_PREFIXES:
            if key.startswith(prefix) and value not in (None, ""):
                custom[key[len(prefix):]] = value
    contributed: dict[str, dict[str, Any]] = {}
    for entry in contributed_filters():
        try:
            contributed[entry.key] = entry.parse(params)
        except FieldErrors as exc:
            errors |= exc.errors
    if errors:
        raise FieldErrors(errors)
    return CustomerFilters(plain, custom, contributed)


def apply_customer_filters(user: User, qs: QuerySet[Account],
                           f: CustomerFilters) -> QuerySet[Account]:
    """``qs`` narrowed by the cleaned filters ``f``."""
    v = f.plain
    errors: dict[str, list[str]] = {}
    for name in ("industry", "size", "source", "approval", "standing", "in_pool"):
        if name in v:
            qs = qs.filter(**{name: v[name]})
    if v.get("q"):
        hits = search(user, v["q"], limit=500)
        qs = qs.filter(pk__in={h.account_id for h in hits})
    owner = v.get("owner")
    if owner == "me":
        qs = qs.filter(owner=user)
    elif owner is not None:
        qs = qs.filter(owner_id=owner)
    if v.get("team") is not None:
        team = Team.objects.filter(pk=v["team"]).first()
        if team is None:
            errors["team"] = [_("No team with this id.")]
        else:
            qs = qs.filter(team__path__startswith=team.path)
    if v.get("tag"):
        qs = qs.filter(tags__name=v["tag"])
    if v.get("province"):
        code = province_code(v["province"])
        if code is None:
            errors["province"] = [_("“%(value)s” is not a Chinese province.")
                                  % {"value": v["province"]}]
        else:
            # Customers with an address there, found from the addresses' province index:
            # a correlated EXISTS would be tried against every customer (seconds at a
            # million customers for a segment count).
            qs = qs.filter(pk__in=Address.objects.filter(province_code=code)
                           .values("account_id"))
    if v.get("completeness_lt") is not None:
        qs = qs.filter(completeness__lt=v["completeness_lt"])
    qs = _filter_custom(qs, f.custom, errors)
    for entry in contributed_filters():
        if f.contributed.get(entry.key):
            qs = entry.apply(qs, f.contributed[entry.key])
    if errors:
        raise FieldErrors(errors)
    return qs


def _filter_custom(qs: QuerySet[Account], raw: dict[str, str],
                   errors: dict[str, list[str]]) -> QuerySet[Account]:
    T = CustomFieldDefinition.Type
    defs = {d.key: d for d in definitions("customers.account")} if raw else {}
    for key, value in raw.items():
        definition = defs.get(key)
        if definition is None:
            errors[f"cf_{key}"] = [_("Unknown custom field.")]
            continue
        try:
            cleaned = clean_value(definition, value)
        except ValueError as exc:
            errors[f"cf_{key}"] = [str(exc)]
            continue
        if cleaned is None:
            qs = qs.filter(Q(**{f"custom__{key}__isnull": True}))
        elif definition.type == T.TEXT:
            qs = qs.filter(**{f"custom__{key}__icontains": cleaned})
        elif definition.type == T.MULTI:
            for n, item in enumerate(cleaned):
                qs = _has_item(qs, key, item, n)
        else:
            qs = qs.filter(**{f"custom__{key}": cleaned})
    return qs


def _has_item(qs: QuerySet[Account], key: str, item: str, n: int) -> QuerySet[Account]:
    """Customers whose multiple-choice value ``key`` includes ``item``."""
    if connection.vendor == "postgresql":
        return qs.filter(**{f"custom__{key}__contains": [item]})
    # SQLite has no JSON containment; json_each walks the stored list. The key is a slug
    # checked against the field definitions, and both values are bound parameters.
    table = Account._meta.db_table
    alias = f"cf_has_{key}_{n}"
    expr = RawSQL(f'EXISTS (SELECT 1 FROM json_each("{table}"."custom", %s) '  # noqa: S608,S611
                  "WHERE json_each.value = %s)", (f'$."{key}"', item),
                  output_field=BooleanField())
    return qs.alias(**{alias: expr}).filter(**{alias: True})


def normalized_duplicate_query(name: str, registration_id: str, phone: str,
                               email: str) -> dict[str, Any]:
    """The duplicate-check input in stored form, or field errors for what cannot be read."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {"name": (name or "").strip()}
    for field, value, clean in (("registration_id", registration_id, normalize.normalize_uscc),
                                ("phone", phone, normalize.normalize_phone),
                                ("email", email, normalize.normalize_email)):
        try:
            out[field] = clean(value or "")
        except ValueError as exc:
            errors[field] = [str(exc)]
    if errors:
        raise FieldErrors(errors)
    out["registration_id"] = out["registration_id"] or None
    return out


def visible_addresses(user: User) -> QuerySet[Address]:
    qs = Address.objects.filter(account__is_active=True).select_related("account")
    scope = account_scope(user, "account__")
    return qs if scope is None else qs.filter(scope)


def visible_relationships(user: User) -> QuerySet[Relationship]:
    """Relationships whose first person is at a customer ``user`` sees."""
    qs = Relationship.objects.filter(from_contact__account__is_active=True).select_related(
        "from_contact__account", "to_contact")
    scope = account_scope(user, "from_contact__account__")
    return qs if scope is None else qs.filter(scope)
