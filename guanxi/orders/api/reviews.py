"""API: reviews (what waits for me, one review with its steps, deciding, withdrawing) and the
review steps of each flow (administrators)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from guanxi.core.access import get_visible
from guanxi.core.errors import DomainError, Forbidden
from guanxi.core.schemas import Id, Int, Version
from guanxi.core.selectors import keyset_page
from guanxi.orders import permissions as perms
from guanxi.orders.models import Review, ReviewRule, ReviewStep
from guanxi.orders.selectors import reviews as sel
from guanxi.orders.services import reviews as engine

router = Router(tags=["Reviews"])


class ReviewStepOut(Schema):
    id: int
    position: int
    name: str
    name_en: str
    name_zh: str
    approver_role: str
    approver_id: int | None
    status: str
    started_at: dt.datetime | None
    due_hours: int
    overdue: bool
    waiting_hours: int
    decided_by_id: int | None
    decided_at: dt.datetime | None
    comment: str


class ReviewOut(Schema):
    id: int
    flow: str
    subject_id: int
    subject: str
    subject_url: str
    account_id: int | None
    team_id: int | None
    status: str
    reason: str
    submitted_by_id: int | None
    submitted_at: dt.datetime
    finished_at: dt.datetime | None
    version: int = Field(description="Send it back with a decision or a withdrawal")
    waiting_step: int | None = Field(description="Position of the step waiting, if any")
    waiting_since: dt.datetime | None
    overdue: bool
    can_decide: bool
    steps: list[ReviewStepOut]


class WaitingItem(Schema):
    step: ReviewStepOut
    review: ReviewOut


class WaitingPage(Schema):
    items: list[WaitingItem]
    next: str | None = Field(description="Pass as `cursor` for the next page; null at the end")


class ReviewDecisionIn(Schema):
    decision: Literal["approve", "reject", "return"]
    comment: str = Field("", description="Required to reject or return", max_length=2000)
    version: Version


class WithdrawIn(Schema):
    version: Version


def _step(step: ReviewStep, now: dt.datetime) -> dict:
    return {"id": step.pk, "position": step.position, "name": step.label,
            "name_en": step.name_en, "name_zh": step.name_zh,
            "approver_role": step.approver_role, "approver_id": step.approver_id,
            "status": step.status, "started_at": step.started_at, "due_hours": step.due_hours,
            "overdue": engine.is_overdue(step, now),
            "waiting_hours": engine.waiting_hours(step, now),
            "decided_by_id": step.decided_by_id, "decided_at": step.decided_at,
            "comment": step.comment}


def _review(review: Review, user, now: dt.datetime, url: str | None = None) -> dict:
    current = review.current_step
    return {"id": review.pk, "flow": review.flow, "subject_id": review.subject_id,
            "subject": review.subject_repr,
            "subject_url": engine.subject_url(review) if url is None else url,
            "account_id": review.account_id, "team_id": review.team_id,
            "status": review.status, "reason": review.reason,
            "submitted_by_id": review.submitted_by_id, "submitted_at": review.submitted_at,
            "finished_at": review.finished_at, "version": review.version,
            "waiting_step": current.position if current else None,
            "waiting_since": current.started_at if current else None,
            "overdue": bool(current) and engine.is_overdue(current, now),
            "can_decide": perms.can_decide_review(user, review, current),
            "steps": [_step(s, now) for s in review.steps.all()]}


@router.get("/reviews/waiting", response=WaitingPage)
def waiting(request: HttpRequest, cursor: str | None = None, limit: Int = 50):
    """Review steps waiting for your decision across quotes, contracts, orders and expenses,
    longest waiting first; keyset pages: follow `next` until it is null."""
    qs = sel.waiting_for(request.auth).prefetch_related("review__steps")
    page = keyset_page(qs, "started_at", cursor, max(1, min(limit, 200)))
    now = timezone.now()
    subjects = engine.subjects_of([s.review for s in page.items])
    items = [{"step": _step(s, now),
              "review": _review(s.review, request.auth, now,
                                engine.url_of(s.review, subjects.get(s.review_id)))}
             for s in page.items]
    return {"items": items, "next": page.next}


@router.get("/reviews/{review_id}", response=ReviewOut)
def get_review(request: HttpRequest, review_id: Id):
    """One review: its steps, which one waits since when, and whether it is overdue. Seen by
    the submitter, the deciders of its steps and whoever sees the document."""
    return _review(sel.get_review(request.auth, review_id), request.auth, timezone.now())


@router.post("/reviews/{review_id}/decide", response=ReviewOut)
def decide(request: HttpRequest, review_id: Id, payload: ReviewDecisionIn):
    """Approve, reject or return the waiting step (reject and return need a comment)."""
    review = sel.get_review(request.auth, review_id)
    engine.decide(request.auth, review, payload.decision, payload.comment, payload.version)
    return _review(sel.get_review(request.auth, review_id), request.auth, timezone.now())


@router.post("/reviews/{review_id}/withdraw", response=ReviewOut)
def withdraw(request: HttpRequest, review_id: Id, payload: WithdrawIn):
    """The submitter takes a pending review back (flows that allow it here; others withdraw
    through their own document's endpoint)."""
    review = sel.get_review(request.auth, review_id)
    if not perms.can_withdraw_review(request.auth, review):
        raise Forbidden(_("Only whoever submitted it can withdraw it."))
    if not engine.withdrawable(review):
        raise DomainError(_("Withdraw it from the document's own page."),
                          code="withdraw_on_document")
    engine.withdraw(request.auth, review, version=payload.version)
    return _review(sel.get_review(request.auth, review_id), request.auth, timezone.now())


# --- Review steps (administrators) -----------------------------------------------------------

class ReviewRuleOut(Schema):
    id: int
    flow: str
    position: int
    name_en: str
    name_zh: str
    approver_role: str
    approver_id: int | None
    condition: str
    threshold: Decimal | None
    due_hours: int
    active: bool
    version: int


class ReviewRuleIn(Schema):
    flow: Literal["quote", "contract", "order", "expense"]
    name_en: str = Field(max_length=80)
    name_zh: str = Field("", max_length=80)
    approver_role: str = Field("", description="A role code; or name `approver_id`")
    approver_id: Id | None = None
    condition: Literal["always", "over_customer_rate", "over_company_limit",
                       "amount_at_least"] = "always"
    threshold: Decimal | None = None
    due_hours: Int = 48


class ReviewRulePatch(Schema):
    version: Version
    name_en: str | None = Field(None, max_length=80)
    name_zh: str | None = Field(None, max_length=80)
    approver_role: str | None = None
    approver_id: Id | None = None
    condition: Literal["always", "over_customer_rate", "over_company_limit",
                       "amount_at_least"] | None = None
    threshold: Decimal | None = None
    due_hours: Int | None = None
    active: bool | None = None


def _admin(request: HttpRequest) -> None:
    if not perms.can_edit_review_rules(request.auth):
        raise Forbidden(_("Only administrators change the review steps."))


def _rule_data(data: dict) -> dict:
    if "approver_id" in data:
        data["approver"] = data.pop("approver_id")
    return data


@router.get("/review-rules", response=list[ReviewRuleOut])
def list_rules(request: HttpRequest, flow: str | None = None):
    """The review steps of every flow (or one), in order, inactive ones included."""
    _admin(request)
    qs = ReviewRule.objects.order_by("flow", "position", "id")
    return list(qs.filter(flow=flow) if flow else qs)


@router.post("/review-rules", response={201: ReviewRuleOut})
def create_rule(request: HttpRequest, payload: ReviewRuleIn):
    """Add a last step to a flow; reviews under way keep their steps."""
    _admin(request)
    data = _rule_data(payload.model_dump())
    flow = data.pop("flow")
    return Status(201, engine.create_rule(request.auth, flow, data))


@router.patch("/review-rules/{rule_id}", response=ReviewRuleOut)
def update_rule(request: HttpRequest, rule_id: Id, payload: ReviewRulePatch):
    """Change a step (or deactivate it with `active: false`); reviews under way keep theirs."""
    _admin(request)
    rule = get_visible(ReviewRule.objects.all(), pk=rule_id)
    data = _rule_data(payload.model_dump(exclude_unset=True))
    version = data.pop("version")
    return engine.update_rule(request.auth, rule, version, data)
