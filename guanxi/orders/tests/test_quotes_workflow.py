"""Quote services: prices and totals, every approval path, sending, the customer's answer,
revisions, and bad input refused with the field named and nothing saved."""

from __future__ import annotations

from decimal import Decimal

import pytest

from guanxi.core.errors import Conflict, DomainError, FieldErrors, Forbidden, NotFound
from guanxi.core.models import AuditEntry
from guanxi.customers.models import Account, Standing, TimelineEvent
from guanxi.orders import permissions as perms
from guanxi.orders.models import Quote, QuoteLine, Review
from guanxi.orders.services import quotes as svc
from guanxi.orders.services import reviews
from guanxi.orders.services.quotes import QuoteInput, QuoteLineInput
from guanxi.orders.tests.test_quotes_fixtures import TODAY, lines, make_quote, world
from guanxi.sales.models import Opportunity

Q = QuoteInput.parse
QL = QuoteLineInput.rows

S = Quote.Status
__all__ = ["world"]


def _decide(user, quote, decision, comment=""):
    quote.refresh_from_db()
    review = quote.review
    reviews.decide(user, review, decision, comment, review.version)
    quote.refresh_from_db()
    return quote


def test_create_prices_lines_and_totals(world):
    quote = make_quote(world, "5", "0", discount_percent="2", title="一期报价")
    assert quote.number.startswith("Q2026-") and quote.revision == 1
    assert quote.status == S.DRAFT and quote.currency == "CNY"
    assert quote.owner == world.org.rep and quote.team == world.org.team_a
    assert quote.valid_until == TODAY.replace(month=4, day=1)
    rows = list(quote.lines.order_by("position"))
    assert [r.description for r in rows] == ["油浸式变压器", "真空断路器"]
    assert rows[0].tax_rate == Decimal("13.00") and rows[0].cost == Decimal("7000.00")
    # 2 × 10000 × 95% = 19000; 3 × 2345.67 = 7037.01; 2% off 26037.01 = 520.74 spread
    assert quote.subtotal == Decimal("27037.01")
    assert quote.net_amount == sum(r.net_amount for r in rows) == Decimal("25516.27")
    assert quote.tax_amount == sum(r.tax_amount for r in rows)
    assert quote.total == quote.net_amount + quote.tax_amount
    assert quote.discount_amount == quote.subtotal - quote.net_amount
    assert quote.max_discount == Decimal("6.90")
    assert AuditEntry.objects.filter(action="orders.quote.created",
                                     object_id=str(quote.pk)).exists()
    assert TimelineEvent.objects.filter(account=world.account, kind="orders.quote").exists()


def test_unit_price_given_and_currency_of_the_customer(world):
    world.account.currency = "USD"
    world.account.save(update_fields=["currency"])
    world.service.currency = "USD"
    world.service.save(update_fields=["currency"])
    quote = svc.create_quote(world.org.rep, world.account, QuoteInput(),
                             QL([{"product": world.service.pk, "quantity": "1.5",
                               "unit_price": "700", "description": "现场调试"}]), today=TODAY)
    line = quote.lines.get()
    assert quote.currency == "USD"
    assert line.list_price == Decimal("800.00") and line.unit_price == Decimal("700.00")
    assert line.description == "现场调试" and line.unit == "次"
    assert line.net_amount == Decimal("1050.00") and line.tax_amount == Decimal("63.00")
    assert quote.max_discount == Decimal("12.50")


@pytest.mark.parametrize("bad, field", [
    ({"quantity": "-1"}, "lines[1].quantity"),
    ({"quantity": "0"}, "lines[1].quantity"),
    ({"quantity": "abc"}, "lines[1].quantity"),
    ({"product": 999999}, "lines[1].product"),
    ({"discount_percent": "100.01"}, "lines[1].discount_percent"),
    ({"discount_percent": "-5"}, "lines[1].discount_percent"),
    ({"unit_price": "-0.01"}, "lines[1].unit_price"),
    ({"colour": "red"}, "lines[1].colour"),
])
def test_bad_lines_name_the_field_and_save_nothing(world, bad, field):
    rows = lines(world)
    rows[1] = {**rows[1], **bad}
    before = (Quote.objects.count(), QuoteLine.objects.count())
    with pytest.raises(FieldErrors) as exc:
        svc.create_quote(world.org.rep, world.account, QuoteInput(), QL(rows), today=TODAY)
    assert field in exc.value.errors
    assert (Quote.objects.count(), QuoteLine.objects.count()) == before


