"""Who is in a segment. A dynamic segment is the customer list's own filters
(``customers.selectors.filter_customers``), read strictly: a rule naming a field that no
longer exists is an error, never silently dropped (that would widen the segment)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.core.errors import FieldErrors
from guanxi.customers.filters import CUSTOM_PREFIXES, CUSTOMER_FILTERS, contributed_filters
from guanxi.customers.models import Account
from guanxi.customers.selectors import filter_customers, visible_accounts
from guanxi.marketing import permissions as perms
from guanxi.marketing.models import Segment, SegmentMember

# Parameters of the list page that choose how it is shown, not whom.
VIEW_PARAMS = frozenset({"sort", "page", "per_page", "format", "columns", "view"})


def known_rule_names() -> set[str]:
    names = {n for p in CUSTOMER_FILTERS for n in (p.name, *p.aliases)}
    for entry in contributed_filters():
        names |= set(entry.names)
    return names


def clean_rules(rules: Any) -> dict[str, str]:
    """The rules as stored: a flat {name: value} without view parameters or empty values.
    Raises FieldErrors naming a rule on a field that does not exist (any more)."""
    if not isinstance(rules, dict):
        raise FieldErrors({"rules": [_("Rules are a set of customer-list filters.")]})
    known = known_rule_names()
    out: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for name, value in rules.items():
        if name in VIEW_PARAMS or value in (None, "", []):
            continue
        if isinstance(value, list):
            value = value[-1]
        if name not in known and not name.startswith(CUSTOM_PREFIXES):
            errors[name] = [_("The rule “%(name)s” is on a field that does not exist (it may "
                              "have been removed).") % {"name": name}]
            continue
        out[name] = str(value)
    if errors:
        raise FieldErrors(errors)
    return out


def rule_accounts(user: User, rules: dict[str, Any]) -> QuerySet[Account]:
    """The customers the rules select, among those ``user`` sees."""
    return filter_customers(user, clean_rules(rules))


def segment_accounts(user: User, segment: Segment) -> QuerySet[Account]:
    if segment.kind == Segment.Kind.STATIC:
        return visible_accounts(user).filter(
            pk__in=SegmentMember.objects.filter(segment=segment).values("account_id"))
    return rule_accounts(user, segment.rules)


def count(user: User, rules: dict[str, Any]) -> int:
    return rule_accounts(user, rules).count()


def preview(user: User, rules: dict[str, Any], limit: int = 20) -> list[Account]:
    return list(rule_accounts(user, rules).order_by("-updated_at", "-id")[:limit])


def visible_segments(user: User) -> QuerySet[Segment]:
    if not perms.can_view_campaigns(user):
        return Segment.objects.none()
    return Segment.objects.filter(is_active=True).select_related("owner")
