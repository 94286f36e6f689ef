"""New-customer approval and the terms change request: market manager, then finance."""

from decimal import Decimal

import pytest

from guanxi.core.errors import Conflict, DomainError, FieldErrors, Forbidden
from guanxi.core.models import AuditEntry
from guanxi.customers import selectors, services
from guanxi.customers.models import (
    Account,
    Approval,
    ApprovalStep,
    TermsChangeRequest,
    TimelineEvent,
)

S = TermsChangeRequest.Status


# --- New customers ------------------------------------------------------------------------------

def test_assistant_entered_customer_is_pending_until_the_manager_approves(org, make_account):
    account = make_account(by=org.assistant)
    assert account.approval == Approval.PENDING
    with pytest.raises(DomainError) as exc:
        services.ensure_can_order(account)
    assert exc.value.code == "customer_pending" and exc.value.field == "account"
    assert list(selectors.pending_approvals(org.manager)) == [account]
    assert not selectors.pending_approvals(org.other_manager).exists()
    assert not selectors.pending_approvals(org.rep).exists()

    services.decide_new_customer(org.manager, account, approve=True, version=account.version)
    account.refresh_from_db()
    assert account.approval == Approval.APPROVED
    services.ensure_can_order(account)
    step = ApprovalStep.objects.get(account=account)
    assert (step.step, step.decision, step.actor) == ("new_customer", "approved", org.manager)
    assert TimelineEvent.objects.filter(account=account, kind="customers.approval").exists()
    assert AuditEntry.objects.filter(action="customers.account.approved",
                                     actor=org.manager).exists()



def test_rep_with_ordinary_terms_is_approved_at_once(org, make_account):
    assert make_account(by=org.rep).approval == Approval.APPROVED


@pytest.mark.parametrize("terms", [{"discount_rate": "5"}, {"credit_limit": "100000"}])
def test_rep_with_raised_terms_is_pending(org, make_account, terms):
    account = make_account(by=org.rep, **terms)
    assert account.approval == Approval.PENDING
    with pytest.raises(DomainError):
        services.ensure_can_order(account)


def test_manager_entered_customer_with_terms_needs_no_approval(org, make_account):
    assert make_account(by=org.manager, discount_rate="10").approval == Approval.APPROVED


def test_discount_beyond_the_company_minimum_is_refused_on_create(org, make_account, settings):
    settings.GUANXI_MAX_DISCOUNT_RATE = Decimal("12")
    with pytest.raises(FieldErrors) as exc:
        make_account(by=org.manager, discount_rate="12.5")
    assert "discount_rate" in exc.value.errors and "12" in exc.value.message
    assert Account.objects.count() == 0
    assert make_account(by=org.manager, discount_rate="12").discount_rate == Decimal("12")


def test_manager_of_another_region_cannot_approve(org, make_account):
    account = make_account(by=org.assistant)
    for outsider in (org.other_manager, org.rep, org.assistant, org.finance):
        with pytest.raises(Forbidden):
            services.decide_new_customer(outsider, account, approve=True)
    account.refresh_from_db()
    assert account.approval == Approval.PENDING
    assert not ApprovalStep.objects.exists()


def test_rejection_needs_a_comment_and_blocks_orders(org, make_account):
    account = make_account(by=org.assistant)
    with pytest.raises(FieldErrors) as exc:
        services.decide_new_customer(org.manager, account, approve=False, comment="  ")
    assert "comment" in exc.value.errors
    assert Account.objects.get(pk=account.pk).approval == Approval.PENDING
    services.decide_new_customer(org.manager, account, approve=False, comment="资信不足")
    account.refresh_from_db()
    assert account.approval == Approval.REJECTED
    with pytest.raises(DomainError) as exc:
        services.ensure_can_order(account)
    assert exc.value.code == "customer_rejected"
    assert ApprovalStep.objects.get(account=account).comment == "资信不足"
    with pytest.raises(Conflict) as exc:
        services.decide_new_customer(org.manager, account, approve=True)
    assert exc.value.code == "already_decided"


