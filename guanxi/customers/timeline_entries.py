"""The customers app's timeline kinds and the entries its own events add."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from guanxi.core.events import Event
from guanxi.customers.timeline import Entry, register_kind, renders, subject

KINDS = {
    "customers.created": ("plus-circle", _("Customer entered")),
    "customers.note": ("chat-left-text", _("Follow-up")),
    "customers.updated": ("pencil", _("Profile updated")),
    "customers.approval": ("check2-circle", _("Approval")),
    "customers.terms": ("percent", _("Terms")),
    "customers.terms_requested": ("percent", _("Terms change requested")),
    "customers.assigned": ("person-check", _("Owner changed")),
    "customers.shared": ("share", _("Shared")),
    "customers.contact_added": ("person-plus", _("Contact added")),
    "customers.contact_updated": ("person", _("Contact updated")),
    "customers.contact_removed": ("person-dash", _("Contact removed")),
    "customers.address_added": ("geo-alt", _("Address added")),
    "customers.address_updated": ("geo-alt", _("Address updated")),
    "customers.relationship": ("diagram-3", _("Relationship")),
    "customers.pool": ("water", _("Public pool")),
    "customers.claimed": ("hand-index", _("Claimed from the public pool")),
    "customers.released": ("box-arrow-up", _("Released to the public pool")),
    "customers.returned": ("water", _("Returned to the public pool")),
    "customers.merged": ("union", _("Merged")),
    "customers.standing": ("award", _("Standing")),
    "customers.consent": ("shield-check", _("Consent")),
}


def register() -> None:
    for key, (icon, label) in KINDS.items():
        register_kind(key, icon, label)


def _on_account(event: Event, kind: str, title: str, **kw) -> Entry:
    return Entry(int(event.object_id), kind, title, **kw)


@renders("customers.account.created")
def _created(event: Event) -> Entry:
    from guanxi.customers.models import Approval
    pending = subject(event).approval == Approval.PENDING
    return _on_account(event, "customers.created", gettext_noop("Customer entered"),
                       data={"pending": pending})


@renders("customers.account.updated")
def _updated(event: Event) -> Entry:
    return _on_account(event, "customers.updated", gettext_noop("Profile updated"),
                       data={"fields": sorted(event.changes)})


@renders("customers.account.assigned")
def _assigned(event: Event) -> Entry:
    return _on_account(event, "customers.assigned", gettext_noop("Owner changed to %(owner)s"),
                       params={"owner": subject(event).owner or "—"})


@renders("customers.account.claimed")
def _claimed(event: Event) -> Entry:
    return _on_account(event, "customers.claimed", gettext_noop("Claimed from the public pool"))


@renders("customers.account.released")
def _released(event: Event) -> Entry:
    return _on_account(event, "customers.released", gettext_noop("Released to the public pool"),
                       body=event.data.get("reason") or "")


@renders("customers.account.returned_to_pool")
def _returned(event: Event) -> Entry:
    return _on_account(event, "customers.returned", gettext_noop(
        "Returned to the public pool: no follow-up for %(days)s days"),
        params={"days": event.data.get("days", "")})


@renders("customers.account.shared")
def _shared(event: Event) -> Entry:
    from guanxi.accounts.models import User
    user = User.objects.filter(pk=event.data.get("user")).first()
    return _on_account(event, "customers.shared", gettext_noop("Shared with %(user)s"),
                       params={"user": user or "—"})


@renders("customers.account.merged")
def _merged(event: Event) -> Entry:
    from guanxi.customers.models import Account
    removed = event.data.get("merged")
    name = Account.objects.filter(pk=removed).values_list("name", flat=True).first() or ""
    return _on_account(event, "customers.merged", gettext_noop("Merged with %(name)s (#%(id)s)"),
                       params={"name": name, "id": removed},
                       data={"merged": removed, "moved": event.data.get("moved", {})})


@renders("customers.account.approved")
def _approved(event: Event) -> Entry:
    return _on_account(event, "customers.approval", gettext_noop("New customer approved"),
                       body=(event.data.get("comment") or "").strip())


@renders("customers.account.rejected")
def _rejected(event: Event) -> Entry:
    return _on_account(event, "customers.approval", gettext_noop("New customer rejected"),
                       body=(event.data.get("comment") or "").strip())


@renders("customers.account.standing_changed")
def _standing(event: Event) -> Entry:
    """``promote_standing`` stores why (an untranslated message and its parameters)."""
    reason = event.data.get("reason") or [gettext_noop("Standing changed"), {}]
    return _on_account(event, "customers.standing", reason[0], params=reason[1] or {},
                       data={k: v for k, v in event.data.items() if k != "reason"})


@renders("customers.terms.requested")
def _terms_requested(event: Event) -> Entry:
    req = subject(event)
    return Entry(req.account_id, "customers.terms_requested",
                 gettext_noop("Terms change requested"), body=req.reason.strip(),
                 data={"changes": event.changes, "request": req.pk})


TERMS_DECISIONS = {
    "applied": ("customers.terms_applied", gettext_noop("New terms approved and applied")),
    "finance": ("customers.terms_step",
                gettext_noop("Terms change approved by the manager; waiting for finance")),
    "rejected": ("customers.terms_rejected", gettext_noop("Terms change rejected")),
}


def _terms_decided(event: Event) -> Entry | None:
    req = subject(event)
    new_status = (event.changes.get("status") or [None, None])[1]
    if new_status not in TERMS_DECISIONS:
        return None
    kind, title = TERMS_DECISIONS[new_status]
    data = {"changes": req.changes} if new_status == "applied" else {}
    return Entry(req.account_id, kind, title, body=(event.data.get("comment") or "").strip(),
                 data=data)


for _step in ("manager", "finance"):
    for _outcome in ("approved", "rejected"):
        renders(f"customers.terms.{_step}_{_outcome}")(_terms_decided)


@renders("customers.terms.withdrawn")
def _terms_withdrawn(event: Event) -> Entry:
    return Entry(subject(event).account_id, "customers.terms_withdrawn",
                 gettext_noop("Terms change withdrawn"))


@renders("customers.contact.created")
def _contact_added(event: Event) -> Entry:
    contact = subject(event)
    return Entry(contact.account_id, "customers.contact_added",
                 gettext_noop("Contact added: %(name)s"), params={"name": contact.name},
                 contact_id=contact.pk)


@renders("customers.contact.updated")
def _contact_updated(event: Event) -> Entry:
    contact = subject(event)
    return Entry(contact.account_id, "customers.contact_updated",
                 gettext_noop("Contact updated: %(name)s"), params={"name": contact.name},
                 contact_id=contact.pk, data={"fields": sorted(event.changes)})


@renders("customers.contact.deleted")
def _contact_removed(event: Event) -> Entry:
    contact = subject(event)
    return Entry(contact.account_id, "customers.contact_removed",
                 gettext_noop("Contact removed: %(name)s"), params={"name": contact.name})


@renders("customers.address.created")
def _address_added(event: Event) -> Entry:
    address = subject(event)
    return Entry(address.account_id, "customers.address_added",
                 gettext_noop("Address added: %(address)s"), params={"address": address})


@renders("customers.address.updated")
def _address_updated(event: Event) -> Entry:
    address = subject(event)
    return Entry(address.account_id, "customers.address_updated",
                 gettext_noop("Address updated: %(address)s"), params={"address": address})


@renders("customers.relationship.created")
def _relationship(event: Event) -> list[Entry]:
    from guanxi.customers.services.records import RELATIONSHIP_TITLES
    rel = subject(event)
    a, b = rel.from_contact, rel.to_contact
    params = {"a": a.name, "b": b.name}
    accounts = dict.fromkeys([a.account_id, b.account_id])
    return [Entry(pk, "customers.relationship", RELATIONSHIP_TITLES[rel.kind], params=params)
            for pk in accounts]
