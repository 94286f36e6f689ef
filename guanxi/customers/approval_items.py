"""New customers and terms change requests in the one approvals inbox (``core.approvals``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guanxi.core.access import get_visible
from guanxi.core.approvals import APPROVE, Figure, Item, Provider
from guanxi.core.errors import FieldErrors
from guanxi.customers import selectors, services
from guanxi.customers.models import Account, TermsChangeRequest
from guanxi.customers.permissions import can_decide_approvals

INBOX_SIZE = 100
MONEY_FIELDS = {"credit_limit"}
PERCENT_FIELDS = {"discount_rate"}


def _figure_kind(name: str) -> str:
    if name in MONEY_FIELDS:
        return "money"
    if name in PERCENT_FIELDS:
        return "percent"
    return "text"


def _term_figures(changes: dict[str, Any]) -> list[Figure]:
    """Each changed term as two figures, before and after, labelled and typed."""
    out: list[Figure] = []
    for name, (old, new) in changes.items():
        try:
            field = Account._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        labels = dict(field.choices or ())
        kind = _figure_kind(name)
        label = str(field.verbose_name).capitalize()
        out.append(Figure(_("%(term)s now") % {"term": label}, labels.get(old, old), kind))
        out.append(Figure(_("%(term)s asked") % {"term": label}, labels.get(new, new), kind,
                          warn=True))
    return out


def waiting(user: Any) -> list[Item]:
    if not can_decide_approvals(user):
        return []
    items: list[Item] = []
    for account in selectors.pending_approvals(user).select_related("team").order_by(
            "created_at")[:INBOX_SIZE]:
        items.append(Item(
            kind="customer", id=account.pk, title=account.name,
            url=reverse("customers:detail", args=[account.pk]), version=account.version,
            since=account.created_at, account=account.name,
            submitted_by=str(account.created_by or ""), needs_comment=False,
            figures=[Figure(_("Owner"), str(account.owner or "—")),
                     Figure(_("Team"), str(account.team or "—")),
                     Figure(_("Completeness"), account.completeness, "percent")]))
    S = TermsChangeRequest.Status
    for req in selectors.terms_requests_waiting_for(user).order_by(
            "status_since", "id")[:INBOX_SIZE]:
        items.append(Item(
            kind="terms", id=req.pk, title=req.account.name,
            url=reverse("customers:detail", args=[req.account_id]), version=req.version,
            since=req.status_since, account=req.account.name,
            submitted_by=str(req.requested_by or ""), note=req.reason,
            step=str(_("Market manager") if req.status == S.MANAGER else _("Finance")),
            figures=_term_figures(req.changes), needs_comment=True))
    return items


def count(user: Any) -> int:
    if not can_decide_approvals(user):
        return 0
    return (selectors.pending_approvals(user).count()
            + selectors.terms_requests_waiting_for(user).count())


def decide(user: Any, kind: str, pk: int, decision: str, comment: str,
           version: int | None) -> None:
    if decision not in ("approve", "reject"):
        raise FieldErrors({"decision": [str(_("Choose approve or reject."))]})
    approve = decision == APPROVE
    if kind == "customer":
        account = selectors.get_account(user, pk)
        services.decide_new_customer(user, account, approve, comment, version=version)
    else:
        req = get_visible(selectors.visible_terms_requests(user)
                          .select_related("account", "requested_by"), pk=pk)
        services.decide_terms_change(user, req, approve, comment, version=version)


PROVIDER = Provider(
    name="customers", kinds={"customer": _("New customer"), "terms": _("Terms change")},
    waiting=waiting, count=count, decide=decide, order=10, group=_("Customers"))