def test_inactive_product_is_unknown_and_quote_fields_are_checked(world):
    world.switch.active = False
    world.switch.save(update_fields=["active"])
    with pytest.raises(FieldErrors) as exc:
        svc.create_quote(world.org.rep, world.account, Q({"discount_percent": "150",
                                                          "valid_until": "2026-01-01"}),
                         QL(lines(world)), today=TODAY)
    assert set(exc.value.errors) == {"lines[1].product", "discount_percent", "valid_until"}
    with pytest.raises(FieldErrors) as exc:
        svc.create_quote(world.org.rep, world.account, Q({"valid_until": "2026-01-01"}), QL([]),
                         today=TODAY)
    assert "valid_until" in exc.value.errors
    assert not Quote.objects.exists()


def test_who_may_create(world, make_account):
    org = world.org
    for user in (org.finance, org.executive, org.marketing):
        with pytest.raises(Forbidden):
            svc.create_quote(user, world.account, QuoteInput(), QL(lines(world)))
    with pytest.raises(NotFound):
        svc.create_quote(org.other_rep, world.account, QuoteInput(), QL(lines(world)))
    for user in (org.assistant, org.manager, org.admin):
        quote = svc.create_quote(user, world.account, QuoteInput(), QL(lines(world)))
        assert quote.owner == org.rep and quote.created_by == user


def test_no_approval_needed(world):
    quote = make_quote(world, "10")  # the customer's approved 10 %
    svc.submit_quote(world.org.rep, quote, quote.version)
    quote.refresh_from_db()
    assert quote.status == S.APPROVED and quote.review is None


def test_beyond_the_customer_rate_goes_to_the_manager(world):
    org = world.org
    quote = make_quote(world, "15")
    svc.submit_quote(org.rep, quote, quote.version)
    quote.refresh_from_db()
    assert quote.status == S.IN_APPROVAL
    steps = list(quote.review.steps.order_by("position"))
    assert [s.name_en for s in steps] == ["Sales manager"]
    with pytest.raises(DomainError):  # editable only once returned or rejected
        svc.update_quote(org.rep, quote, Q({"title": "x"}), None, quote.version)
    with pytest.raises(Forbidden):  # the rep cannot approve their own discount
        reviews.decide(org.rep, quote.review, "approve", "", quote.review.version)
    with pytest.raises(Forbidden):  # nor another region's manager
        reviews.decide(org.other_manager, quote.review, "approve", "", quote.review.version)
    quote = _decide(org.manager, quote, "approve")
    assert quote.status == S.APPROVED
    assert AuditEntry.objects.filter(action="orders.quote.approved").exists()


def test_beyond_the_company_limit_also_goes_to_the_general_manager(world, settings):
    settings.GUANXI_MAX_DISCOUNT_RATE = Decimal("30")
    org = world.org
    quote = make_quote(world, "35")
    svc.submit_quote(org.rep, quote, quote.version)
    quote.refresh_from_db()
    assert [s.name_en for s in quote.review.steps.order_by("position")] == [
        "Sales manager", "General manager"]
    quote = _decide(org.manager, quote, "approve")
    assert quote.status == S.IN_APPROVAL
    with pytest.raises(Forbidden):
        reviews.decide(org.manager, quote.review, "approve", "", quote.review.version)
    quote = _decide(org.executive, quote, "approve")
    assert quote.status == S.APPROVED


def test_quote_discount_counts_for_approval(world):
    quote = make_quote(world, "0", "0", discount_percent="12")
    svc.submit_quote(world.org.rep, quote, quote.version)
    quote.refresh_from_db()
    assert quote.status == S.IN_APPROVAL


def test_rejection_edit_and_resubmission(world):
    org = world.org
    quote = make_quote(world, "20")
    svc.submit_quote(org.rep, quote, quote.version)
    with pytest.raises(DomainError) as exc:
        _decide(org.manager, quote, "reject")
    assert exc.value.field == "comment"
    quote = _decide(org.manager, quote, "reject", "折扣太高")
    assert quote.status == S.REJECTED
    event = TimelineEvent.objects.filter(kind="orders.quote").order_by("-id").first()
    assert "rejected" in event.title and event.body == "折扣太高"
    svc.update_quote(org.rep, quote, QuoteInput(), QL(lines(world, "8")), quote.version)
    quote.refresh_from_db()
    assert quote.max_discount == Decimal("8.00") and quote.status == S.REJECTED
    svc.submit_quote(org.rep, quote, quote.version)
    quote.refresh_from_db()
    assert quote.status == S.APPROVED and quote.review is None


def test_returned_for_changes_is_a_draft_again(world):
    org = world.org
    quote = make_quote(world, "20")
    svc.submit_quote(org.rep, quote, quote.version)
    quote = _decide(org.manager, quote, "return", "请补充技术方案")
    assert quote.status == S.DRAFT
    svc.update_quote(org.rep, quote, Q({"title": "含技术方案"}), None, quote.version)
    svc.submit_quote(org.rep, quote, quote.version)
    quote.refresh_from_db()
    assert quote.status == S.IN_APPROVAL and quote.review.status == Review.Status.PENDING
    assert Review.objects.filter(subject_id=quote.pk).count() == 2


