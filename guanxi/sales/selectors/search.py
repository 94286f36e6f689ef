"""Opportunities and leads for the global search, found through indexed lookups only: the
customers the token index matched, and prefix ranges on indexed columns."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from guanxi.accounts.models import User
from guanxi.core.normalize import fold, phone_digits_for_search
from guanxi.customers.search import TOP
from guanxi.customers.search import search as search_index
from guanxi.customers.search_providers import SearchHit
from guanxi.sales.models import Lead, Opportunity

# Customers whose open opportunities a query brings up.
TOP_ACCOUNTS = 5


def _prefix(field: str, text: str) -> Q:
    # A range rather than LIKE so the column's B-tree index serves it on SQLite too.
    return Q(**{f"{field}__gte": text, f"{field}__lt": text + TOP})


def matching_account_ids(user: User, q: str, limit: int = TOP_ACCOUNTS) -> list[int]:
    """The best customers for ``q`` by name, pinyin, initials, phone … (token index)."""
    return [h.id for h in search_index(user, q, limit=limit, kinds=("account",))]


def opportunity_match(user: User, q: str, accounts: int = TOP_ACCOUNTS) -> Q:
    """Opportunities of the customers matching ``q``, or whose name starts with it."""
    text = q.strip()
    if not text:
        return Q(pk__in=[])
    return (Q(account_id__in=matching_account_ids(user, text, accounts))
            | _prefix("name", text))


def search_opportunities(user: User, q: str, limit: int = 10) -> list[SearchHit]:
    """Open opportunities ``user`` may see whose customer matches ``q`` or whose name starts
    with it, the named ones first, then the most recently worked on."""
    text = q.strip()
    if not text:
        return []
    account_ids = matching_account_ids(user, text)
    qs = (Opportunity.objects.visible_to(user)
          .filter(Q(account_id__in=account_ids) | _prefix("name", text))
          .filter(closed_at__isnull=True).select_related("account")
          .order_by("-updated_at", "-id")[:limit])
    hits = [SearchHit("opportunity", o.pk, o.name, o.account.name,
                     reverse("sales:opportunity", args=[o.pk]),
                     field="name" if o.name.startswith(text) else "customer",
                     account_id=o.account_id, account_name=o.account.name,
                     score=100 if o.name.startswith(text) else 80) for o in qs]
    return sorted(hits, key=lambda h: -h.score)


def _is_phone(text: str) -> bool:
    digits = sum(c.isdigit() for c in text)
    return digits >= 3 and all(c.isdigit() or c in " +-()." for c in text)


def _lead_match(q: str) -> Q:
    text = fold(q).strip()
    if not text:
        return Q(pk__in=[])
    if "@" in text:
        return _prefix("email", text.replace(" ", ""))
    if _is_phone(text):
        digits = "".join(c for c in text if c.isdigit())
        national = phone_digits_for_search(text)
        # Phones are stored in E.164; a Chinese number typed without +86 is the usual case.
        return _prefix("phone", "+86" + national) | _prefix("phone", "+" + digits)
    raw = q.strip()
    return _prefix("company", raw) | _prefix("name", raw) | _prefix("email", text)


def search_leads(user: User, q: str, limit: int = 10) -> list[SearchHit]:
    qs = (Lead.objects.visible_to(user).filter(_lead_match(q))
          .order_by("-created_at", "-id")[:limit])
    """Leads ``user`` may see by phone (any format), e-mail, company or name start."""
    text = fold(q).strip()
    field = "email" if "@" in text else "phone" if _is_phone(text) else "name"
    return [SearchHit("lead", lead.pk, str(lead), lead.phone or lead.email,
                     reverse("sales:lead_detail", args=[lead.pk]), field=field,
                     account_id=lead.account_id or 0, score=90) for lead in qs]
