"""Query building for the customer API: list filters, duplicate-check input, and the scoped
querysets of addresses and relationships (both scoped through their customer)."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from guanxi.accounts.models import Team, User
from guanxi.analytics.selectors import filter_accounts as metric_filter
from guanxi.analytics.selectors import parse_filters as parse_metric_filters
from guanxi.core import normalize
from guanxi.core.custom_fields import clean_value, definitions
from guanxi.core.errors import FieldErrors
from guanxi.core.models import CustomFieldDefinition
from guanxi.customers.models import Account, Address, Relationship
from guanxi.customers.regions import province_code
from guanxi.customers.search import search
from guanxi.customers.selectors import account_scope, visible_accounts

EXACT = ("industry", "size", "source", "approval", "standing", "in_pool")


def filter_accounts(user: User, f: dict[str, Any], custom: dict[str, str]) -> QuerySet[Account]:
    """Visible customers narrowed by the list filters; bad filter values are field errors."""
    qs = visible_accounts(user)
    errors: dict[str, list[str]] = {}
    qs = qs.filter(**{k: f[k] for k in EXACT if f.get(k) not in (None, "")})
    if f.get("q"):
        hits = search(user, f["q"], limit=500)
        qs = qs.filter(pk__in={h.account_id for h in hits})
    if f.get("owner"):
        if f["owner"] == "me":
            qs = qs.filter(owner=user)
        elif f["owner"].isdigit():
            qs = qs.filter(owner_id=int(f["owner"]))
        else:
            errors["owner"] = [_("Give a user id or “me”.")]
    if f.get("team") is not None:
        team = Team.objects.filter(pk=f["team"]).first()
        if team is None:
            errors["team"] = [_("No team with this id.")]
        else:
            qs = qs.filter(team__path__startswith=team.path)
    if f.get("tag"):
        qs = qs.filter(tags__name=f["tag"])
    if f.get("province"):
        code = province_code(f["province"])
        if code is None:
            errors["province"] = [_("“%(value)s” is not a Chinese province.")
                                  % {"value": f["province"]}]
        else:
            qs = qs.filter(Exists(Address.objects.filter(account=OuterRef("pk"),
                                                         province_code=code)))
    if f.get("completeness_lt") is not None:
        qs = qs.filter(completeness__lt=f["completeness_lt"])
    qs = _filter_custom(qs, custom, errors)
    try:  # customer value: segment, lifecycle, value type, ABC, CLV, churn risk, cluster
        qs = metric_filter(qs, parse_metric_filters(f))
    except FieldErrors as exc:
        errors |= exc.errors
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
