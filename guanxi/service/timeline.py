"""Cases on the customer's timeline: one kind, and the entries its events add."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from guanxi.core.events import Event
from guanxi.customers.timeline import Entry, register_kind, renders, subject


def register() -> None:
    register_kind("service.case", "headset", _("Service case"))


def _entry(event: Event, title: str, params: dict | None = None, body: str = "") -> Entry | None:
    case = subject(event)
    if case is None or not case.account_id:
        return None
    return Entry(case.account_id, "service.case", title,
                 params={"number": case.number, "subject": case.subject[:120],
                         **(params or {})},
                 body=body, data={"case": case.pk}, contact_id=case.contact_id)


@renders("service.case.created")
def _created(event: Event) -> Entry | None:
    case = subject(event)
    return _entry(event, gettext_noop("Case %(number)s opened (%(kind)s): %(subject)s"),
                  {"kind": case.get_kind_display()} if case else {})


@renders("service.case.status_changed")
def _status(event: Event) -> Entry | None:
    from guanxi.service.models import Case
    labels = dict(Case.Status.choices)
    return _entry(event, gettext_noop("Case %(number)s: %(from)s → %(to)s"),
                  {"from": labels.get(event.data.get("from"), ""),
                   "to": labels.get(event.data.get("to"), "")},
                  body=event.data.get("note", ""))


@renders("service.case.assigned")
def _assigned(event: Event) -> Entry | None:
    case = subject(event)
    return _entry(event, gettext_noop("Case %(number)s assigned to %(person)s"),
                  {"person": str(case.assignee or case.team or "—") if case else ""})


@renders("service.case.replied")
def _replied(event: Event) -> Entry | None:
    return _entry(event, gettext_noop("Reply on case %(number)s sent to %(to)s"),
                  {"to": event.data.get("to") or "—"})


@renders("service.case.mail_received")
def _mail(event: Event) -> Entry | None:
    return _entry(event, gettext_noop("E-mail from %(from)s on case %(number)s"),
                  {"from": event.data.get("from", "")})


@renders("service.case.sla_breached")
def _breached(event: Event) -> Entry | None:
    return _entry(event, gettext_noop("SLA breached on case %(number)s"))
