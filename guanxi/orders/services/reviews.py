"""The review engine shared by quote discounts, contract review, order review and expense
claims. A domain service starts a review with the facts its rules look at; deciders approve,
reject (with a comment) or return for changes (with a comment); the domain is told the
outcome through the callback it registered for its flow."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanxi.accounts.models import Role, User
from guanxi.core import audit
from guanxi.core.errors import Conflict, DomainError, FieldErrors, Forbidden
from guanxi.core.locking import check_version, save_versioned
from guanxi.core.notifications import notify
from guanxi.orders import permissions as perms
from guanxi.orders.models import Condition, Flow, Review, ReviewRule, ReviewStep

APPROVE, REJECT, RETURN = "approve", "reject", "return"
DECISIONS = (APPROVE, REJECT, RETURN)


@dataclass(frozen=True)
class Facts:
    """What the rules of a flow look at."""

    amount: Decimal = Decimal("0")
    discount: Decimal = Decimal("0")        # the largest discount off list price, in percent
    customer_rate: Decimal = Decimal("0")   # the customer's approved discount rate


# flow → (model, callback(subject, review, outcome, actor), url(subject))
Outcome = Callable[[Any, Review, str, User], None]
Withdrawn = Callable[[Any, Review, User], None]
_FLOWS: dict[str, tuple[type[Model], Outcome, Callable[[Any], str]]] = {}
_ON_WITHDRAW: dict[str, Withdrawn] = {}


def register(flow: str, model: type[Model], on_outcome: Outcome,
             url: Callable[[Any], str], on_withdraw: Withdrawn | None = None) -> None:
    """Called once per flow by its domain module: ``on_outcome`` runs in the deciding
    transaction with ``Review.Status`` APPROVED, REJECTED or RETURNED. A flow that passes
    ``on_withdraw(subject, review, actor)`` lets the submitter take the review back from the
    review panel and the approvals inbox (the callback puts the subject back to editable);
    other flows withdraw from their own pages by calling ``withdraw`` themselves."""
    _FLOWS[flow] = (model, on_outcome, url)
    if on_withdraw is not None:
        _ON_WITHDRAW[flow] = on_withdraw
    else:
        _ON_WITHDRAW.pop(flow, None)


def registered(flow: str) -> type[Model] | None:
    """The model a flow reviews, None when no domain registered it."""
    entry = _FLOWS.get(flow)
    return entry[0] if entry else None


def withdrawable(review: Review) -> bool:
    """May a pending review be withdrawn generically (panel, inbox, API)?"""
    return review.flow in _ON_WITHDRAW


def subject_of(review: Review) -> Any:
    model = _FLOWS[review.flow][0]
    return model._default_manager.get(pk=review.subject_id)


def subject_url(review: Review) -> str:
    try:
        return _FLOWS[review.flow][2](subject_of(review))
    except Exception:  # noqa: BLE001 - a link is never worth an error page
        return ""


def subjects_of(reviews: list[Review]) -> dict[int, Any]:
    """The documents of many reviews, one query per flow: review pk → subject."""
    found: dict[int, Any] = {}
    by_flow: dict[str, list[Review]] = {}
    for review in reviews:
        by_flow.setdefault(review.flow, []).append(review)
    for flow, items in by_flow.items():
        if flow not in _FLOWS:
            continue
        model = _FLOWS[flow][0]
        subjects = model._default_manager.in_bulk([r.subject_id for r in items])
        for review in items:
            if review.subject_id in subjects:
                found[review.pk] = subjects[review.subject_id]
    return found


def url_of(review: Review, subject: Any) -> str:
    """The link to an already fetched subject (see ``subjects_of``)."""
    if subject is None or review.flow not in _FLOWS:
        return ""
    try:
        return _FLOWS[review.flow][2](subject)
    except Exception:  # noqa: BLE001 - a link is never worth an error page
        return ""


def applies(rule: ReviewRule, facts: Facts) -> bool:
    threshold = rule.threshold if rule.threshold is not None else Decimal("0")
    if rule.condition == Condition.ALWAYS:
        return True
    if rule.condition == Condition.OVER_CUSTOMER_RATE:
        return facts.discount > facts.customer_rate + threshold
    if rule.condition == Condition.OVER_COMPANY_LIMIT:
        limit = rule.threshold if rule.threshold is not None \
            else settings.GUANXI_MAX_DISCOUNT_RATE
        return facts.discount > limit
    if rule.condition == Condition.AMOUNT_AT_LEAST:
        return facts.amount >= threshold
    return False


def steps_needed(flow: str, facts: Facts) -> list[ReviewRule]:
    return [r for r in ReviewRule.objects.filter(flow=flow, active=True) if applies(r, facts)]


def _team_of(subject: Any):
    return getattr(subject, "team", None)


def _start_step(step: ReviewStep, review: Review, actor: User, now: dt.datetime) -> None:
    step.status = ReviewStep.Status.WAITING
    step.started_at = now
    step.save(update_fields=["status", "started_at"])
    url = subject_url(review)
    for user in perms.deciders(step, review):
        if user.pk != review.submitted_by_id:
            notify(user, gettext_noop("%(flow)s waits for you: %(subject)s (%(step)s)"),
                   {"flow": Flow(review.flow).label, "subject": review.subject_repr,
                    "step": {"en": step.name_en, "zh": step.name_zh}},
                   kind="orders.review", url=url, actor=actor)


@transaction.atomic
def start_review(subject: Any, flow: str, actor: User, facts: Facts, *, reason: str = "",
                 now: dt.datetime | None = None) -> Review | None:
    """Start the review ``flow`` needs for ``facts``; None when no step applies (nothing to
    approve). The caller sets its own status and keeps ``subject.review``."""
    now = now or timezone.now()
    rules = steps_needed(flow, facts)
    if not rules:
        return None
    if Review.objects.filter(flow=flow, subject_id=subject.pk,
                             status=Review.Status.PENDING).exists():
        raise Conflict(_("This document is already in review."), code="in_review")
    review = Review.objects.create(
        flow=flow, subject_id=subject.pk, subject_repr=str(subject)[:200],
        account=getattr(subject, "account", None), team=_team_of(subject), reason=reason[:300],
        submitted_by=actor if getattr(actor, "pk", None) else None, submitted_at=now)
    steps = ReviewStep.objects.bulk_create([
        ReviewStep(review=review, position=i, name_en=r.name_en, name_zh=r.name_zh,
                   approver_role=r.approver_role, approver=r.approver, due_hours=r.due_hours)
        for i, r in enumerate(rules, start=1)])
    _start_step(steps[0], review, actor, now)
    audit.log(actor, "orders.review.started", review,
              data={"flow": flow, "subject": subject.pk, "steps": len(steps)})
    return review


def already_decided() -> Conflict:
    """Someone decided (or withdrew) the review since the caller read it."""
    return Conflict(_("This review has already been decided: reload to see the outcome."),
                    code="already_decided")


@transaction.atomic
def decide(actor: User, review: Review, decision: str, comment: str = "",
           version: int | None = None, now: dt.datetime | None = None) -> Review:
    """Approve, reject or return the step ``review`` waits at."""
    now = now or timezone.now()
    comment = (comment or "").strip()
    if decision not in DECISIONS:
        raise DomainError(_("Choose approve, reject or return."), field="decision")
    step = review.current_step
    if step is None or review.status != Review.Status.PENDING:
        raise already_decided()
    # The caller decided on the step they saw: if another one has been reached meanwhile,
    # that is a conflict, not a question of who may decide the new step.
    check_version(review, version)
    if not perms.can_decide_review(actor, review, step):
        raise Forbidden(_("This step waits for someone else's decision."))
    if decision != APPROVE and not comment:
        raise DomainError(_("Say why: a comment is required to reject or return."),
                          field="comment", code="comment_required")
    save_versioned(review, version, {})
    step.decided_by, step.decided_at, step.comment = actor, now, comment
    step.status = {APPROVE: ReviewStep.Status.APPROVED, REJECT: ReviewStep.Status.REJECTED,
                   RETURN: ReviewStep.Status.RETURNED}[decision]
    step.save(update_fields=["decided_by", "decided_at", "comment", "status"])
    audit.log(actor, f"orders.review.{decision}", review,
              data={"step": step.position, "name": step.name_en, "comment": comment})
    following = next((s for s in review.steps.all().order_by("position")
                      if s.status == ReviewStep.Status.QUEUED), None)
    if decision == APPROVE and following is not None:
        _start_step(following, review, actor, now)
        return review
    outcome = {APPROVE: Review.Status.APPROVED, REJECT: Review.Status.REJECTED,
               RETURN: Review.Status.RETURNED}[decision]
    _finish(review, outcome, actor, now, comment)
    return review


def _finish(review: Review, outcome: str, actor: User, now: dt.datetime,
            comment: str = "") -> None:
    review.steps.filter(status=ReviewStep.Status.QUEUED).update(
        status=ReviewStep.Status.CANCELLED)
    Review.objects.filter(pk=review.pk).update(status=outcome, finished_at=now)
    review.status, review.finished_at = outcome, now
    _model, on_outcome, _url = _FLOWS[review.flow]
    on_outcome(subject_of(review), review, outcome, actor)
    if review.submitted_by_id and outcome != Review.Status.WITHDRAWN \
            and review.submitted_by_id != actor.pk:
        messages: dict[str, str] = {
            Review.Status.APPROVED: gettext_noop("%(flow)s approved: %(subject)s"),
            Review.Status.REJECTED: gettext_noop("%(flow)s rejected: %(subject)s — "
                                                 "%(comment)s"),
            Review.Status.RETURNED: gettext_noop("%(flow)s returned for changes: "
                                                 "%(subject)s — %(comment)s"),
        }
        message = messages[outcome]
        notify(review.submitted_by, message,
               {"flow": Flow(review.flow).label, "subject": review.subject_repr,
                "comment": comment}, kind="orders.review", url=subject_url(review),
               actor=actor)


@transaction.atomic
def withdraw(actor: User, review: Review, now: dt.datetime | None = None, *,
             version: int | None = None) -> Review:
    """The submitter takes a pending review back (to change the document); the flow's
    ``on_withdraw`` callback, if it registered one, makes the subject editable again."""
    if review.status != Review.Status.PENDING:
        raise already_decided()
    check_version(review, version)
    if not perms.can_withdraw_review(actor, review):
        raise Forbidden(_("Only whoever submitted it can withdraw it."))
    now = now or timezone.now()
    save_versioned(review, version, {})
    review.steps.filter(status__in=[ReviewStep.Status.QUEUED, ReviewStep.Status.WAITING]) \
        .update(status=ReviewStep.Status.CANCELLED)
    Review.objects.filter(pk=review.pk).update(status=Review.Status.WITHDRAWN, finished_at=now)
    review.status, review.finished_at = Review.Status.WITHDRAWN, now
    audit.log(actor, "orders.review.withdrawn", review)
    callback = _ON_WITHDRAW.get(review.flow)
    if callback is not None:
        callback(subject_of(review), review, actor)
    return review


def is_overdue(step: ReviewStep, now: dt.datetime | None = None) -> bool:
    return (step.status == ReviewStep.Status.WAITING and step.started_at is not None
            and (now or timezone.now()) > step.started_at + dt.timedelta(hours=step.due_hours))


def waiting_hours(step: ReviewStep, now: dt.datetime | None = None) -> int:
    """Whole hours the step has been waiting (0 when it is not waiting)."""
    if step.status != ReviewStep.Status.WAITING or step.started_at is None:
        return 0
    return max(0, int(((now or timezone.now()) - step.started_at).total_seconds() // 3600))


# --- The rules (administrators) ---------------------------------------------------------------

RULE_FIELDS = ("name_en", "name_zh", "approver_role", "approver", "condition", "threshold",
               "due_hours", "active")


def _clean_rule(data: dict[str, Any], current: ReviewRule | None) -> dict[str, Any]:
    from decimal import InvalidOperation

    def get(name: str) -> Any:
        return data[name] if name in data else getattr(current, name, None)

    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    values["name_en"] = (get("name_en") or "").strip()
    values["name_zh"] = (get("name_zh") or "").strip()
    if not values["name_en"]:
        errors["name_en"] = [_("Give the step a name.")]
    for name in ("name_en", "name_zh"):
        if len(values[name]) > 80:
            errors[name] = [_("Keep it under 80 characters.")]
    role = get("approver_role") or ""
    if role and role not in Role.values:
        errors["approver_role"] = [_("Choose a role.")]
    values["approver_role"] = role
    approver = get("approver")
    if approver is not None and not isinstance(approver, User):
        approver = User.objects.filter(pk=approver, is_active=True).first()
        if approver is None:
            errors["approver"] = [_("Choose an active user.")]
    elif approver is not None and not approver.is_active:
        errors["approver"] = [_("Choose an active user.")]
    values["approver"] = approver
    if not role and approver is None and "approver" not in errors:
        errors["approver_role"] = [_("A step is decided by a role or by a named person.")]
    condition = get("condition") or Condition.ALWAYS
    if condition not in Condition.values:
        errors["condition"] = [_("Choose a condition.")]
    values["condition"] = condition
    threshold = get("threshold")
    if threshold in ("", None):
        threshold = None
    else:
        try:
            threshold = Decimal(str(threshold))
            if not threshold.is_finite() or threshold < 0 or threshold >= Decimal("1e14"):
                raise InvalidOperation
            threshold = threshold.quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            errors["threshold"] = [_("Enter a number of zero or more.")]
            threshold = None
    if condition == Condition.AMOUNT_AT_LEAST and threshold is None \
            and "threshold" not in errors:
        errors["threshold"] = [_("Say from which amount this step applies.")]
    values["threshold"] = threshold
    try:
        hours = int(get("due_hours") if get("due_hours") is not None else 48)
        if not 1 <= hours <= 24 * 90:
            raise ValueError
    except (TypeError, ValueError):
        errors["due_hours"] = [_("Enter a number of hours between 1 and 2160.")]
        hours = 48
    values["due_hours"] = hours
    active = get("active")
    values["active"] = True if active is None else bool(active)
    if errors:
        raise FieldErrors(errors)
    return values


@transaction.atomic
def create_rule(actor: User, flow: str, data: dict[str, Any]) -> ReviewRule:
    """A new last step of ``flow``. Reviews under way keep the steps they started with."""
    if not perms.can_edit_review_rules(actor):
        raise Forbidden(_("Only administrators change the review steps."))
    if flow not in Flow.values:
        raise DomainError(_("Choose a flow."), field="flow")
    values = _clean_rule(data, None)
    last = ReviewRule.objects.filter(flow=flow).order_by("-position").first()
    rule = ReviewRule.objects.create(flow=flow, position=(last.position + 1) if last else 1,
                                     **values)
    audit.log(actor, "orders.review_rule.created", rule,
              data={"flow": flow, "name": rule.name_en})
    return rule


@transaction.atomic
def update_rule(actor: User, rule: ReviewRule, version: int | None,
                data: dict[str, Any]) -> ReviewRule:
    if not perms.can_edit_review_rules(actor):
        raise Forbidden(_("Only administrators change the review steps."))
    values = _clean_rule({k: v for k, v in data.items() if k in RULE_FIELDS}, rule)
    changes = audit.diff({name: getattr(rule, name) for name in RULE_FIELDS}, values)
    save_versioned(rule, version, values)
    audit.log(actor, "orders.review_rule.updated", rule, changes=changes)
    return rule


@transaction.atomic
def move_rule(actor: User, rule: ReviewRule, direction: str) -> ReviewRule:
    """Swap the step with its neighbour above ("up") or below ("down"); positions are
    renumbered 1, 2, 3 … on the way."""
    if not perms.can_edit_review_rules(actor):
        raise Forbidden(_("Only administrators change the review steps."))
    ordered = list(ReviewRule.objects.filter(flow=rule.flow).order_by("position", "id"))
    index = next(i for i, r in enumerate(ordered) if r.pk == rule.pk)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(ordered):
        return rule
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            ReviewRule.objects.filter(pk=item.pk).update(position=position,
                                                         version=item.version + 1)
    rule.refresh_from_db()
    audit.log(actor, "orders.review_rule.moved", rule, data={"direction": direction,
                                                             "position": rule.position})
    return rule
