"""Review steps (quote discounts, contracts, custom orders, expenses) in the one approvals
inbox (``core.approvals``), read and decided through the review engine."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core.approvals import Figure, Item, Provider
from guanxi.core.errors import NotFound
from guanxi.orders.models import Flow
from guanxi.orders.selectors import reviews as sel
from guanxi.orders.services import reviews as engine

INBOX_SIZE = 200
# The inbox kinds of the flows; a quote's review is about its discount.
KIND_OF = {Flow.QUOTE: "discount", Flow.CONTRACT: "contract", Flow.ORDER: "order",
           Flow.EXPENSE: "expense"}
FLOW_OF = {kind: flow for flow, kind in KIND_OF.items()}
# Routine: the row's figures say all there is to judge, so bulk approve may take them.
ROUTINE = {"discount", "expense"}


def _amount(subject: Any) -> tuple[Any, str]:
    for name in ("total", "amount", "net_amount"):
        value = getattr(subject, name, None)
        if value is not None:
            return value, getattr(subject, "currency", "")
    return None, ""


def _figures(kind: str, subject: Any, review: Any) -> list[Figure]:
    amount, currency = _amount(subject)
    out: list[Figure] = []
    if amount is not None:
        out.append(Figure(_("Amount"), amount, "money", currency))
    if kind == "discount" and subject is not None:
        asked = max(subject.max_discount, subject.discount_percent)
        rate = review.account.discount_rate if review.account_id else None
        out.append(Figure(_("Discount asked"), asked, "percent", warn=True))
        if rate is not None:
            out.append(Figure(_("Customer's approved rate"), rate, "percent"))
            out.append(Figure(_("Beyond the approved rate"), asked - rate, "points",
                              warn=asked > rate))
        out.append(Figure(_("Discount given"), subject.discount_amount, "money", currency))
    if kind == "expense" and subject is not None:
        out.append(Figure(_("Category"), subject.get_category_display()))
    return out


def waiting(user: Any) -> list[Item]:
    steps = list(sel.waiting_for(user).select_related("review__team")
                 .prefetch_related("review__steps")[:INBOX_SIZE])
    subjects = engine.subjects_of([s.review for s in steps])
    now = timezone.now()
    items = []
    for step in steps:
        review = step.review
        kind = KIND_OF.get(review.flow)
        if kind is None:
            continue
        subject = subjects.get(review.pk)
        items.append(Item(
            kind=kind, id=review.pk, title=review.subject_repr,
            url=engine.url_of(review, subject), version=review.version, since=step.started_at,
            account=review.account.name if review.account_id else "",
            submitted_by=str(review.submitted_by or ""), step=step.label, note=review.reason
            if kind != "discount" else "",
            figures=_figures(kind, subject, review), needs_comment=kind not in ROUTINE,
            can_return=True, overdue=engine.is_overdue(step, now)))
    return items


def count(user: Any) -> int:
    return sel.waiting_for(user).count()


def decide(user: Any, kind: str, pk: int, decision: str, comment: str,
           version: int | None) -> None:
    review = sel.get_review(user, pk)
    if review.flow != FLOW_OF.get(kind):
        raise NotFound()
    engine.decide(user, review, decision, comment, version)


PROVIDER = Provider(
    name="orders.reviews",
    kinds={"discount": _("Quote discount"), "contract": _("Contract"),
           "order": _("Order"), "expense": _("Expense")},
    waiting=waiting, count=count, decide=decide, order=20, group=_("Documents"))