def test_stale_versions_are_refused(world):
    org = world.org
    quote = make_quote(world)
    stale = quote.version
    svc.update_quote(org.rep, quote, Q({"title": "新标题"}), None, quote.version)
    for call in (lambda: svc.update_quote(org.rep, quote, Q({"title": "x"}), None, stale),
                 lambda: svc.submit_quote(org.rep, quote, stale)):
        with pytest.raises(Conflict):
            call()
    svc.submit_quote(org.rep, quote, quote.version)
    quote.refresh_from_db()
    with pytest.raises(Conflict):
        svc.send_quote(org.rep, quote, "a@b.example", "", stale)
    with pytest.raises(Conflict):
        svc.accept_quote(org.rep, quote, stale)


def test_send_moves_the_opportunity_forward_only(world, django_capture_on_commit_callbacks):
    org = world.org
    quote = make_quote(world)
    svc.submit_quote(org.rep, quote, quote.version)
    quote.refresh_from_db()
    with pytest.raises(FieldErrors) as exc:
        svc.send_quote(org.rep, quote, "not an address", "", quote.version)
    assert "to" in exc.value.errors
    with django_capture_on_commit_callbacks(execute=False):
        svc.send_quote(org.rep, quote, "zhangsan@mingzhu.example", "您好", quote.version)
    quote.refresh_from_db()
    assert quote.status == S.SENT and quote.sent_to == "zhangsan@mingzhu.example"
    assert Opportunity.objects.get(pk=world.opp.pk).stage.key == "quotation"
    # A deal already past the quotation stage stays where it is.
    opp = Opportunity.objects.get(pk=world.opp.pk)
    from guanxi.sales.services.opportunities import move_stage
    move_stage(org.rep, opp, opp.version, "contract_review")
    with django_capture_on_commit_callbacks(execute=False):
        svc.send_quote(org.rep, quote, "lisi@mingzhu.example", "", quote.version)
    assert Opportunity.objects.get(pk=world.opp.pk).stage.key == "contract_review"


def test_sending_needs_approval(world):
    quote = make_quote(world, "20")
    with pytest.raises(DomainError) as exc:
        svc.send_quote(world.org.rep, quote, "a@b.example", "", quote.version)
    assert exc.value.code == "wrong_status"


def test_accept_makes_a_prospect_a_lead_customer(world):
    org = world.org
    assert world.account.standing == Standing.PROSPECT
    quote = make_quote(world)
    svc.submit_quote(org.rep, quote, quote.version)
    quote.refresh_from_db()
    svc.accept_quote(org.rep, quote, quote.version)
    quote.refresh_from_db()
    account = Account.objects.get(pk=world.account.pk)
    assert quote.status == S.ACCEPTED and quote.decided_at is not None
    assert account.standing == Standing.LEAD
    assert TimelineEvent.objects.filter(account=account, kind="customers.standing").exists()
    with pytest.raises(DomainError):
        svc.decline_quote(org.rep, quote, "太贵", quote.version)


def test_accept_leaves_a_customer_a_customer(world):
    Account.objects.filter(pk=world.account.pk).update(standing=Standing.CUSTOMER)
    world.account.refresh_from_db()
    quote = make_quote(world)
    svc.submit_quote(world.org.rep, quote, quote.version)
    quote.refresh_from_db()
    svc.accept_quote(world.org.rep, quote, quote.version)
    assert Account.objects.get(pk=world.account.pk).standing == Standing.CUSTOMER


def test_decline_needs_a_reason(world):
    quote = make_quote(world)
    svc.submit_quote(world.org.rep, quote, quote.version)
    quote.refresh_from_db()
    with pytest.raises(FieldErrors) as exc:
        svc.decline_quote(world.org.rep, quote, " ", quote.version)
    assert "reason" in exc.value.errors
    svc.decline_quote(world.org.rep, quote, "价格高于竞争对手", quote.version)
    quote.refresh_from_db()
    assert quote.status == S.DECLINED


def test_revisions_keep_the_number(world):
    org = world.org
    quote = make_quote(world, "5")
    with pytest.raises(DomainError):  # a draft is edited, not revised
        svc.revise_quote(org.rep, quote)
    svc.submit_quote(org.rep, quote, quote.version)
    quote.refresh_from_db()
    second = svc.revise_quote(org.rep, quote, quote.version, today=TODAY)
    quote.refresh_from_db()
    assert quote.status == S.SUPERSEDED
    assert (second.number, second.revision, second.previous) == (quote.number, 2, quote)
    assert second.status == S.DRAFT and second.display_number == f"{quote.number}-v2"
    assert second.lines.count() == 2 and second.total == quote.total
    with pytest.raises(DomainError):  # only the newest version is live
        svc.accept_quote(org.rep, quote, quote.version)
    svc.submit_quote(org.rep, second, second.version)
    second.refresh_from_db()
    third = svc.revise_quote(org.rep, second, second.version)
    assert third.revision == 3 and third.previous == second
    assert Quote.objects.filter(number=quote.number).count() == 3


