"""Template tags of the review panel (on every reviewed document's page), the approvals
inbox and the navigation badge."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

from guanxi.accounts.models import Role
from guanxi.orders import permissions as perms
from guanxi.orders.models import Review, ReviewStep
from guanxi.orders.services import reviews as engine

register = template.Library()

STEP_PILLS = {
    ReviewStep.Status.WAITING: "pill-pending", ReviewStep.Status.APPROVED: "pill-approved",
    ReviewStep.Status.REJECTED: "pill-rejected", ReviewStep.Status.RETURNED: "pill-rejected",
    ReviewStep.Status.QUEUED: "pill-neutral", ReviewStep.Status.CANCELLED: "pill-neutral",
}
REVIEW_PILLS = {
    Review.Status.PENDING: "pill-pending", Review.Status.APPROVED: "pill-approved",
    Review.Status.REJECTED: "pill-rejected", Review.Status.RETURNED: "pill-rejected",
    Review.Status.WITHDRAWN: "pill-neutral",
}


def who_decides(step: ReviewStep, review: Review) -> dict[str, Any]:
    """A named person, or a role (managers: over the document's team)."""
    if step.approver_id:
        return {"person": step.approver, "role": "", "team": None}
    role = Role(step.approver_role).label if step.approver_role in Role.values else ""
    team = review.team if step.approver_role == Role.MANAGER else None
    return {"person": None, "role": role, "team": team}


def step_rows(review: Review, now: dt.datetime) -> list[dict[str, Any]]:
    rows = []
    for step in review.steps.all():
        rows.append({
            "step": step, "label": step.label, "status": step.get_status_display(),
            "pill": STEP_PILLS.get(step.status, "pill-neutral"),
            "waiting": step.status == ReviewStep.Status.WAITING,
            "hours": engine.waiting_hours(step, now),
            "overdue": engine.is_overdue(step, now),
            **who_decides(step, review)})
    return rows


@register.simple_tag(takes_context=True)
def review_panel(context: template.Context, review: Review | None) -> dict[str, Any] | None:
    """Everything the panel shows for the signed-in user; None without a review."""
    if review is None:
        return None
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    now = timezone.now()
    step = review.current_step
    pending = review.status == Review.Status.PENDING
    authenticated = bool(getattr(user, "is_authenticated", False))
    return {
        "review": review, "steps": step_rows(review, now), "current": step,
        "pill": REVIEW_PILLS.get(review.status, "pill-neutral"),
        "can_decide": authenticated and perms.can_decide_review(user, review, step),
        "can_withdraw": authenticated and pending and engine.withdrawable(review) and (
            review.submitted_by_id == user.pk),
        # Re-rendered after a decision, the panel keeps the page it sits on.
        "next": context.get("return_to") or (request.get_full_path() if request else ""),
    }
