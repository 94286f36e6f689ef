"""Expense claims: what a claim needs, the approval by the sales manager (and finance from
5,000), rejecting, returning and resubmitting, withdrawing, and stale versions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.core.errors import Conflict, DomainError, FieldErrors, Forbidden
from guanxi.core.models import AuditEntry, Notification
from guanxi.customers.models import TimelineEvent
from guanxi.orders import permissions as perms
from guanxi.orders.models import ExpenseClaim, Review
from guanxi.orders.selectors.reviews import reviews_of, waiting_for
from guanxi.orders.services import expenses as svc
from guanxi.orders.services import reviews
from guanxi.orders.tests import expenses_fixtures

world = expenses_fixtures.world

TODAY = dt.date(2026, 3, 15)
Status = ExpenseClaim.Status


def data(world, **overrides):
    return svc.ClaimInput.parse(
        {"account": world.acc.pk, "category": "travel", "amount": "800.00",
         "spent_on": dt.date(2026, 3, 14), "description": "拜访客户，高铁往返"} | overrides)


def edit(**values):
    return svc.ClaimInput.parse(values)


def new_claim(world, by=None, **overrides):
    return svc.create_claim(by or world.org.rep, data(world, **overrides), today=TODAY)


# --- A claim ----------------------------------------------------------------------------------

def test_a_claim_against_a_customer_an_opportunity_or_both(world):
    claim = new_claim(world)
    assert (claim.status, claim.claimant, claim.team, claim.account) == (
        Status.DRAFT, world.org.rep, world.org.team_a, world.acc)
    assert claim.amount == Decimal("800.00") and claim.currency == "CNY"
    assert AuditEntry.objects.filter(action="orders.expense.created",
                                     object_id=str(claim.pk)).exists()
    # An opportunity alone names its customer.
    by_opp = new_claim(world, account=None, opportunity=world.opp2.pk)
    assert by_opp.account == world.acc2 and by_opp.opportunity == world.opp2
    both = new_claim(world, opportunity=world.opp.pk, spent_on=TODAY)
    assert both.account == world.acc and both.opportunity == world.opp


@pytest.mark.parametrize("overrides, field", [
    ({"amount": "0"}, "amount"),
    ({"amount": "-5"}, "amount"),
    ({"amount": "abc"}, "amount"),
    ({"amount": "1.005"}, "amount"),
    ({"spent_on": TODAY + dt.timedelta(days=1)}, "spent_on"),
    ({"spent_on": "not a date"}, "spent_on"),
    ({"account": None}, "account"),
    ({"category": "yacht"}, "category"),
    ({"description": "  "}, "description"),
    ({"currency": "RMBX"}, "currency"),
    ({"opportunity": "opp2"}, "opportunity"),          # of another customer
    ({"account": "other"}, "account"),                 # a customer the rep cannot see
])
def test_bad_input_is_refused_at_its_field_and_nothing_is_saved(world, overrides, field):
    if overrides.get("opportunity") == "opp2":
        overrides = {"opportunity": world.opp2.pk}
    if overrides.get("account") == "other":
        overrides = {"account": world.acc_other.pk}
    with pytest.raises(FieldErrors) as err:
        new_claim(world, **overrides)
    assert field in err.value.errors, err.value.errors
    assert not ExpenseClaim.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="orders.expense").exists()


def test_an_invisible_opportunity_is_refused(world):
    with pytest.raises(FieldErrors) as err:
        svc.create_claim(world.org.other_rep, data(world, account=None,
                                                   opportunity=world.opp.pk), today=TODAY)
    assert "opportunity" in err.value.errors


def test_only_sales_staff_claim(world):
    for persona in ("finance", "delivery", "marketing", "executive"):
        with pytest.raises(Forbidden):
            svc.create_claim(getattr(world.org, persona), data(world), today=TODAY)
    assert not ExpenseClaim.objects.exists()


def test_editing_a_draft_takes_the_version_read(world):
    claim = new_claim(world)
    svc.update_claim(world.org.rep, claim, claim.version, edit(amount="900"), today=TODAY)
    claim.refresh_from_db()
    assert claim.amount == Decimal("900.00") and claim.version == 2
    entry = AuditEntry.objects.get(action="orders.expense.updated")
    assert entry.changes == {"amount": ["800.00", "900"]} or "amount" in entry.changes
    with pytest.raises(Conflict):
        svc.update_claim(world.org.rep, claim, 1, edit(amount="950"), today=TODAY)
    with pytest.raises(FieldErrors):
        svc.update_claim(world.org.rep, claim, claim.version, edit(amount="0"), today=TODAY)
    with pytest.raises(Forbidden):
        svc.update_claim(world.org.manager, claim, claim.version, edit(amount="1"),
                         today=TODAY)
    claim.refresh_from_db()
    assert claim.amount == Decimal("900.00") and claim.version == 2


# --- Approval ---------------------------------------------------------------------------------

def steps(claim):
    return [s.name_en for s in claim.review.steps.all()]


def test_a_small_claim_needs_the_sales_manager(world):
    o = world.org
    claim = new_claim(world)
    with pytest.raises(Forbidden):
        svc.submit_claim(o.manager, claim, claim.version)
    with pytest.raises(Conflict):
        svc.submit_claim(o.rep, claim, claim.version + 1)
    svc.submit_claim(o.rep, claim, claim.version)
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED and steps(claim) == ["Sales manager"]
    assert Notification.objects.filter(recipient=o.manager, kind="orders.review").exists()
    # Submitted, it cannot be changed or submitted again.
    with pytest.raises(Forbidden):
        svc.update_claim(o.rep, claim, claim.version, edit(amount="1"), today=TODAY)
    with pytest.raises(DomainError):
        svc.submit_claim(o.rep, claim, claim.version)

    reviews.decide(o.manager, claim.review, "approve", version=claim.review.version)
    claim.refresh_from_db()
    assert claim.status == Status.APPROVED
    event = TimelineEvent.objects.get(account=world.acc, kind="orders.expense")
    assert "800.00" in event.title and "Travel" in event.title
    entry = AuditEntry.objects.get(action="orders.expense.approved")
    assert entry.object_id == str(claim.pk) and entry.data["amount"] == "800.00"
    assert Notification.objects.filter(recipient=o.rep, kind="orders.review").exists()


def test_from_5000_finance_approves_after_the_manager(world):
    o = world.org
    claim = new_claim(world, amount="5000")
    svc.submit_claim(o.rep, claim, claim.version)
    claim.refresh_from_db()
    assert steps(claim) == ["Sales manager", "Finance"]
    assert not waiting_for(o.finance).exists()
    reviews.decide(o.manager, claim.review, "approve", version=claim.review.version)
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED
    assert [s.review.subject_id for s in waiting_for(o.finance)] == [claim.pk]
    # The other region's manager and the claimant's teammate have no say.
    for persona in ("other_manager", "teammate", "rep"):
        with pytest.raises(Forbidden):
            reviews.decide(getattr(o, persona), claim.review, "approve",
                           version=claim.review.version)
    reviews.decide(o.finance, claim.review, "approve", version=claim.review.version)
    claim.refresh_from_db()
    assert claim.status == Status.APPROVED
    assert TimelineEvent.objects.filter(account=world.acc, kind="orders.expense").count() == 1


def test_just_below_5000_skips_finance(world):
    claim = new_claim(world, amount="4999.99")
    svc.submit_claim(world.org.rep, claim, claim.version)
    assert steps(ExpenseClaim.objects.get(pk=claim.pk)) == ["Sales manager"]


def test_a_rejected_claim_is_final(world):
    o = world.org
    claim = new_claim(world, amount="6000")
    svc.submit_claim(o.rep, claim, claim.version)
    claim.refresh_from_db()
    with pytest.raises(DomainError):
        reviews.decide(o.manager, claim.review, "reject", "", claim.review.version)
    reviews.decide(o.manager, claim.review, "reject", "与项目无关", claim.review.version)
    claim.refresh_from_db()
    assert claim.status == Status.REJECTED
    assert not perms.can_edit_expense(o.rep, claim)
    with pytest.raises(DomainError):
        svc.submit_claim(o.rep, claim, claim.version)
    assert not TimelineEvent.objects.filter(kind="orders.expense").exists()
    assert not waiting_for(o.finance).exists()


def test_returned_is_changed_and_submitted_again(world):
    o = world.org
    claim = new_claim(world)
    svc.submit_claim(o.rep, claim, claim.version)
    claim.refresh_from_db()
    first = claim.review
    reviews.decide(o.manager, first, "return", "请附发票", first.version)
    claim.refresh_from_db()
    assert claim.status == Status.RETURNED
    svc.update_claim(o.rep, claim, claim.version, edit(amount="5200",
                                                        description="拜访客户，附发票"),
                     today=TODAY)
    svc.submit_claim(o.rep, claim, claim.version)
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED and claim.review != first
    assert steps(claim) == ["Sales manager", "Finance"]
    assert [r.status for r in reviews_of("expense", claim.pk)] == [
        Review.Status.PENDING, Review.Status.RETURNED]
    reviews.decide(o.manager, claim.review, "approve", version=claim.review.version)
    reviews.decide(o.admin, claim.review, "approve", version=claim.review.version)
    claim.refresh_from_db()
    assert claim.status == Status.APPROVED


def test_withdrawn_claims_are_drafts_again(world):
    o = world.org
    claim = new_claim(world)
    svc.submit_claim(o.rep, claim, claim.version)
    claim.refresh_from_db()
    with pytest.raises(Forbidden):
        svc.withdraw_claim(o.manager, claim, claim.version)
    with pytest.raises(Conflict):
        svc.withdraw_claim(o.rep, claim, claim.version - 1)
    svc.withdraw_claim(o.rep, claim, claim.version)
    claim.refresh_from_db()
    assert claim.status == Status.DRAFT
    assert claim.review.status == Review.Status.WITHDRAWN
    assert not waiting_for(o.manager).exists()
    with pytest.raises(DomainError):
        svc.withdraw_claim(o.rep, claim, claim.version)
    # The panel's withdraw (the engine) does the same.
    svc.submit_claim(o.rep, claim, claim.version)
    claim.refresh_from_db()
    reviews.withdraw(o.rep, claim.review)
    claim.refresh_from_db()
    assert claim.status == Status.DRAFT


def test_without_any_step_a_claim_is_approved_at_once(world):
    from guanxi.orders.models import ReviewRule

    ReviewRule.objects.filter(flow="expense").update(active=False)
    claim = new_claim(world)
    svc.submit_claim(world.org.rep, claim, claim.version)
    claim.refresh_from_db()
    assert claim.status == Status.APPROVED and claim.review is None
    assert TimelineEvent.objects.filter(account=world.acc, kind="orders.expense").exists()


def test_a_stale_version_is_a_conflict_before_any_rule_about_the_state(world):
    """The rep withdraws what they saw waiting; the manager approved it meanwhile: that is a
    conflict (reload), not "only a waiting claim can be withdrawn"."""
    claim = new_claim(world)
    svc.submit_claim(world.org.rep, claim, claim.version)
    claim = ExpenseClaim.objects.get(pk=claim.pk)
    read = claim.version
    reviews.decide(world.org.manager, claim.review, "approve", "", claim.review.version)
    claim = ExpenseClaim.objects.get(pk=claim.pk)
    assert claim.status == Status.APPROVED
    with pytest.raises(Conflict) as err:
        svc.withdraw_claim(world.org.rep, claim, read)
    assert err.value.code == "stale_version"
    with pytest.raises(Conflict) as err:
        svc.submit_claim(world.org.rep, claim, read)
    assert err.value.code == "stale_version"
    # With the version just read, the rule about the state speaks.
    with pytest.raises(DomainError) as err:
        svc.withdraw_claim(world.org.rep, claim, claim.version)
    assert err.value.code == "not_waiting"