def test_pending_customer_terms_are_edited_on_the_customer(org, make_account):
    account = make_account(by=org.rep, discount_rate="5")
    services.update_account(org.rep, account, {"discount_rate": "8"}, version=account.version)
    assert Account.objects.get(pk=account.pk).discount_rate == Decimal("8")
    with pytest.raises(Conflict) as exc:
        services.request_terms_change(org.rep, account, {"discount_rate": "9"})
    assert exc.value.code == "customer_pending"


def test_pending_customer_is_not_returned_to_the_pool_before_a_decision(org, make_account):
    account = make_account(by=org.rep, discount_rate="5")
    Account.objects.filter(pk=account.pk).update(last_follow_up_at="2000-01-01T00:00Z")
    assert services.return_stale_to_pool() == 0
    assert not Account.objects.get(pk=account.pk).in_pool


# --- Terms change requests ------------------------------------------------------------------

@pytest.fixture
def customer(org, make_account):
    return make_account(by=org.rep, name="条款客户有限公司")


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def test_terms_change_goes_manager_then_finance_then_applies(org, customer):
    req = services.request_terms_change(
        org.rep, fresh(customer), {"discount_rate": "8.5", "payment_terms_days": 60,
                            "settlement_method": "acceptance_bill"}, reason="年框客户")
    assert req.status == S.MANAGER
    assert req.changes == {"discount_rate": ["0.00", "8.50"], "payment_terms_days": [30, 60],
                           "settlement_method": ["bank_transfer", "acceptance_bill"]}
    assert list(selectors.terms_requests_waiting_for(org.manager)) == [req]
    assert not selectors.terms_requests_waiting_for(org.finance).exists()
    assert fresh(customer).discount_rate == Decimal("0")

    services.decide_terms_change(org.manager, fresh(req), approve=True, comment="同意")
    req = fresh(req)
    assert req.status == S.FINANCE
    account = fresh(customer)
    assert (account.discount_rate, account.payment_terms_days,
            account.settlement_method) == (Decimal("0"), 30, "bank_transfer")
    assert list(selectors.terms_requests_waiting_for(org.finance)) == [req]
    assert not selectors.terms_requests_waiting_for(org.manager).exists()

    services.decide_terms_change(org.finance, req, approve=True)
    assert fresh(req).status == S.APPLIED
    account = fresh(customer)
    assert (account.discount_rate, account.payment_terms_days,
            account.settlement_method) == (Decimal("8.5"), 60, "acceptance_bill")
    steps = list(ApprovalStep.objects.filter(terms_request=req).values_list(
        "step", "decision", "actor"))
    assert steps == [("manager", "approved", org.manager.pk),
                     ("finance", "approved", org.finance.pk)]
    applied = AuditEntry.objects.get(action="customers.account.terms_applied")
    assert applied.actor == org.finance
    assert applied.changes["payment_terms_days"] == [30, 60]
    kinds = list(TimelineEvent.objects.filter(account=customer).values_list("kind", flat=True))
    assert {"customers.terms_requested", "customers.terms_step",
            "customers.terms_applied"} <= set(kinds)


def test_finance_approval_applies_even_after_the_profile_was_edited(org, customer):
    req = services.request_terms_change(org.rep, customer, {"credit_limit": "50000"})
    services.decide_terms_change(org.manager, fresh(req), approve=True)
    req = fresh(req)
    assert req.account.version == 1  # finance opened it before the rep edits below
    services.update_account(org.rep, fresh(customer), {"needs": "加急"}, version=1)
    services.decide_terms_change(org.finance, req, approve=True)
    account = fresh(customer)
    assert account.credit_limit == Decimal("50000") and account.needs == "加急"


def test_finance_cannot_decide_the_manager_step(org, customer):
    req = services.request_terms_change(org.rep, customer, {"payment_terms_days": 45})
    with pytest.raises(Forbidden) as exc:
        services.decide_terms_change(org.finance, req, approve=True)
    assert "manager" in exc.value.message
    for outsider in (org.other_manager, org.rep, org.assistant):
        with pytest.raises(Forbidden):
            services.decide_terms_change(outsider, fresh(req), approve=True)
    assert fresh(req).status == S.MANAGER
    assert not ApprovalStep.objects.exists()


