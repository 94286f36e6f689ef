"""Contracts: drafting (from scratch, an accepted quote, a won tender), editing, and the
multi-step contract review through the engine: approve all, reject, return and resubmit, who
may decide, overdue steps, signing and cancelling."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.core.errors import Conflict, DomainError, Forbidden, NotFound
from guanxi.core.models import AuditEntry
from guanxi.customers.models import TimelineEvent
from guanxi.orders import permissions as perms
from guanxi.orders.models import Contract, Document, Quote, Review, ReviewStep
from guanxi.orders.selectors import deals as sel
from guanxi.orders.services import contracts as svc
from guanxi.orders.services import reviews
from guanxi.orders.services import tenders as tender_svc
from guanxi.orders.services.contracts import ContractInput
from guanxi.orders.tests import deals_world
from guanxi.orders.tests.deals_world import PDF, upload

world, media = deals_world.world, deals_world.media
T0 = timezone.make_aware(dt.datetime(2026, 11, 20, 9, 0))


def submit(world, contract=None, now=T0):
    contract = contract or world.contract
    return svc.submit_contract(world.org.rep, contract, contract.version, now=now)


def decide(world, persona, decision, comment="", now=T0):
    contract = Contract.objects.get(pk=world.contract.pk)
    review = Review.objects.get(pk=contract.review_id)
    return reviews.decide(getattr(world.org, persona), review, decision, comment,
                          review.version, now=now)


def status(world) -> str:
    return Contract.objects.get(pk=world.contract.pk).status


def test_draft_has_a_number_owner_team_and_timeline(world):
    contract = world.contract
    assert contract.number.startswith("HT") and contract.status == "draft"
    assert contract.owner == world.org.rep and contract.team == world.org.team_a
    assert contract.amount == Decimal("200000.00")
    assert AuditEntry.objects.filter(action="orders.contract.created").exists()
    assert TimelineEvent.objects.filter(account=world.account, kind="orders.contract").exists()


def test_from_an_accepted_quote_copies_customer_total_currency_and_opportunity(world):
    quote = Quote.objects.create(
        number="Q2026-00001", account=world.account, opportunity=world.opp, currency="USD",
        status=Quote.Status.ACCEPTED, issue_date=dt.date(2026, 11, 1),
        total=Decimal("123456.78"), owner=world.org.rep, team=world.org.team_a,
        title="报价一")
    contract = svc.create_contract(world.org.rep, None, ContractInput.parse({}), quote=quote.pk)
    assert contract.account == world.account and contract.amount == Decimal("123456.78")
    assert contract.currency == "USD" and contract.opportunity == world.opp
    assert contract.quote == quote and contract.title == "报价一"
    Quote.objects.filter(pk=quote.pk).update(status=Quote.Status.SENT)
    with pytest.raises(DomainError) as exc:
        svc.create_contract(world.org.rep, None, ContractInput.parse({}), quote=quote.pk)
    assert exc.value.field == "quote"


def test_from_a_won_tender_only(world):
    tender = world.tender
    with pytest.raises(DomainError) as exc:
        svc.create_contract(world.org.rep, None, ContractInput.parse({}), tender=tender.pk)
    assert exc.value.field == "tender"
    tender_svc.record_result(world.org.rep, tender, tender.version, "won")
    contract = svc.create_contract(world.org.rep, None, ContractInput.parse({}), tender=tender.pk)
    assert contract.amount == Decimal("780000.00") and contract.opportunity == world.opp


@pytest.mark.parametrize("data, field", [
    ({"amount": "-1"}, "amount"),
    ({"title": ""}, "title"),
    ({"starts_on": "2027-01-01", "ends_on": "2026-01-01"}, "ends_on"),
    ({"starts_on": "soon"}, "starts_on"),
    ({"opportunity": 999999}, "opportunity"),
])
def test_bad_input_is_refused_and_nothing_is_created(world, data, field):
    count = Contract.objects.count()
    with pytest.raises(DomainError) as exc:
        svc.create_contract(world.org.rep, world.account,
                            ContractInput.parse({"title": "合同", **data}))
    assert exc.value.field == field
    assert Contract.objects.count() == count


def test_unknown_customer_and_read_only_roles(world, make_account):
    theirs = make_account(by=world.org.other_rep, name="深圳某公司")
    with pytest.raises(NotFound):
        svc.create_contract(world.org.rep, theirs, ContractInput.parse({"title": "合同"}))
    with pytest.raises(Forbidden):
        svc.create_contract(world.org.finance, world.account,
                            ContractInput.parse({"title": "合同"}))


def test_update_is_versioned_and_refused_while_in_review(world):
    contract = world.contract
    version = contract.version
    svc.update_contract(world.org.rep, contract, version, ContractInput.parse({"amount": "210000"}))
    with pytest.raises(Conflict):
        svc.update_contract(world.org.rep, Contract.objects.get(pk=contract.pk), version,
                            ContractInput.parse({"amount": "1"}))
    submit(world, Contract.objects.get(pk=contract.pk))
    contract = Contract.objects.get(pk=contract.pk)
    with pytest.raises(DomainError) as exc:
        svc.update_contract(world.org.rep, contract, contract.version,
                            ContractInput.parse({"amount": "1"}))
    assert exc.value.code == "not_editable"
    assert Contract.objects.get(pk=contract.pk).amount == Decimal("210000.00")


def test_approve_every_step_then_sign(world):
    submit(world)
    contract = Contract.objects.get(pk=world.contract.pk)
    assert contract.status == "in_review"
    names = [s.name_en for s in contract.review.steps.order_by("position")]
    assert names == ["Sales manager", "Technical review", "Finance"]  # under 1,000,000
    decide(world, "manager", "approve")
    decide(world, "delivery", "approve")
    assert status(world) == "in_review"
    decide(world, "finance", "approve")
    assert status(world) == "approved"
    assert AuditEntry.objects.filter(action="orders.contract.approved").exists()
    contract = Contract.objects.get(pk=world.contract.pk)
    with pytest.raises(DomainError) as exc:
        svc.sign_contract(world.org.rep, contract, dt.date(2099, 1, 1), contract.version, now=T0)
    assert exc.value.field == "signed_on"
    svc.sign_contract(world.org.rep, contract, dt.date(2026, 11, 20), contract.version,
                      scan=upload("签字版.pdf", PDF), now=T0)
    contract.refresh_from_db()
    assert contract.status == "signed" and contract.signed_on == dt.date(2026, 11, 20)
    assert Document.objects.get(contract=contract).name == "签字版.pdf"
    assert TimelineEvent.objects.filter(account=world.account,
                                        title__contains="can be closed as won").exists()
    world.opp.refresh_from_db()
    assert world.opp.stage.kind == "open"  # the rep closes it


def test_a_million_adds_the_legal_step(world):
    contract = world.contract
    svc.update_contract(world.org.rep, contract, contract.version,
                        ContractInput.parse({"amount": "1000000"}))
    submit(world, contract)
    assert Contract.objects.get(pk=contract.pk).review.steps.count() == 4


def test_reject_at_finance_with_comment(world):
    submit(world)
    decide(world, "manager", "approve")
    decide(world, "delivery", "approve")
    with pytest.raises(DomainError):
        decide(world, "finance", "reject")  # a comment is required
    decide(world, "finance", "reject", "付款条件不可接受")
    assert status(world) == "rejected"
    assert TimelineEvent.objects.filter(title__contains="付款条件不可接受").exists()
    contract = Contract.objects.get(pk=world.contract.pk)
    with pytest.raises(DomainError):
        svc.sign_contract(world.org.rep, contract, dt.date(2026, 11, 20), contract.version, now=T0)


def test_return_at_technical_edit_and_resubmit_starts_a_new_review(world):
    submit(world)
    first = Contract.objects.get(pk=world.contract.pk).review_id
    decide(world, "manager", "approve")
    decide(world, "delivery", "return", "交期需要确认")
    assert status(world) == "returned"
    contract = Contract.objects.get(pk=world.contract.pk)
    svc.update_contract(world.org.rep, contract, contract.version,
                        ContractInput.parse({"delivery_terms": "合同签订后 90 天"}))
    later = T0 + dt.timedelta(hours=5)
    svc.submit_contract(world.org.rep, contract, contract.version, now=later)
    contract = Contract.objects.get(pk=world.contract.pk)
    assert contract.status == "in_review" and contract.review_id != first
    waiting = sel.where_waits(contract.review, later)
    assert waiting.step.position == 1 and waiting.since == later


def test_a_reviewer_of_a_later_step_cannot_decide_the_current_one(world):
    submit(world)
    for persona in ("finance", "delivery", "other_manager", "rep"):
        with pytest.raises(Forbidden):
            decide(world, persona, "approve")
    steps = Contract.objects.get(pk=world.contract.pk).review.steps.order_by("position")
    assert [s.status for s in steps] == ["waiting", "queued", "queued"]


def test_overdue_after_the_due_hours_with_a_fixed_clock(world):
    submit(world)
    review = Contract.objects.get(pk=world.contract.pk).review
    assert not sel.where_waits(review, T0 + dt.timedelta(hours=23)).overdue
    late = sel.where_waits(review, T0 + dt.timedelta(hours=25))
    assert late.overdue and late.hours == 25
    steps = sel.review_steps(review, T0 + dt.timedelta(hours=25))
    assert steps[0]["overdue"] and steps[0]["waiting_hours"] == 25
    assert not steps[1]["overdue"] and steps[1]["waiting_since"] is None
    rep = world.org.rep
    now = T0 + dt.timedelta(hours=25)
    assert list(sel.filter_contracts(rep, {"waiting": "overdue"}, now)) == [world.contract]
    assert not list(sel.filter_contracts(rep, {"waiting": "overdue"},
                                         T0 + dt.timedelta(hours=1)))
    assert list(sel.filter_contracts(rep, {"waiting": "1"}, now)) == [world.contract]
    assert not list(sel.filter_contracts(rep, {"waiting": "2"}, now))


def test_reviewers_see_the_contract(world):
    assert not sel.visible_contracts(world.org.delivery).exists()
    submit(world)
    for persona in ("rep", "manager", "delivery", "finance", "admin"):
        assert sel.visible_contracts(getattr(world.org, persona)).filter(
            pk=world.contract.pk).exists(), persona
    assert not sel.visible_contracts(world.org.other_rep).exists()


def test_cancel_withdraws_the_review(world):
    submit(world)
    contract = Contract.objects.get(pk=world.contract.pk)
    with pytest.raises(Forbidden):
        svc.cancel_contract(world.org.finance, contract, contract.version)
    svc.cancel_contract(world.org.rep, contract, contract.version, "客户取消")
    contract.refresh_from_db()
    assert contract.status == "cancelled" and contract.review.status == "withdrawn"
    assert not ReviewStep.objects.filter(review=contract.review, status="waiting").exists()
    with pytest.raises(DomainError):
        svc.cancel_contract(world.org.rep, contract, contract.version)


def test_withdrawn_by_the_submitter_is_a_draft_again(world):
    submit(world)
    review = Contract.objects.get(pk=world.contract.pk).review
    reviews.withdraw(world.org.rep, review, version=review.version)
    contract = Contract.objects.get(pk=world.contract.pk)
    assert contract.status == "draft" and perms.can_edit_contract(world.org.rep, contract)
    svc.update_contract(world.org.rep, contract, contract.version,
                        ContractInput.parse({"amount": "190000"}))
    svc.submit_contract(world.org.rep, contract, contract.version)
    assert Contract.objects.get(pk=contract.pk).review_id != review.pk


def test_signing_with_a_bad_scan_changes_nothing(world):
    from guanxi.orders.tests.deals_world import EXE

    submit(world)
    for persona in ("manager", "delivery", "finance"):
        decide(world, persona, "approve")
    contract = Contract.objects.get(pk=world.contract.pk)
    with pytest.raises(DomainError) as exc:
        svc.sign_contract(world.org.rep, contract, dt.date(2026, 11, 20), contract.version,
                          scan=upload("签字版.pdf", EXE), now=T0)
    assert exc.value.field == "file"
    contract = Contract.objects.get(pk=world.contract.pk)
    assert contract.status == "approved" and contract.signed_on is None
    assert not Document.objects.filter(contract=contract).exists()
