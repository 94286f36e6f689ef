"""Reads of leads: the one scoped queryset and the queries built on it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet

from guanxi.accounts.models import Role, User
from guanxi.core.filters import Param, choices, parse

READ_ALL_ROLES = (Role.ADMIN, Role.EXECUTIVE, Role.MARKETING)
TEAM_ROLES = (Role.MANAGER, Role.ASSISTANT)


def lead_scope(user: User) -> Q | None:
    """Own, found, created, and (managers, assistants) the team subtree; None: everything."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.has_role(*READ_ALL_ROLES):
        return None
    q = Q(owner=user) | Q(finder=user) | Q(created_by=user)
    if user.has_role(*TEAM_ROLES) and user.team_id:
        q |= Q(team_id__in=user.team_subtree_ids)
    return q


def visible_leads(user: User):
    from guanxi.sales.models import Lead

    return Lead.objects.visible_to(user)




def lead_filters() -> tuple[Param, ...]:
    from guanxi.customers.models import Source
    from guanxi.sales.models import Lead, Timeframe

    return (Param("q"), Param("status", "choice", choices("open", Lead.Status)),
            Param("timeframe", "choice", choices(Timeframe)),
            Param("source", "choice", choices(Source)),
            Param("owner", "user", choices=("none",)))


def filter_leads(user: User, filters: Mapping[str, Any]) -> QuerySet:
    """The leads ``user`` sees narrowed by the list filters, for the page, the API and the
    export alike: ``status`` (a status or ``open``), ``timeframe``, ``source``, ``owner`` (a
    user id, ``me`` or ``none``), ``q`` (name, company, e-mail or phone digits)."""
    f = parse(filters, lead_filters())
    qs = visible_leads(user)
    status = f.get("status")
    if status == "open":
        qs = qs.exclude(status__in=["converted", "disqualified"])
    elif status:
        qs = qs.filter(status=status)
    for name in ("timeframe", "source"):
        if name in f:
            qs = qs.filter(**{name: f[name]})
    owner = f.get("owner")
    if owner == "me":
        qs = qs.filter(owner=user)
    elif owner == "none":
        qs = qs.filter(owner__isnull=True)
    elif owner is not None:
        qs = qs.filter(owner_id=owner)
    if q := f.get("q"):
        digits = "".join(ch for ch in q if ch.isdigit())
        cond = Q(name__icontains=q) | Q(company__icontains=q) | Q(email__icontains=q)
        if len(digits) >= 4:
            cond |= Q(phone__contains=digits)
        qs = qs.filter(cond)
    return qs


def lead_duplicates(*, phone: str = "", email: str = "", company: str = "",
                    exclude_id: int | None = None) -> dict:
    """Open leads and active customers that share the phone, e-mail or company name: shown to
    whoever enters or converts the lead (never a refusal: the same person may ask twice)."""
    from guanxi.customers.services.duplicates import find_duplicates
    from guanxi.sales.models import Lead

    cond = Q(pk__in=[])
    if phone:
        cond |= Q(phone=phone)
    if email:
        cond |= Q(email__iexact=email)
    if company:
        cond |= Q(company__iexact=company)
    leads = (Lead.objects.filter(cond).exclude(status__in=["converted", "disqualified"])
             .exclude(pk=exclude_id).select_related("owner")[:10])
    customers = find_duplicates(name=company, phone=phone, email=email) \
        if (phone or email or company) else []
    return {"leads": list(leads), "customers": customers}


def routing_history(lead, limit: int = 50):
    """The lead's audit entries: created, routed, assigned, material, nurtured, converted."""
    from guanxi.core.audit import history

    return history(lead, limit)


def accounts_with_leads_from(source_detail: str) -> set[int]:
    """Customers that already have a lead with this source detail (e.g. a campaign's)."""
    from guanxi.sales.models import Lead

    return set(Lead.objects.filter(source_detail=source_detail, account__isnull=False)
               .values_list("account_id", flat=True))
