"""Sales orders from quotes and contracts: idempotent and atomic conversion, customer approval
and credit limit, stock orders confirmed, custom orders through the order review, cancel."""

from __future__ import annotations

from decimal import Decimal

import pytest

from guanxi.core.errors import Conflict, DomainError, FieldErrors, Forbidden
from guanxi.core.models import AuditEntry, Notification
from guanxi.customers.models import Account, Approval, Standing, TimelineEvent
from guanxi.orders.models import Contract, OrderLine, Quote, Review, SalesOrder
from guanxi.orders.services import execution, reviews
from guanxi.orders.services import orders as svc
from guanxi.orders.services.execution import ShipmentInput, ShipmentLineInput
from guanxi.orders.services.orders import LineQuantityInput, OrderInput, OrderLineInput
from guanxi.orders.tests import fulfilment_fixtures as fx
from guanxi.orders.tests.fulfilment_fixtures import TODAY, make_contract, make_quote

shop = fx.shop

Status = SalesOrder.Status


def test_stock_quote_becomes_a_confirmed_order(shop):
    org = shop.org
    order = svc.order_from_quote(org.rep, shop.quote, OrderInput.parse({
        "promised_date": "2026-06-20", "delivery_address": "上海市浦东新区",
        "delivery_owner": org.delivery.pk, "collection_owner": org.collection.pk}), today=TODAY)
    assert order.created and order.number.startswith("SO2026-")
    assert order.status == Status.CONFIRMED and order.kind == SalesOrder.Kind.STOCK
    assert order.production_status == SalesOrder.Production.NOT_NEEDED
    assert (order.net_amount, order.total) == (shop.quote.net_amount, shop.quote.total)
    assert order.total == Decimal("1695.00") and order.cost == Decimal("900.00")
    assert [(li.quantity, li.total) for li in order.lines.all()] == [
        (Decimal("10.000"), Decimal("1130.00")), (Decimal("5.000"), Decimal("565.00"))]
    assert (order.owner, order.team_id) == (org.rep, org.rep.team_id)
    assert order.delivery_owner == org.delivery and order.collection_owner == org.collection
    shop.account.refresh_from_db()
    assert shop.account.standing == Standing.CUSTOMER
    assert Notification.objects.filter(recipient=org.delivery, kind="orders.order").exists()
    assert AuditEntry.objects.filter(action="orders.order.created",
                                     object_id=str(order.pk)).exists()
    assert TimelineEvent.objects.filter(account=shop.account, kind="orders.order").exists()


def test_converting_twice_gives_the_same_order(shop):
    first = svc.order_from_quote(shop.org.rep, shop.quote, None, today=TODAY)
    second = svc.order_from_quote(shop.org.rep, shop.quote, None, today=TODAY)
    assert second.pk == first.pk and not second.created
    assert SalesOrder.objects.count() == 1


