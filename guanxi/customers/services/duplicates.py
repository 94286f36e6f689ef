"""Finding existing customers that a new or imported one may duplicate."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from guanxi.core import normalize
from guanxi.customers.models import Account, Contact


@dataclass
class Match:
    account: Account
    reasons: list[str] = field(default_factory=list)

    def describe(self) -> str:
        labels = {"registration_id": _("registration id"), "name": _("name"),
                  "phone": _("phone"), "email": _("e-mail")}
        return pgettext("list separator", ", ").join(str(labels[r]) for r in self.reasons)


def find_duplicates(*, name: str = "", registration_id: str | None = None, phone: str = "",
                    email: str = "", exclude_id: int | None = None, limit: int = 10,
                    ) -> list[Match]:
    """Active customers sharing the normalised name, registration id, phone or e-mail (of the
    customer or of one of its contacts). Inputs are expected normalised already."""
    key = normalize.normalize_name(name) if name else ""
    q = Q(pk__in=[])
    if key:
        q |= Q(name_key=key)
    if registration_id:
        q |= Q(registration_id=registration_id)
    if phone:
        q |= Q(phone=phone)
    # Lower(email) = lower-cased value, not iexact: it uses the expression index (iexact is
    # a full scan on both databases).
    if email:
        q |= Q(email_lower=email.lower())
    contact_q = Q(pk__in=[])
    if phone:
        contact_q |= Q(phone=phone) | Q(mobile=phone)
    if email:
        contact_q |= Q(email_lower=email.lower())
    account_ids = set(Account.objects.alias(email_lower=Lower("email"))
                      .filter(q, is_active=True).values_list("id", flat=True)[:50])
    if phone or email:
        account_ids |= set(Contact.objects.alias(email_lower=Lower("email"))
                           .filter(contact_q, is_active=True).order_by()
                           .values_list("account_id", flat=True)[:50])
    if exclude_id is not None:
        account_ids.discard(exclude_id)
    matches = []
    for account in Account.objects.filter(pk__in=account_ids, is_active=True).select_related(
            "owner")[:limit]:
        reasons = []
        if registration_id and account.registration_id == registration_id:
            reasons.append("registration_id")
        if key and account.name_key == key:
            reasons.append("name")
        contacts = account.contacts.filter(is_active=True)
        if phone and (account.phone == phone
                      or contacts.filter(Q(phone=phone) | Q(mobile=phone)).exists()):
            reasons.append("phone")
        if email and (account.email.lower() == email.lower()
                      or contacts.filter(email__iexact=email).exists()):
            reasons.append("email")
        if reasons:
            matches.append(Match(account, reasons))
    strength = {"registration_id": 3, "phone": 2, "email": 2, "name": 1}
    matches.sort(key=lambda m: -sum(strength[r] for r in m.reasons))
    return matches
