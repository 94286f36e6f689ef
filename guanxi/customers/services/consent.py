"""Consent to be contacted, and the one gate every sender asks.

A person's consent is kept per channel (e-mail, SMS, phone, WeChat) and purpose (marketing,
care, service notices) as append-only :class:`~guanxi.customers.models.Consent` rows; the
latest row that applies is the current state. A row on a customer without a contact covers
every contact of that customer (and the customer itself: a personal customer is its own
person); a row on a contact covers that contact; a row on a bare address covers whoever uses
that address (an unsubscribe by a lead who is not a contact yet).

With no row at all, service notices may go out (nobody objected), while marketing and care
need recorded consent from a personal (B2C) customer — PIPL — and, for company contacts,
whatever ``GUANXI_COMPANY_CONSENT`` says: ``opt_out`` (the default: allowed until they object)
or ``opt_in`` (recorded consent first).

Every sender asks :func:`may_contact` (one person) or :func:`may_contact_address` (an address),
or filters recipients with :func:`consenting_contacts`; core's senders ask
``guanxi.core.send_gates.check``, which this module fills.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanxi.accounts.models import User
from guanxi.core import audit
from guanxi.core.errors import DomainError, FieldErrors
from guanxi.core.send_gates import Decision
from guanxi.customers.models import Account, Consent, Contact

CHANNELS = tuple(Consent.Channel.values)
PURPOSES = tuple(Consent.Purpose.values)
NEEDS_CONSENT = (Consent.Purpose.MARKETING, Consent.Purpose.CARE)
UNSUBSCRIBE_SALT = "guanxi.customers.unsubscribe"
OPT_IN_SALT = "guanxi.customers.opt-in"
OPT_IN_MAX_AGE = 7 * 24 * 3600  # a confirmation link works for a week

Person = Account | Contact


def company_needs_opt_in() -> bool:
    return getattr(settings, "GUANXI_COMPANY_CONSENT", "opt_out") == "opt_in"


def _address_of(person: Person, channel: str) -> str:
    if channel == Consent.Channel.EMAIL:
        return (person.email or "").strip().lower()
    if channel in (Consent.Channel.SMS, Consent.Channel.PHONE):
        mobile = getattr(person, "mobile", "") or ""
        return (mobile or person.phone or "").strip()
    if channel == Consent.Channel.WECHAT:
        return (getattr(person, "wechat", "") or "").strip()
    return ""


def normalise_address(address: str) -> str:
    address = (address or "").strip()
    return address.lower() if "@" in address else address


def _who(person: Person, channel: str) -> Q:
    if isinstance(person, Contact):
        who = Q(contact=person) | Q(account_id=person.account_id, contact__isnull=True)
    else:
        who = Q(account=person, contact__isnull=True)
    address = _address_of(person, channel)
    if address:
        who |= Q(address=address, account__isnull=True, contact__isnull=True)
    return who


def _rows_for(person: Person, channel: str, purpose: str) -> QuerySet[Consent]:
    return Consent.objects.filter(_who(person, channel), channel=channel,
                                  purpose=purpose).order_by("-at", "-id")


def current(person: Person, channel: str, purpose: str) -> Consent | None:
    """The row that decides, or None when nothing was ever recorded."""
    return _rows_for(person, channel, purpose).first()


def _is_personal(person: Person) -> bool:
    account = person.account if isinstance(person, Contact) else person
    return account.kind == Account.Kind.PERSON


def _default(personal: bool, purpose: str) -> Decision:
    if purpose not in NEEDS_CONSENT:
        return Decision(True, _("No objection recorded."))
    if personal:
        return Decision(False, _("A personal customer needs recorded consent before any "
                                 "marketing (PIPL); none is recorded."))
    if company_needs_opt_in():
        return Decision(False, _("No consent is recorded for this contact."))
    return Decision(True, _("Company contact with no objection recorded."))


def may_contact(person: Person, channel: str, purpose: str) -> Decision:
    """May ``person`` be contacted on ``channel`` for ``purpose``, and why (or why not)."""
    if channel not in CHANNELS or purpose not in PURPOSES:
        raise ValueError(f"unknown channel or purpose: {channel}/{purpose}")
    return _decision(current(person, channel, purpose), _is_personal(person), purpose)


def _decision(row: Consent | None, personal: bool, purpose: str) -> Decision:
    if row is not None:
        when = timezone.localtime(row.at).strftime("%Y-%m-%d %H:%M")
        if row.granted:
            return Decision(True, _("Consent given on %(when)s (%(source)s).")
                            % {"when": when, "source": row.get_source_display()})
        return Decision(False, _("Consent withdrawn on %(when)s (%(source)s).")
                        % {"when": when, "source": row.get_source_display()})
    return _default(personal, purpose)


def may_contact_address(address: str, channel: str, purpose: str) -> Decision:
    """The gate for a sender that holds only an address: every active contact or customer
    using it must be reachable; an address nobody in the CRM uses needs a grant for marketing
    and care, and only no withdrawal for service notices."""
    address = normalise_address(address)
    if not address:
        return Decision(False, _("No address."))
    field = {"email": "email__iexact", "wechat": "wechat"}.get(channel, "mobile")
    people: list[Person] = list(Contact.objects.filter(
        **{field: address}, is_active=True).select_related("account")[:20])
    account_field = "email__iexact" if channel == "email" else "phone"
    if channel != "wechat":
        people += list(Account.objects.filter(**{account_field: address}, is_active=True)[:20])
    for person in people:
        decision = may_contact(person, channel, purpose)
        if not decision.allowed:
            return decision
    if people:
        return Decision(True, _("No objection recorded."))
    row = Consent.objects.filter(address=address, channel=channel, purpose=purpose) \
        .order_by("-at", "-id").first()
    if row is not None and not row.granted:
        return Decision(False, _("This address has unsubscribed."))
    if row is None and purpose in NEEDS_CONSENT:
        return Decision(False, _("No consent is recorded for this address."))
    return Decision(True, _("No objection recorded."))


def _gate(address: str, channel: str, purpose: str) -> Decision:
    return may_contact_address(address, channel, purpose)


def register_gate() -> None:
    from guanxi.core import send_gates

    send_gates.register_gate("customers.consent", _gate)


def require(person: Person, channel: str, purpose: str, field: str = "contact") -> None:
    """Raise a field error naming why ``person`` may not be contacted."""
    decision = may_contact(person, channel, purpose)
    if not decision.allowed:
        raise FieldErrors({field: [_("%(name)s may not be contacted this way: %(reason)s")
                                   % {"name": person.name, "reason": decision.reason}]})


def consenting_contacts(contacts: QuerySet[Contact], channel: str,
                        purpose: str) -> QuerySet[Contact]:
    """``contacts`` narrowed to those who may be contacted (one query, for campaigns)."""
    latest = Consent.objects.filter(channel=channel, purpose=purpose).filter(
        Q(contact=OuterRef("pk")) | Q(account_id=OuterRef("account_id"), contact__isnull=True)
    ).order_by("-at", "-id").values("granted")[:1]
    annotated = contacts.annotate(_consent=Subquery(latest, output_field=BooleanField()))
    address_field = {"email": "email", "wechat": "wechat"}.get(channel, "mobile")
    withdrawn_address = Consent.objects.filter(
        channel=channel, purpose=purpose, address=OuterRef(address_field),
        account__isnull=True, contact__isnull=True, granted=False)
    annotated = annotated.exclude(Exists(withdrawn_address))
    if purpose not in NEEDS_CONSENT:
        return annotated.exclude(_consent=False)
    allowed = Q(_consent=True)
    if not company_needs_opt_in():
        allowed |= Q(_consent__isnull=True) & ~Q(account__kind=Account.Kind.PERSON)
    return annotated.filter(allowed)


# --- Recording -------------------------------------------------------------------------------

def _check(channel: str, purpose: str, source: str) -> None:
    errors: dict[str, list[str]] = {}
    if channel not in CHANNELS:
        errors["channel"] = [_("Choose a channel.")]
    if purpose not in PURPOSES:
        errors["purpose"] = [_("Choose a purpose.")]
    if source not in Consent.Source.values:
        errors["source"] = [_("Choose a source.")]
    if errors:
        raise FieldErrors(errors)


@transaction.atomic
def record(actor: User | None, person: Person | None, *, channel: str, purpose: str,
           granted: bool, source: str, evidence: str = "", address: str = "",
           at: dt.datetime | None = None) -> Consent:
    """Add one consent statement (given or withdrawn) to the history."""
    _check(channel, purpose, source)
    if actor is not None and source == Consent.Source.STAFF and not (evidence or "").strip():
        raise FieldErrors({"evidence": [_("Say how the person gave or withdrew consent "
                                          "(a call on …, a signed form, an e-mail).")]})
    contact = person if isinstance(person, Contact) else None
    account = person.account if isinstance(person, Contact) else person
    if account is not None and actor is not None:
        from guanxi.customers.selectors import visible_accounts

        if not visible_accounts(actor).filter(pk=account.pk).exists():
            raise DomainError(_("You may not record consent for this customer."), code="forbidden")
    address = normalise_address(address)
    if person is None and not address:
        raise FieldErrors({"address": [_("Give the person or the address.")]})
    row = Consent.objects.create(
        account=account, contact=contact, address=address, channel=channel, purpose=purpose,
        granted=granted, source=source, evidence=(evidence or "")[:4000],
        recorded_by=actor if getattr(actor, "pk", None) else None, at=at or timezone.now())
    if account is not None:
        from guanxi.customers.services.common import add_event

        title = (gettext_noop("Consent given: %(channel)s, %(purpose)s") if granted
                 else gettext_noop("Consent withdrawn: %(channel)s, %(purpose)s"))
        add_event(account, "customers.consent", title, actor, contact=contact,
                  params={"channel": Consent.Channel(channel).label,
                          "purpose": Consent.Purpose(purpose).label},
                  body=row.evidence, data={"consent": row.pk}, at=row.at)
    audit.log(actor, "customers.consent.recorded", row,
              data={"channel": channel, "purpose": purpose, "granted": granted,
                    "source": source})
    return row


def history(person: Person) -> QuerySet[Consent]:
    if isinstance(person, Contact):
        return Consent.objects.filter(Q(contact=person) | Q(account_id=person.account_id,
                                                             contact__isnull=True))
    return Consent.objects.filter(account=person)


def summary(person: Person) -> list[dict[str, Any]]:
    """The current state per channel and purpose, for the 360° card: one query for them all."""
    who = Q()
    for ch in CHANNELS:
        who |= _who(person, ch) & Q(channel=ch)
    latest: dict[tuple[str, str], Consent] = {}
    for row in Consent.objects.filter(who).order_by("-at", "-id"):
        latest.setdefault((row.channel, row.purpose), row)
    personal = _is_personal(person)
    return [{"channel": Consent.Channel(ch).label, "purpose": Consent.Purpose(p).label,
             "channel_key": ch, "purpose_key": p,
             "decision": _decision(latest.get((ch, p)), personal, p),
             "row": latest.get((ch, p))}
            for ch in CHANNELS for p in PURPOSES]


# --- Unsubscribe (one click, RFC 8058) -------------------------------------------------------

def unsubscribe_token(person: Person | None, channel: str = "email",
                      purpose: str = "marketing", address: str = "") -> str:
    payload: dict[str, Any] = {"ch": channel, "p": purpose,
                               "e": normalise_address(address)}
    if isinstance(person, Contact):
        payload["c"] = person.pk
    elif isinstance(person, Account):
        payload["a"] = person.pk
    return signing.dumps(payload, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> dict[str, Any]:
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature as exc:
        raise DomainError(_("This unsubscribe link is not valid."), code="bad_token") from exc
    if payload.get("ch") not in CHANNELS or payload.get("p") not in PURPOSES:
        raise DomainError(_("This unsubscribe link is not valid."), code="bad_token")
    return payload


def _person_of(payload: dict[str, Any]) -> Person | None:
    if payload.get("c"):
        return Contact.objects.select_related("account").filter(pk=payload["c"]).first()
    if payload.get("a"):
        return Account.objects.filter(pk=payload["a"]).first()
    return None


def unsubscribe_url(token: str) -> str:
    from django.urls import reverse

    return settings.GUANXI_SITE_URL.rstrip("/") + reverse("customers:unsubscribe",
                                                          args=[token])


def unsubscribe_headers(token: str) -> dict[str, str]:
    """``List-Unsubscribe`` and ``List-Unsubscribe-Post`` (RFC 8058: one-click by POST)."""
    return {"List-Unsubscribe": f"<{unsubscribe_url(token)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def unsubscribe(token: str, evidence: str = "") -> Consent | None:
    """Withdraw the consent the link names; None when it was already withdrawn."""
    payload = read_unsubscribe_token(token)
    person = _person_of(payload)
    channel, purpose, address = payload["ch"], payload["p"], payload.get("e", "")
    if person is not None:
        row = current(person, channel, purpose)
    else:
        row = Consent.objects.filter(address=address, channel=channel, purpose=purpose) \
            .order_by("-at", "-id").first()
    if row is not None and not row.granted:
        return None
    return record(None, person, channel=channel, purpose=purpose, granted=False,
                  source=Consent.Source.UNSUBSCRIBE, address=address,
                  evidence=evidence or _("Unsubscribe link followed."))


# --- Double opt-in for web forms -------------------------------------------------------------

def opt_in_token(address: str, purpose: str = "marketing", channel: str = "email",
                 contact: Contact | None = None, evidence: str = "") -> str:
    payload = {"e": normalise_address(address), "p": purpose, "ch": channel,
               "c": contact.pk if contact else None, "ev": evidence[:500],
               "t": timezone.now().isoformat()}
    return signing.dumps(payload, salt=OPT_IN_SALT, compress=True)


def request_opt_in(address: str, *, purpose: str = "marketing", contact: Contact | None = None,
                   evidence: str = "", language: str = "") -> str:
    """Send the confirmation e-mail of a web form's consent box: the consent counts only once
    the link in it is followed (double opt-in). Returns the token."""
    from django.core import mail
    from django.urls import reverse
    from django.utils import translation

    token = opt_in_token(address, purpose, contact=contact, evidence=evidence)
    link = settings.GUANXI_SITE_URL.rstrip("/") + reverse("customers:confirm_consent",
                                                          args=[token])
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = _("Please confirm your subscription")
        body = _("You asked to hear from us. Please confirm by following this link within "
                 "seven days:\n\n%(link)s\n\nIf it was not you, ignore this e-mail: nothing "
                 "will be sent to you.") % {"link": link}
    mail.send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [normalise_address(address)])
    return token


def confirm_opt_in(token: str) -> Consent | None:
    """Record the consent a confirmation link stands for; None if it was already current."""
    try:
        payload = signing.loads(token, salt=OPT_IN_SALT, max_age=OPT_IN_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise DomainError(_("This confirmation link has expired; please fill in the form "
                            "again."), code="expired") from exc
    except signing.BadSignature as exc:
        raise DomainError(_("This confirmation link is not valid."), code="bad_token") from exc
    contact = Contact.objects.filter(pk=payload.get("c")).first() if payload.get("c") else None
    channel, purpose, address = payload["ch"], payload["p"], payload["e"]
    row = current(contact, channel, purpose) if contact else Consent.objects.filter(
        address=address, channel=channel, purpose=purpose, account__isnull=True,
        contact__isnull=True).order_by("-at", "-id").first()
    if row is not None and row.granted:
        return None
    evidence = _("Double opt-in: asked on %(asked)s, confirmed by the link sent to %(address)s. "
                 "%(form)s") % {"asked": payload["t"][:16].replace("T", " "),
                                "address": address, "form": payload.get("ev", "")}
    return record(None, contact, channel=channel, purpose=purpose, granted=True,
                  source=Consent.Source.FORM, evidence=evidence.strip(),
                  address="" if contact else address)