def test_cancel_withdraws_a_pending_review(world):
    quote = make_quote(world, "20")
    svc.submit_quote(world.org.rep, quote, quote.version)
    quote.refresh_from_db()
    svc.cancel_quote(world.org.rep, quote, quote.version, "客户项目取消")
    quote.refresh_from_db()
    assert quote.status == S.CANCELLED
    assert quote.review.status == Review.Status.WITHDRAWN
    with pytest.raises(DomainError):
        svc.cancel_quote(world.org.rep, quote, quote.version)


def test_who_may_change_a_quote(world):
    org = world.org
    quote = make_quote(world)
    for user in (org.teammate, org.hz_rep, org.finance, org.executive, org.other_manager):
        assert not perms.can_edit_quote(user, quote), user
    for user in (org.rep, org.assistant, org.manager, org.admin):
        assert perms.can_edit_quote(user, quote), user
    with pytest.raises(Forbidden):
        svc.update_quote(org.finance, quote, Q({"title": "x"}), None, quote.version)


def test_prices_come_from_the_customers_price_list(world):
    from guanxi.orders.models import CustomerGroup, PriceList, PriceListItem

    group = CustomerGroup.objects.create(name="经销商")
    group.accounts.add(world.account)
    prices = PriceList.objects.create(name="经销商价", group=group)
    PriceListItem.objects.create(price_list=prices, product=world.transformer,
                                 unit_price=Decimal("9000"))
    PriceListItem.objects.create(price_list=prices, product=world.transformer,
                                 unit_price=Decimal("8500"), min_quantity=10)
    quote = svc.create_quote(world.org.rep, world.account, QuoteInput(), QL([
        {"product": world.transformer.pk, "quantity": "2"},
        {"product": world.switch.pk, "quantity": "1"}]), today=TODAY)
    first, second = quote.lines.order_by("position")
    assert (first.list_price, first.unit_price) == (Decimal("9000.00"), Decimal("9000.00"))
    assert second.unit_price == Decimal("2345.67")  # no list price for it: the list price
    assert quote.max_discount == Decimal("0.00")  # the customer's own price is no discount
    bulk = svc.create_quote(world.org.rep, world.account, QuoteInput(), QL([
        {"product": world.transformer.pk, "quantity": "12"}]), today=TODAY)
    assert bulk.lines.get().unit_price == Decimal("8500.00")


def test_another_currency_needs_a_price(world):
    with pytest.raises(FieldErrors) as exc:
        svc.create_quote(world.org.rep, world.account, Q({"currency": "USD"}),
                         QL([{"product": world.transformer.pk, "quantity": "1"}]), today=TODAY)
    assert "lines[0].unit_price" in exc.value.errors
    quote = svc.create_quote(world.org.rep, world.account, Q({"currency": "USD"}),
                             QL([{"product": world.transformer.pk, "quantity": "1",
                               "unit_price": "1400"}]), today=TODAY)
    assert quote.total == Decimal("1582.00")


def test_saving_takes_the_same_queries_for_few_and_many_lines(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from guanxi.orders.tests.test_quotes_fixtures import make_product

    products = [make_product(f"Q-{i}", f"产品{i}", f"Product {i}", "10.00") for i in range(60)]

    def save(count: int) -> int:
        rows = [{"product": p.pk, "quantity": "1"} for p in products[:count]]
        with CaptureQueriesContext(connection) as queries:
            svc.create_quote(world.org.rep, world.account, QuoteInput(), QL(rows), today=TODAY)
        return len(queries)

    save(1)  # the year's first number creates its counter
    assert save(3) == save(60)


@pytest.mark.parametrize("bad, field", [
    ({"quantity": "1e100000"}, "lines[0].quantity"),
    ({"unit_price": "NaN"}, "lines[0].unit_price"),
    ({"product": "9" * 40}, "lines[0].product"),
])
def test_absurd_numbers_are_field_errors(world, bad, field):
    with pytest.raises(FieldErrors) as exc:
        svc.create_quote(world.org.rep, world.account, QuoteInput(),
                         QL([{"product": world.transformer.pk, "quantity": "1", **bad}]))
    assert field in exc.value.errors
    with pytest.raises(FieldErrors) as exc:
        Q({"contact": "9" * 40})
    assert "contact" in exc.value.errors
    assert not Quote.objects.exists()