def test_a_failure_in_the_last_step_leaves_nothing(shop, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("timeline down")

    monkeypatch.setattr(svc, "promote_standing", broken)
    with pytest.raises(RuntimeError):
        svc.order_from_quote(shop.org.rep, shop.quote, None, today=TODAY)
    assert not SalesOrder.objects.exists() and not OrderLine.objects.exists()
    shop.account.refresh_from_db()
    assert shop.account.standing == Standing.PROSPECT
    quote = Quote.objects.get(pk=shop.quote.pk)
    assert quote.status == Quote.Status.ACCEPTED and quote.version == shop.quote.version


@pytest.mark.parametrize("status", [Quote.Status.DRAFT, Quote.Status.SENT,
                                    Quote.Status.DECLINED])
def test_only_an_accepted_quote_becomes_an_order(shop, status):
    Quote.objects.filter(pk=shop.quote.pk).update(status=status)
    shop.quote.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        svc.order_from_quote(shop.org.rep, shop.quote, None, today=TODAY)
    assert exc.value.code == "quote_not_accepted"
    assert not SalesOrder.objects.exists()


def test_pending_customer_gets_no_order(shop):
    Account.objects.filter(pk=shop.account.pk).update(approval=Approval.PENDING)
    shop.quote.account.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        svc.order_from_quote(shop.org.rep, shop.quote, None, today=TODAY)
    assert exc.value.code == "customer_pending"
    assert not SalesOrder.objects.exists()


@pytest.mark.parametrize(("data", "field"), [
    ({"promised_date": "2026-05-01"}, "promised_date"),
    ({"promised_date": "soon"}, "promised_date"),
    ({"delivery_owner": 999999}, "delivery_owner"),
    ({"kind": "rush"}, "kind"),
    ({"number": "X"}, "number"),
])
def test_bad_input_names_the_field_and_writes_nothing(shop, data, field):
    with pytest.raises(FieldErrors) as exc:
        svc.order_from_quote(shop.org.rep, shop.quote, OrderInput.parse(data), today=TODAY)
    assert field in exc.value.errors
    assert not SalesOrder.objects.exists()


def test_someone_elses_quote_is_refused(shop):
    with pytest.raises(Forbidden):
        svc.order_from_quote(shop.org.other_rep, shop.quote, None, today=TODAY)
    assert not SalesOrder.objects.exists()


# --- Credit limit --------------------------------------------------------------------------

def test_over_the_credit_limit_a_rep_is_refused_and_finance_is_told(shop):
    org = shop.org
    Account.objects.filter(pk=shop.account.pk).update(credit_limit=Decimal("1000"))
    shop.quote.account.refresh_from_db()
    for _attempt in range(2):
        with pytest.raises(DomainError) as exc:
            svc.order_from_quote(org.rep, shop.quote, None, today=TODAY)
    assert exc.value.code == "over_credit_limit" and exc.value.field == "credit"
    assert "Finance must approve" in exc.value.message and "1,000.00" in exc.value.message
    assert not SalesOrder.objects.exists()
    notes = Notification.objects.filter(recipient=org.finance, kind="orders.credit")
    assert notes.count() == 1  # told once, not per attempt
    assert notes.get().url == f"/orders/quotes/{shop.quote.pk}/order/"


def test_finance_overrides_the_credit_limit_with_a_reason(shop):
    org = shop.org
    Account.objects.filter(pk=shop.account.pk).update(credit_limit=Decimal("0"))
    shop.quote.account.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        svc.order_from_quote(org.finance, shop.quote, None, today=TODAY)
    assert exc.value.field == "credit_override_reason"
    order = svc.order_from_quote(org.finance, shop.quote,
                                 OrderInput.parse(
                                     {"credit_override_reason": "老客户，已电话确认付款计划"}),
                                 today=TODAY)
    assert order.credit_override_by == org.finance
    assert order.credit_override_reason == "老客户，已电话确认付款计划"
    entry = AuditEntry.objects.get(action="orders.order.credit_override",
                                   object_id=str(order.pk))
    assert entry.actor == org.finance and entry.data["reason"].startswith("老客户")
    assert order.owner == org.rep  # still the rep's order


def test_existing_orders_count_against_the_limit(shop):
    org = shop.org
    Account.objects.filter(pk=shop.account.pk).update(credit_limit=Decimal("2000"))
    shop.quote.account.refresh_from_db()
    svc.order_from_quote(org.rep, shop.quote, None, today=TODAY)  # 1,695 of 2,000
    second = make_quote(shop.account, org.rep, [(shop.stock, "3")])  # 339 more
    with pytest.raises(DomainError) as exc:
        svc.order_from_quote(org.rep, second, None, today=TODAY)
    assert exc.value.code == "over_credit_limit"


# --- Custom orders and the order review ----------------------------------------------------

def _custom(shop):
    quote = make_quote(shop.account, shop.org.rep, [(shop.custom, "2"), (shop.stock, "1")])
    return svc.order_from_quote(shop.org.rep, quote,
                                OrderInput.parse({"delivery_owner": shop.org.delivery.pk}),
                                today=TODAY)


def _decide(review, user, decision, comment=""):
    review.refresh_from_db()
    return reviews.decide(user, review, decision, comment)


def test_custom_order_goes_to_review_and_is_confirmed_when_approved(shop):
    org = shop.org
    order = _custom(shop)
    assert order.kind == SalesOrder.Kind.CUSTOM and order.status == Status.IN_REVIEW
    assert order.production_status == SalesOrder.Production.NOT_STARTED
    assert order.review is not None
    _decide(order.review, org.delivery, "approve")      # production feasibility
    order.refresh_from_db()
    assert order.status == Status.IN_REVIEW
    _decide(order.review, org.manager, "approve")       # sales manager
    order.refresh_from_db()
    assert order.status == Status.CONFIRMED
    shop.account.refresh_from_db()
    assert shop.account.standing == Standing.CUSTOMER


def test_special_requirements_make_a_custom_order(shop):
    order = svc.order_from_quote(shop.org.rep, shop.quote,
                                 OrderInput.parse(
                                     {"special_requirements": "外壳喷涂企业标准色"}), today=TODAY)
    assert order.kind == SalesOrder.Kind.CUSTOM and order.status == Status.IN_REVIEW


def test_a_made_to_order_product_cannot_be_ordered_as_stock(shop):
    quote = make_quote(shop.account, shop.org.rep, [(shop.custom, "1")])
    with pytest.raises(DomainError) as exc:
        svc.order_from_quote(shop.org.rep, quote, OrderInput.parse({"kind": "stock"}), today=TODAY)
    assert exc.value.field == "kind"


def test_rejected_order_stays_rejected_and_counts_for_nothing(shop):
    order = _custom(shop)
    _decide(order.review, shop.org.delivery, "reject", "交期无法满足")
    order.refresh_from_db()
    assert order.status == Status.REJECTED
    shop.account.refresh_from_db()
    assert shop.account.standing == Standing.PROSPECT


def test_returned_order_is_changed_and_resubmitted(shop):
    org = shop.org
    order = _custom(shop)
    _decide(order.review, org.delivery, "return", "数量请减少到1台")
    order.refresh_from_db()
    assert order.status == Status.RETURNED
    line = order.lines.get(product=shop.custom)
    with pytest.raises(Conflict):
        svc.resubmit_order(org.rep, order, None, order.version - 1, today=TODAY)
    with pytest.raises(FieldErrors):
        svc.resubmit_order(org.rep, order, None, order.version,
                           LineQuantityInput.rows([{"id": line.pk, "quantity": "0"}]),
                           today=TODAY)
    with pytest.raises(Forbidden):
        svc.resubmit_order(org.delivery, order, None, order.version, today=TODAY)
    svc.resubmit_order(org.rep, order, OrderInput.parse({"special_requirements": "单台试制"}),
                       order.version, LineQuantityInput.rows([{"id": line.pk, "quantity": "1"}]),
                       today=TODAY)
    order.refresh_from_db()
    assert order.status == Status.IN_REVIEW and order.special_requirements == "单台试制"
    assert order.total == Decimal("1130.00") + Decimal("113.00")
    assert order.review.status == Review.Status.PENDING
    with pytest.raises(DomainError):
        svc.resubmit_order(org.rep, order, None, order.version, today=TODAY)
    _decide(order.review, org.delivery, "approve")
    _decide(order.review, org.manager, "approve")
    order.refresh_from_db()
    assert order.status == Status.CONFIRMED


# --- Contracts -----------------------------------------------------------------------------

def test_signed_contract_with_a_quote_gives_one_order_for_both(shop):
    contract = make_contract(shop.account, shop.org.rep, shop.quote)
    order = svc.order_from_contract(shop.org.rep, contract, None, today=TODAY)
    assert order.created and order.contract == contract and order.quote == shop.quote
    assert order.lines.count() == 2
    again = svc.order_from_quote(shop.org.rep, shop.quote, None, today=TODAY)
    assert again.pk == order.pk and SalesOrder.objects.count() == 1


def test_contract_without_a_quote_needs_priced_lines(shop):
    org = shop.org
    contract = make_contract(shop.account, org.rep)
    with pytest.raises(FieldErrors) as exc:
        svc.order_from_contract(org.rep, contract, None, today=TODAY)
    assert "lines" in exc.value.errors
    with pytest.raises(FieldErrors):
        svc.order_from_contract(org.rep, contract, None, OrderLineInput.rows([
            {"product": shop.stock.pk, "quantity": "-1"}]), today=TODAY)
    with pytest.raises(FieldErrors) as exc:
        svc.order_from_contract(org.rep, contract, None, OrderLineInput.rows([
            {"product": shop.stock.pk, "quantity": "three"}]), today=TODAY)
    assert list(exc.value.errors) == ["lines[0].quantity"]
    order = svc.order_from_contract(org.rep, contract, None, OrderLineInput.rows([
        {"product": shop.stock.pk, "quantity": "3", "discount_percent": "10"}]), today=TODAY)
    assert order.net_amount == Decimal("270.00") and order.total == Decimal("305.10")
    assert order.status == Status.CONFIRMED


def test_unsigned_contract_is_refused(shop):
    contract = make_contract(shop.account, shop.org.rep, shop.quote,
                             status=Contract.Status.APPROVED)
    with pytest.raises(DomainError) as exc:
        svc.order_from_contract(shop.org.rep, contract, None, today=TODAY)
    assert exc.value.code == "contract_not_signed"


# --- Cancelling ----------------------------------------------------------------------------

def test_cancel_removes_the_recorded_sale(shop):
    org = shop.org
    order = svc.order_from_quote(org.rep, shop.quote, None, today=TODAY)
    with pytest.raises(DomainError) as exc:
        svc.cancel_order(org.rep, order, "", order.version)
    assert exc.value.field == "reason"
    with pytest.raises(Conflict):
        svc.cancel_order(org.rep, order, "客户取消", order.version - 1)
    with pytest.raises(Forbidden):
        svc.cancel_order(org.teammate, order, "客户取消", order.version)
    svc.cancel_order(org.rep, order, "客户取消", order.version)
    order.refresh_from_db()
    assert order.status == Status.CANCELLED
    with pytest.raises(DomainError):
        svc.cancel_order(org.rep, order, "again", order.version)


def test_a_shipped_order_cannot_be_cancelled(shop):
    org = shop.org
    order = svc.order_from_quote(org.rep, shop.quote,
                                 OrderInput.parse({"delivery_owner": org.delivery.pk}),
                                 today=TODAY)
    line = order.lines.first()
    execution.add_shipment(org.delivery, order, ShipmentInput.parse({"shipped_on": TODAY}),
                           ShipmentLineInput.rows([
        {"order_line": line.pk, "quantity": "1"}]), order.version, today=TODAY)
    order.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        svc.cancel_order(org.rep, order, "客户取消", order.version)
    assert exc.value.code == "shipped"


def test_cancelling_an_order_in_review_withdraws_the_review(shop):
    order = _custom(shop)
    svc.cancel_order(shop.org.rep, order, "客户取消", order.version)
    order.review.refresh_from_db()
    assert order.review.status == Review.Status.WITHDRAWN


def test_a_conversion_racing_another_returns_the_winners_order(shop, monkeypatch):
    """Both saw no order yet; the second insert hits the one-order-per-quote constraint
    and answers with the first order."""
    first = svc.order_from_quote(shop.org.rep, shop.quote, None, today=TODAY)
    monkeypatch.setattr(svc, "existing_order", lambda source: None)
    second = svc.order_from_quote(shop.org.manager, shop.quote, None, today=TODAY)
    assert second.pk == first.pk and not second.created
    assert SalesOrder.objects.count() == 1 and OrderLine.objects.count() == 2


def test_a_stock_order_is_confirmed_from_the_start(shop):
    order = svc.order_from_quote(shop.org.rep, shop.quote, None, today=TODAY)
    actions = list(AuditEntry.objects.filter(object_id=str(order.pk),
                                             object_type="orders.salesorder")
                   .values_list("action", flat=True))
    assert actions == ["orders.order.created"]


def test_resubmitting_more_than_the_credit_limit_allows_is_refused(shop):
    order = _custom(shop)  # 2 × 1,130 + 113 = 2,373
    Account.objects.filter(pk=shop.account.pk).update(credit_limit=Decimal("3000"))
    order.account.refresh_from_db()
    _decide(order.review, shop.org.delivery, "return", "请确认数量")
    order.refresh_from_db()
    line = order.lines.get(product=shop.custom)
    with pytest.raises(DomainError) as exc:
        svc.resubmit_order(shop.org.rep, order, None, order.version,
                           LineQuantityInput.rows([{"id": line.pk, "quantity": "3"}]),
                           today=TODAY)
    assert exc.value.code == "over_credit_limit" and exc.value.field == "lines"
    order.refresh_from_db()
    assert order.status == Status.RETURNED and order.total == Decimal("2373.00")
    assert order.lines.get(pk=line.pk).quantity == 2


def test_an_order_for_a_prospect_records_the_new_standing(shop):
    """The standing changes through the customers' service: a new version, an audit entry
    and a timeline entry, not a silent update."""
    version = shop.account.version
    order = svc.order_from_quote(shop.org.rep, shop.quote, None, today=TODAY)
    shop.account.refresh_from_db()
    assert shop.account.standing == Standing.CUSTOMER and shop.account.version == version + 1
    entry = AuditEntry.objects.get(action="customers.account.standing_changed",
                                   object_id=str(shop.account.pk))
    assert entry.changes == {"standing": [Standing.PROSPECT, Standing.CUSTOMER]}
    assert entry.actor == shop.org.rep and entry.data["order"] == order.pk
    event = TimelineEvent.objects.get(account=shop.account, kind="customers.standing")
    assert event.display_title == f"Became a customer with order {order.number}"
    assert event.actor == shop.org.rep
