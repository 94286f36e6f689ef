"""The review engine: which steps a document needs, who decides each, the order of decisions,
what a decision needs, notifications, and what waits for whom.

A throwaway flow ("order" with its own rules) reviews expense claims here, so the engine is
tested without any domain's rules; the callbacks record what the domain would be told."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from guanxi.core.errors import Conflict, DomainError, Forbidden
from guanxi.core.models import Notification
from guanxi.orders import permissions as perms
from guanxi.orders.models import Condition, ExpenseClaim, Flow, Review, ReviewRule, ReviewStep
from guanxi.orders.selectors.reviews import reviews_of, waiting_for
from guanxi.orders.services import reviews
from guanxi.orders.services.reviews import Facts

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def flow(monkeypatch):
    """The "order" flow, re-registered on expense claims with an empty rule set."""
    told = SimpleNamespace(outcomes=[], withdrawn=[])
    ReviewRule.objects.filter(flow=Flow.ORDER).delete()
    monkeypatch.setitem(reviews._FLOWS, Flow.ORDER, (
        ExpenseClaim,
        lambda subject, review, outcome, actor: told.outcomes.append((subject.pk, outcome,
                                                                      actor.username)),
        lambda subject: f"/claims/{subject.pk}/"))
    monkeypatch.setitem(reviews._ON_WITHDRAW, Flow.ORDER,
                        lambda subject, review, actor: told.withdrawn.append(subject.pk))
    return told


def rule(position, name, role="", condition=Condition.ALWAYS, threshold=None, approver=None,
         due_hours=24, active=True):
    return ReviewRule.objects.create(
        flow=Flow.ORDER, position=position, name_en=name, name_zh=f"{name}（中）",
        approver_role=role, approver=approver, condition=condition,
        threshold=None if threshold is None else Decimal(threshold), due_hours=due_hours,
        active=active)


@pytest.fixture
def subject(org, make_account):
    account = make_account(by=org.rep, name="苏州精密制造有限公司")
    return ExpenseClaim.objects.create(
        claimant=org.rep, team=org.team_a, account=account, category="travel",
        amount=Decimal("800.00"), spent_on=dt.date(2026, 3, 1), description="拜访客户")


def start(subject, actor, facts=None, now=T0):
    return reviews.start_review(subject, Flow.ORDER, actor, facts or Facts(), now=now)


def names(rules):
    return [r.name_en for r in rules]


# --- Which steps ------------------------------------------------------------------------------

def test_steps_are_chosen_by_their_condition(db, flow, settings):
    settings.GUANXI_MAX_DISCOUNT_RATE = Decimal("30")
    rule(1, "Always", "manager")
    rule(2, "Beyond rate", "executive", Condition.OVER_CUSTOMER_RATE, "5")
    rule(3, "Beyond limit", "finance", Condition.OVER_COMPANY_LIMIT, "20")
    rule(4, "Beyond default limit", "finance", Condition.OVER_COMPANY_LIMIT)
    rule(5, "Large", "admin", Condition.AMOUNT_AT_LEAST, "10000")
    rule(6, "Switched off", "admin", active=False)

    def needed(**facts):
        return names(reviews.steps_needed(Flow.ORDER, Facts(**{
            k: Decimal(v) for k, v in facts.items()})))

    assert needed() == ["Always"]
    # Beyond the customer's rate only when more than the threshold beyond it.
    assert needed(discount="15", customer_rate="10") == ["Always"]
    assert needed(discount="15.01", customer_rate="10") == ["Always", "Beyond rate"]
    # The company limit: the rule's threshold, else the installation's maximum discount.
    assert needed(discount="20", customer_rate="20") == ["Always"]
    assert needed(discount="25", customer_rate="20") == ["Always", "Beyond limit"]
    assert needed(discount="31", customer_rate="30") == ["Always", "Beyond limit",
                                                         "Beyond default limit"]
    # Amount at least: the threshold itself counts.
    assert needed(amount="9999.99") == ["Always"]
    assert needed(amount="10000") == ["Always", "Large"]


def test_no_step_applies_means_no_review(org, flow, subject):
    rule(1, "Large", "manager", Condition.AMOUNT_AT_LEAST, "10000")
    assert start(subject, org.rep, Facts(amount=Decimal("800"))) is None
    assert not Review.objects.exists()
    review = start(subject, org.rep, Facts(amount=Decimal("10000")))
    assert [s.name_en for s in review.steps.all()] == ["Large"]


def test_a_document_is_in_one_review_at_a_time(org, flow, subject):
    rule(1, "Manager", "manager")
    start(subject, org.rep)
    with pytest.raises(Conflict):
        start(subject, org.rep)
    assert Review.objects.count() == 1


# --- Deciding ---------------------------------------------------------------------------------

def test_steps_are_decided_in_order_and_the_domain_hears_the_outcome(org, flow, subject):
    rule(1, "Manager", "manager", due_hours=24)
    rule(2, "Finance", "finance", due_hours=48)
    review = start(subject, org.rep)
    first, second = review.steps.all()
    assert (first.status, first.started_at) == (ReviewStep.Status.WAITING, T0)
    assert (second.status, second.started_at) == (ReviewStep.Status.QUEUED, None)
    # Finance cannot jump the queue.
    with pytest.raises(Forbidden):
        reviews.decide(org.finance, review, "approve", version=review.version)

    later = T0 + dt.timedelta(hours=3)
    reviews.decide(org.manager, review, "approve", "好", review.version, now=later)
    review.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert review.status == Review.Status.PENDING and flow.outcomes == []
    assert (first.status, first.decided_by, first.decided_at, first.comment) == (
        ReviewStep.Status.APPROVED, org.manager, later, "好")
    assert (second.status, second.started_at) == (ReviewStep.Status.WAITING, later)
    assert review.current_step == second

    reviews.decide(org.finance, review, "approve", version=review.version, now=later)
    review.refresh_from_db()
    assert (review.status, review.finished_at) == (Review.Status.APPROVED, later)
    assert flow.outcomes == [(subject.pk, Review.Status.APPROVED, "finance")]
    assert list(reviews_of(Flow.ORDER, subject.pk)) == [review]


@pytest.mark.parametrize("decision, outcome", [("reject", Review.Status.REJECTED),
                                               ("return", Review.Status.RETURNED)])
def test_reject_and_return_need_a_comment_and_end_the_review(org, flow, subject, decision,
                                                             outcome):
    rule(1, "Manager", "manager")
    rule(2, "Finance", "finance")
    review = start(subject, org.rep)
    for blank in ("", "   "):
        with pytest.raises(DomainError) as err:
            reviews.decide(org.manager, review, decision, blank, review.version)
        assert err.value.field == "comment"
    review.refresh_from_db()
    assert review.version == 1 and review.status == Review.Status.PENDING
    assert review.current_step.position == 1 and flow.outcomes == []

    reviews.decide(org.manager, review, decision, "价格太低", review.version)
    review.refresh_from_db()
    assert review.status == outcome and review.finished_at is not None
    assert [s.status for s in review.steps.all()] == [
        {"reject": ReviewStep.Status.REJECTED, "return": ReviewStep.Status.RETURNED}[decision],
        ReviewStep.Status.CANCELLED]
    assert flow.outcomes == [(subject.pk, outcome, "manager")]

    # A finished review takes no more decisions (and no withdrawal).
    with pytest.raises(Conflict) as err:
        reviews.decide(org.admin, review, "approve", version=review.version)
    assert err.value.code == "already_decided"
    with pytest.raises(DomainError):
        reviews.withdraw(org.rep, review)


def test_an_unknown_decision_is_refused(org, flow, subject):
    rule(1, "Manager", "manager")
    review = start(subject, org.rep)
    with pytest.raises(DomainError) as err:
        reviews.decide(org.manager, review, "maybe", "hm", review.version)
    assert err.value.field == "decision"


def test_a_stale_version_is_a_conflict(org, flow, subject):
    rule(1, "Manager", "manager")
    rule(2, "Finance", "finance")
    review = start(subject, org.rep)
    stale = review.version
    reviews.decide(org.manager, review, "approve", version=stale)
    review = Review.objects.get(pk=review.pk)
    with pytest.raises(Conflict):
        reviews.decide(org.finance, review, "approve", version=stale)
    assert review.current_step.position == 2


# --- Who decides ------------------------------------------------------------------------------

def test_the_submitter_never_approves_their_own_an_administrator_may(org, flow, subject):
    rule(1, "Manager", "manager")
    review = start(subject, org.manager)
    step = review.current_step
    assert not perms.can_decide_review(org.manager, review, step)
    with pytest.raises(Forbidden):
        reviews.decide(org.manager, review, "approve", version=review.version)
    assert perms.can_decide_review(org.admin, review, step)
    reviews.decide(org.admin, review, "approve", version=review.version)
    assert Review.objects.get(pk=review.pk).status == Review.Status.APPROVED


def test_a_manager_decides_only_over_the_documents_team(org, flow, subject):
    rule(1, "Manager", "manager")
    review = start(subject, org.rep)          # team A, under the east region
    step = review.current_step
    assert perms.deciders(step, review) == [org.manager]
    assert perms.can_decide_review(org.manager, review, step)
    assert not perms.can_decide_review(org.other_manager, review, step)
    assert not perms.can_decide_review(org.teammate, review, step)
    with pytest.raises(Forbidden):
        reviews.decide(org.other_manager, review, "approve", version=review.version)


def test_nobody_holding_the_role_falls_back_to_administrators(org, flow, subject):
    rule(1, "Service", "service")
    review = start(subject, org.rep)
    assert perms.deciders(review.current_step, review) == [org.admin]
    # A southern document has no manager above it but the southern one.
    subject.team = org.team_b
    subject.save()
    ReviewRule.objects.filter(flow=Flow.ORDER).update(approver_role="manager")
    reviews.withdraw(org.rep, review)
    review = start(subject, org.rep)
    assert perms.deciders(review.current_step, review) == [org.other_manager]
    org.other_manager.is_active = False
    org.other_manager.save()
    assert perms.deciders(review.current_step, review) == [org.admin]


def test_a_superuser_counts_as_an_administrator_when_nobody_else_decides(org, flow, subject):
    # One made with ``createsuperuser`` holds no admin role row yet is an administrator.
    from guanxi.accounts.models import User, UserRole

    UserRole.objects.filter(role="admin").delete()
    root = User.objects.create_superuser("root", "root@example.com", "pw-Guanxi-2026")
    rule(1, "Service", "service")
    review = start(subject, org.rep)
    assert perms.deciders(review.current_step, review) == [root]
    assert Notification.objects.filter(recipient=root).exists()


def test_a_named_reviewer_decides_their_step(org, flow, subject):
    rule(1, "Technical", "delivery", approver=org.teammate)
    review = start(subject, org.rep)
    step = review.current_step
    assert step.approver == org.teammate
    assert perms.deciders(step, review) == [org.teammate]
    assert not perms.can_decide_review(org.delivery, review, step)
    assert [s.pk for s in waiting_for(org.teammate)] == [step.pk]
    assert not waiting_for(org.delivery).exists()
    reviews.decide(org.teammate, review, "approve", version=review.version)
    assert Review.objects.get(pk=review.pk).status == Review.Status.APPROVED


# --- Withdrawing ------------------------------------------------------------------------------

def test_the_submitter_withdraws_a_pending_review(org, flow, subject):
    rule(1, "Manager", "manager")
    rule(2, "Finance", "finance")
    review = start(subject, org.rep)
    assert reviews.withdrawable(review)
    with pytest.raises(Forbidden):
        reviews.withdraw(org.manager, review)
    with pytest.raises(Conflict):
        reviews.withdraw(org.rep, review, version=review.version + 1)
    assert Review.objects.get(pk=review.pk).status == Review.Status.PENDING
    reviews.withdraw(org.rep, review, version=review.version)
    review.refresh_from_db()
    assert review.status == Review.Status.WITHDRAWN and review.finished_at is not None
    assert set(review.steps.values_list("status", flat=True)) == {ReviewStep.Status.CANCELLED}
    assert flow.withdrawn == [subject.pk] and flow.outcomes == []
    assert not waiting_for(org.manager).exists()
    # Withdrawn, it can be submitted again.
    assert start(subject, org.rep) is not None


# --- Notifications ----------------------------------------------------------------------------

def test_deciders_and_the_submitter_are_notified(org, flow, subject):
    rule(1, "Manager", "manager")
    rule(2, "Finance", "finance")
    review = start(subject, org.rep)
    note = Notification.objects.get(recipient=org.manager)
    assert note.kind == "orders.review" and note.url == f"/claims/{subject.pk}/"
    assert "Manager" in note.title or "（中）" in note.title
    assert not Notification.objects.filter(recipient=org.finance).exists()

    reviews.decide(org.manager, review, "approve", version=review.version)
    assert Notification.objects.filter(recipient=org.finance, kind="orders.review").count() == 1
    assert not Notification.objects.filter(recipient=org.rep).exists()

    reviews.decide(org.finance, review, "return", "发票缺失", review.version)
    told = Notification.objects.get(recipient=org.rep)
    assert "发票缺失" in told.title and told.url == f"/claims/{subject.pk}/"
    assert told.actor == org.finance


def test_nobody_is_notified_of_their_own_request(org, flow, subject):
    rule(1, "Manager", "manager")
    review = start(subject, org.manager)     # the only manager is the submitter
    assert not Notification.objects.filter(recipient=org.manager).exists()
    reviews.withdraw(org.manager, review)
    assert not Notification.objects.filter(recipient=org.manager).exists()


# --- Waiting ----------------------------------------------------------------------------------

def test_overdue_and_waiting_hours_with_a_fixed_clock(org, flow, subject):
    rule(1, "Manager", "manager", due_hours=24)
    review = start(subject, org.rep)
    step = review.current_step
    assert not reviews.is_overdue(step, T0 + dt.timedelta(hours=24))
    assert reviews.is_overdue(step, T0 + dt.timedelta(hours=24, minutes=1))
    assert reviews.waiting_hours(step, T0 + dt.timedelta(hours=30, minutes=59)) == 30
    reviews.decide(org.manager, review, "approve", version=review.version)
    step.refresh_from_db()
    assert not reviews.is_overdue(step, T0 + dt.timedelta(days=30))
    assert reviews.waiting_hours(step, T0 + dt.timedelta(days=30)) == 0


def test_what_waits_for_whom(org, flow, subject):
    rule(1, "Manager", "manager")
    rule(2, "Finance", "finance")
    review = start(subject, org.rep, now=timezone.now())
    first = review.current_step

    def waiting(user):
        return [s.pk for s in waiting_for(user)]

    assert waiting(org.manager) == [first.pk]
    assert waiting(org.admin) == [first.pk]
    for persona in ("rep", "teammate", "other_manager", "finance", "executive"):
        assert waiting(getattr(org, persona)) == [], persona
    reviews.decide(org.manager, review, "approve", version=review.version)
    second = review.steps.get(position=2)
    assert waiting(org.finance) == [second.pk]
    assert waiting(org.manager) == []
    # A finance person who submitted it does not see their own request.
    claim = ExpenseClaim.objects.create(
        claimant=org.finance, account=subject.account, category="gifts",
        amount=Decimal("10"), spent_on=subject.spent_on, description="x")
    other = start(claim, org.finance)
    reviews.decide(org.admin, other, "approve", version=other.version)
    assert waiting(org.finance) == [second.pk]


def test_changing_the_rules_does_not_change_a_review_under_way(org, flow, subject):
    manager_rule = rule(1, "Manager", "manager", due_hours=24)
    review = start(subject, org.rep)
    manager_rule.approver_role = "finance"
    manager_rule.name_en = "Renamed"
    manager_rule.due_hours = 1
    manager_rule.save()
    rule(2, "Added later", "executive")
    step = review.steps.get()
    assert (step.name_en, step.approver_role, step.due_hours) == ("Manager", "manager", 24)
    reviews.decide(org.manager, review, "approve", version=review.version)
    assert Review.objects.get(pk=review.pk).status == Review.Status.APPROVED
