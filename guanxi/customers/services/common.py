"""Helpers shared by the customer services: timeline, completeness."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone, translation
from django.utils.functional import Promise

from guanxi.accounts.models import User
from guanxi.customers.models import Account, Contact, TimelineEvent, timeline_param

ACCOUNT_FIELDS = (
    "kind", "name", "name_en", "registration_id", "industry", "size", "source", "phone",
    "email", "website", "description", "region_economy", "region_climate", "region_customs",
    "lifestyle", "needs", "purchase_channel", "attitude_risk", "attitude_products",
    "attitude_service", "likelihood_rebuy", "likelihood_recommend",
)
TERMS_FIELDS = ("discount_rate", "payment_terms_days", "settlement_method", "credit_limit",
                "currency")
CONTACT_FIELDS = ("name", "name_en", "title", "department", "gender", "birthday", "phone",
                  "mobile", "email", "wechat", "is_primary", "notes")
ADDRESS_FIELDS = ("kind", "country", "province", "city", "district", "street", "postal_code",
                  "lines", "is_primary")

def _shown(value: Any) -> str | dict:
    """A parameter as the timeline stores it: amounts with thousands separators; a label of
    the product (gettext_lazy) by its untranslated message and a label kept in both languages
    (``{"en": …, "zh": …}``) as it is, so each reader sees them in their own language."""
    if isinstance(value, Decimal):
        return f"{value:,}"
    if isinstance(value, Promise):
        with translation.override(None):
            return {"msgid": str(value)}
    if isinstance(value, dict):
        return {k: str(v) for k, v in value.items() if k in ("en", "zh")}
    return str(value)


def event_fields(title: str, params: dict | None, data: dict | None) -> dict:
    """``title`` is an untranslated message (mark it with gettext_noop): it is stored with its
    ``params`` so the timeline shows it in each reader's language; ``title`` itself keeps the
    English text for exports and the API."""
    params = {k: _shown(v) for k, v in (params or {}).items()}
    with translation.override(None):
        text = title % {k: timeline_param(v) for k, v in params.items()} if params else title
    return {"title": text[:300], "data": {**(data or {}), "title": [title, params]}}


# A change is told on the timeline by its app's renderer of the change's domain event
# (``customers.timeline``). ``add_event`` is only for entries that are a fact of their own with
# no audited change behind them (a follow-up note, an e-mail that went out).
def add_event(account: Account, kind: str, title: str, actor: User | None = None,
              body: str = "", data: dict | None = None, contact: Contact | None = None,
              at=None, params: dict | None = None) -> TimelineEvent:
    return TimelineEvent.objects.create(
        account=account, kind=kind, body=body, **event_fields(title, params, data),
        actor=actor if getattr(actor, "pk", None) else None, contact=contact,
        at=at or timezone.now())


# What a complete customer record has, with weights summing to 100.
COMPLETENESS = (
    ("name", 10), ("registration_id", 10), ("industry", 8), ("size", 5), ("phone", 10),
    ("email", 7), ("website", 3), ("address", 12), ("contact", 12), ("contact_reach", 8),
    ("owner", 5), ("attitudes", 5), ("needs", 5),
)


def completeness(account: Account, contacts: list[Contact] | None = None,
                 has_address: bool | None = None) -> tuple[int, list[str]]:
    """Score 0–100 and the names of what is missing (``contacts``, the active ones, and
    ``has_address`` are read from the database unless given)."""
    if contacts is None:
        contacts = list(account.contacts.filter(is_active=True)) if account.pk else []
    if has_address is None:
        has_address = bool(account.pk) and account.addresses.exists()
    present = {
        "name": bool(account.name),
        "registration_id": bool(account.registration_id) or account.kind == Account.Kind.PERSON,
        "industry": bool(account.industry) or account.kind == Account.Kind.PERSON,
        "size": bool(account.size) or account.kind == Account.Kind.PERSON,
        "phone": bool(account.phone) or any(c.mobile or c.phone for c in contacts),
        "email": bool(account.email) or any(c.email for c in contacts),
        "website": bool(account.website) or account.kind == Account.Kind.PERSON,
        "address": has_address,
        "contact": bool(contacts),
        "contact_reach": any((c.mobile or c.phone) and c.email for c in contacts),
        "owner": account.owner_id is not None,
        "attitudes": account.attitude_products is not None
        and account.likelihood_rebuy is not None,
        "needs": bool(account.needs),
    }
    score = sum(weight for key, weight in COMPLETENESS if present[key])
    return score, [key for key, _weight in COMPLETENESS if not present[key]]


def refresh_completeness(account: Account) -> None:
    score, _missing = completeness(account)
    if score != account.completeness:
        Account.objects.filter(pk=account.pk).update(completeness=score)
        account.completeness = score


def refresh_completeness_many(account_ids: list[int]) -> None:
    """``refresh_completeness`` of many customers in a few queries (bulk imports)."""
    from guanxi.customers.models import Address

    accounts = Account.objects.in_bulk(account_ids)
    contacts: dict[int, list[Contact]] = {}
    for contact in Contact.objects.filter(account_id__in=account_ids, is_active=True):
        contacts.setdefault(contact.account_id, []).append(contact)
    with_address = set(Address.objects.filter(account_id__in=account_ids)
                       .values_list("account_id", flat=True))
    changed: dict[int, list[int]] = {}
    for pk, account in accounts.items():
        score, _missing = completeness(account, contacts.get(pk, []), pk in with_address)
        if score != account.completeness:
            changed.setdefault(score, []).append(pk)
    for score, ids in changed.items():
        Account.objects.filter(pk__in=ids).update(completeness=score)
