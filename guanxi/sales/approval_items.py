"""Key-account support requests in the one approvals inbox (``core.approvals``)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guanxi.core.access import get_visible
from guanxi.core.approvals import APPROVE, Figure, Item, Provider
from guanxi.core.errors import FieldErrors
from guanxi.sales import permissions as perms
from guanxi.sales.models import SupportRequest
from guanxi.sales.selectors import work as sel
from guanxi.sales.services import activities as svc

INBOX_SIZE = 100


def waiting(user: Any) -> list[Item]:
    if not perms.can_decide_support_requests(user):
        return []
    rows = (sel.support_inbox(user).filter(status=SupportRequest.Status.PENDING)
            [:INBOX_SIZE])
    items = []
    for r in rows:
        activity = r.activity
        figures = [Figure(_("When"), activity.starts_at, "datetime")]
        if r.budget is not None:
            figures.append(Figure(_("Budget"), r.budget, "money", r.currency))
        if r.people:
            figures.append(Figure(_("People"), r.people))
        if r.samples:
            figures.append(Figure(_("Samples"), r.samples))
        items.append(Item(
            kind="support", id=r.pk, title=activity.subject,
            url=reverse("sales:activity_detail", args=[activity.pk]), version=r.version,
            since=r.requested_at,
            account=activity.account.name if activity.account_id else "",
            submitted_by=str(r.requested_by or ""), figures=figures, needs_comment=False))
    return items


def count(user: Any) -> int:
    if not perms.can_decide_support_requests(user):
        return 0
    return sel.pending_support_count(user)


def decide(user: Any, kind: str, pk: int, decision: str, comment: str,
           version: int | None) -> None:
    if decision not in ("approve", "reject"):
        raise FieldErrors({"decision": [str(_("Choose approve or decline."))]})
    request = get_visible(sel.visible_support_requests(user), pk=pk)
    svc.decide_support(user, request, decision == APPROVE, comment,
                       version if version is not None else request.version)


PROVIDER = Provider(
    name="sales.support", kinds={"support": _("Support request")}, waiting=waiting,
    count=count, decide=decide, order=30, group=_("Sales"))
