"""Sales on the customer's timeline: the kinds and the entries its events add."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from guanxi.core.events import Event
from guanxi.customers.timeline import Entry, register_kind, renders, subject

KINDS = {
    "sales.lead": ("person-lines-fill", _("Lead")),
    "sales.call": ("telephone", _("Call")),
    "sales.visit": ("geo", _("Visit")),
    "sales.meeting": ("people", _("Meeting")),
    "sales.email": ("envelope", _("E-mail")),
    "sales.note": ("chat-left-text", _("Note")),
    "sales.campaign": ("flag", _("Campaign")),
    "sales.support_request": ("life-preserver", _("Support request")),
    "sales.task": ("check2-square", _("Task")),
    "sales.opportunity": ("briefcase", _("Opportunity")),
    "sales.stage": ("signpost-split", _("Stage change")),
}


def register() -> None:
    for key, (icon, label) in KINDS.items():
        register_kind(key, icon, label)


def _stage(stage) -> dict[str, str]:
    """A pipeline stage's name in both languages: each reader sees their own."""
    return {"en": stage.name_en, "zh": stage.name_zh}


# --- Leads -----------------------------------------------------------------------------------

def _lead(event: Event, title: str, params: dict | None = None) -> Entry | None:
    lead = subject(event)
    if not lead.account_id:
        return None
    return Entry(lead.account_id, event.type, title,
                 params={"lead": str(lead), **(params or {})}, data={"lead": lead.pk})


@renders("sales.lead.created")
def _lead_created(event: Event) -> Entry | None:
    return _lead(event, gettext_noop("Lead entered: %(lead)s"))


@renders("sales.lead.updated")
def _lead_updated(event: Event) -> Entry | None:
    return _lead(event, gettext_noop("Lead updated: %(lead)s"))


@renders("sales.lead.assigned")
def _lead_assigned(event: Event) -> Entry | None:
    if event.data.get("reason") != "manual":
        return None  # routed by a rule: the lead's own history tells it
    return _lead(event, gettext_noop("Lead %(lead)s handed to %(owner)s"),
                 {"owner": subject(event).owner or "—"})


@renders("sales.lead.disqualified")
def _lead_disqualified(event: Event) -> Entry | None:
    return _lead(event, gettext_noop("Lead disqualified: %(lead)s (%(reason)s)"),
                 {"reason": event.data.get("reason", "")})


@renders("sales.lead.converted")
def _lead_converted(event: Event) -> Entry:
    lead = subject(event)
    return Entry(event.data["account"], "sales.lead.converted",
                 gettext_noop("Converted from lead %(lead)s"), params={"lead": str(lead)},
                 data={"lead": lead.pk, "opportunity": event.data.get("opportunity")},
                 contact_id=event.data.get("contact"))


# --- Opportunities ---------------------------------------------------------------------------

@renders("sales.opportunity.created")
def _opportunity_opened(event: Event) -> Entry:
    opp = subject(event)
    return Entry(opp.account_id, "sales.opportunity", gettext_noop(
        "Opportunity “%(name)s” opened (%(stage)s, %(amount)s %(currency)s)"),
        params={"name": opp.name, "stage": _stage(opp.stage), "amount": opp.amount,
                "currency": opp.currency}, data={"opportunity": opp.pk},
        at=opp.created_at)


@renders("sales.opportunity.stage_changed")
def _stage_changed(event: Event) -> Entry:
    from guanxi.sales.models import Stage
    opp = subject(event)
    old_key, new_key = event.changes["stage"]
    previous = Stage.objects.get(pipeline_id=opp.pipeline_id, key=old_key)
    target = opp.stage
    if target.kind == Stage.Kind.WON:
        title = gettext_noop("Opportunity “%(name)s” won (%(amount)s %(currency)s)")
    elif target.kind == Stage.Kind.LOST:
        title = gettext_noop("Opportunity “%(name)s” lost (%(amount)s %(currency)s)")
    else:
        title = gettext_noop("Opportunity “%(name)s”: stage changed from %(from)s to %(to)s")
    return Entry(opp.account_id, "sales.stage", title,
                 params={"name": opp.name, "from": _stage(previous), "to": _stage(target),
                         "amount": opp.amount, "currency": opp.currency},
                 body=opp.loss_note, data={"opportunity": opp.pk, "from": old_key,
                                           "to": new_key}, at=opp.stage_changed_at)


# --- Activities, support requests, tasks, e-mail ---------------------------------------------

def _activity(event: Event, title: str, at=None) -> Entry | None:
    activity = subject(event)
    if activity.account_id is None:
        return None
    return Entry(activity.account_id, f"sales.{activity.kind}", title,
                 params={"subject": activity.subject}, body=activity.body[:5000],
                 contact_id=activity.contact_id, at=at, data={"activity": activity.pk})


@renders("sales.activity.created")
def _activity_logged(event: Event) -> Entry | None:
    from guanxi.sales.services.activities import DONE_TITLES, PLANNED_TITLES
    activity = subject(event)
    if activity.status == "done":
        return _activity(event, DONE_TITLES[activity.kind], activity.starts_at)
    return _activity(event, PLANNED_TITLES[activity.kind])


@renders("sales.activity.done")
def _activity_done(event: Event) -> Entry | None:
    from guanxi.sales.services.activities import DONE_TITLES
    activity = subject(event)
    return _activity(event, DONE_TITLES[activity.kind], activity.starts_at)


@renders("sales.activity.cancelled")
def _activity_cancelled(event: Event) -> Entry | None:
    from guanxi.sales.services.activities import CANCELLED_TITLE
    return _activity(event, CANCELLED_TITLE)


def _support_closed(event: Event) -> Entry | None:
    from guanxi.sales.services.activities import SUPPORT_TITLES
    request = subject(event)
    activity = request.activity
    if activity.account_id is None:
        return None
    status = event.type.rsplit(".", 1)[1]
    return Entry(activity.account_id, "sales.support_request", SUPPORT_TITLES[status],
                 params={"subject": activity.subject}, body=event.data.get("comment") or "",
                 data={"activity": activity.pk, "support_request": request.pk})


for _status in ("approved", "declined", "withdrawn"):
    renders(f"sales.support_request.{_status}")(_support_closed)


@renders("sales.task.done")
def _task_done(event: Event) -> Entry | None:
    task = subject(event)
    if task.account_id is None:
        return None
    return Entry(task.account_id, "sales.task", gettext_noop("Task done: %(title)s"),
                 params={"title": task.title}, data={"task": task.pk}, at=task.done_at)


@renders("sales.email.sent")
def _email_sent(event: Event) -> Entry | None:
    row = subject(event)
    if row.account_id is None:
        return None
    return Entry(row.account_id, "sales.email", gettext_noop("E-mail sent: %(subject)s"),
                 params={"subject": row.subject}, body=row.body[:5000],
                 contact_id=row.contact_id, at=row.at,
                 data={"email": row.pk, "to": row.to})


@renders("sales.email.received")
def _email_received(event: Event) -> Entry | None:
    row = subject(event)
    if row.account_id is None:
        return None
    return Entry(row.account_id, "sales.email", gettext_noop("E-mail received: %(subject)s"),
                 params={"subject": row.subject}, body=row.body[:5000],
                 contact_id=row.contact_id, at=row.at,
                 data={"email": row.pk, "from": row.sender})
