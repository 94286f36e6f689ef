"""What the lead page shows of the score and of the lead's history, in the reader's language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.sales.models import Lead
from guanxi.sales.selectors.leads import routing_history


def score_rows(lead: Lead) -> list[tuple[str, int]]:
    rows = []
    for item in lead.score_detail or []:
        try:
            msgid, points = item
        except (TypeError, ValueError):
            continue
        rows.append((_(msgid), points))
    return rows


def _text(entry: Any, names: dict[int, str]) -> str:
    data, changes = entry.data or {}, entry.changes or {}
    action = entry.action.removeprefix("sales.lead.")
    if action == "assigned":
        owner = names.get((changes.get("owner") or [None, None])[1], "")
        how = {"rule": _("by the routing rule “%(rule)s”") % {"rule": data.get("rule_name")},
               "manual": _("by hand"), "revisit": _("back from nurturing"),
               "owner": _("their own lead")}.get(data.get("reason"), "")
        if not owner:
            return _("Assigned %(how)s") % {"how": how}
        return _("Assigned to %(owner)s %(how)s") % {"owner": owner, "how": how}
    if action == "nurtured":
        return _("Nurtured; back to a rep on %(date)s") % {"date": data.get("revisit_on")}
    if action == "disqualified":
        return _("Disqualified: %(reason)s") % {"reason": data.get("reason", "")}
    labels = {
        "created": _("Entered"),
        "updated": _("Edited"),
        "unrouted": _("No routing rule matched: waiting for a manager"),
        "pull_forward_task": _("Task for the rep: try to bring the purchase forward"),
        "material_queued": _("Material e-mail queued"),
        "material_waiting": _("No e-mail address: material waits to be sent"),
        "material_sent": _("Material e-mailed"),
        "converted": _("Converted into customer, contact and opportunity"),
    }
    return labels.get(action, entry.action)


def history_rows(lead: Lead) -> list[dict[str, Any]]:
    entries = list(routing_history(lead))
    owner_ids = {(e.changes or {}).get("owner", [None, None])[1] for e in entries
                 if e.action == "sales.lead.assigned"} - {None}
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=owner_ids)}
    return [{"at": e.at, "actor": e.actor, "text": _text(e, names)} for e in entries]