def test_manager_cannot_decide_the_finance_step(org, customer):
    req = services.request_terms_change(org.rep, customer, {"payment_terms_days": 45})
    services.decide_terms_change(org.manager, req, approve=True)
    with pytest.raises(Forbidden) as exc:
        services.decide_terms_change(org.manager, fresh(req), approve=True)
    assert "finance" in exc.value.message
    assert fresh(req).status == S.FINANCE
    assert fresh(customer).payment_terms_days == 30


@pytest.mark.parametrize("step", ["manager", "finance"])
def test_rejection_needs_a_comment_and_changes_nothing(org, customer, step):
    req = services.request_terms_change(org.rep, customer, {"discount_rate": "10"})
    decider = org.manager
    if step == "finance":
        services.decide_terms_change(org.manager, req, approve=True)
        decider = org.finance
    with pytest.raises(FieldErrors):
        services.decide_terms_change(decider, fresh(req), approve=False)
    assert fresh(req).status == step
    services.decide_terms_change(decider, fresh(req), approve=False, comment="折扣过高")
    assert fresh(req).status == S.REJECTED
    assert fresh(customer).discount_rate == Decimal("0")
    with pytest.raises(Conflict) as exc:
        services.decide_terms_change(org.finance, fresh(req), approve=True)
    assert exc.value.code == "already_decided"
    # a rejected request no longer blocks a new one
    services.request_terms_change(org.rep, customer, {"discount_rate": "5"})


def test_one_open_request_at_a_time(org, customer):
    services.request_terms_change(org.rep, customer, {"discount_rate": "5"})
    with pytest.raises(Conflict) as exc:
        services.request_terms_change(org.rep, customer, {"payment_terms_days": 90})
    assert exc.value.code == "request_open"
    assert TermsChangeRequest.objects.count() == 1


def test_discount_beyond_the_limit_is_refused_on_request(org, customer, settings):
    settings.GUANXI_MAX_DISCOUNT_RATE = Decimal("15")
    with pytest.raises(FieldErrors) as exc:
        services.request_terms_change(org.rep, customer, {"discount_rate": "15.01"})
    assert "discount_rate" in exc.value.errors
    assert not TermsChangeRequest.objects.exists()


@pytest.mark.parametrize("changes, field", [
    ({"payment_terms_days": -5}, "payment_terms_days"),
    ({"settlement_method": "bitcoin"}, "settlement_method"),
    ({"credit_limit": "lots"}, "credit_limit"),
    ({"name": "改名"}, "name"),
    ({"payment_terms_days": 30}, "payment_terms_days"),  # unchanged
])
def test_bad_terms_requests(org, customer, changes, field):
    with pytest.raises(FieldErrors) as exc:
        services.request_terms_change(org.rep, customer, changes)
    assert field in exc.value.errors
    assert not TermsChangeRequest.objects.exists()


def test_outsider_cannot_request(org, customer):
    with pytest.raises(Forbidden):
        services.request_terms_change(org.other_rep, customer, {"discount_rate": "5"})


def test_withdraw(org, customer):
    req = services.request_terms_change(org.rep, customer, {"discount_rate": "5"})
    with pytest.raises(Forbidden):
        services.withdraw_terms_change(org.teammate, req)
    services.withdraw_terms_change(org.rep, req)
    assert fresh(req).status == S.WITHDRAWN
    with pytest.raises(Conflict):
        services.withdraw_terms_change(org.rep, fresh(req))
    with pytest.raises(Conflict):
        services.decide_terms_change(org.manager, fresh(req), approve=True)
    assert fresh(customer).discount_rate == Decimal("0")
    services.request_terms_change(org.rep, customer, {"discount_rate": "6"})


def test_two_deciders_at_once_only_one_counts(org, customer):
    req = services.request_terms_change(org.rep, customer, {"discount_rate": "5"})
    seen_by_manager = fresh(req)
    seen_by_admin = fresh(req)
    services.decide_terms_change(org.manager, seen_by_manager, approve=True,
                                 version=seen_by_manager.version)
    with pytest.raises(Conflict):
        services.decide_terms_change(org.admin, seen_by_admin, approve=False, comment="否",
                                     version=seen_by_admin.version)
    assert fresh(req).status == S.FINANCE
    assert ApprovalStep.objects.count() == 1
