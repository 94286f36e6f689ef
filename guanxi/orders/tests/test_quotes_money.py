"""Pricing arithmetic as properties: for any lines, discounts and VAT rates the document adds
up exactly in Decimal fen, and a saved quote's totals are the sums of its saved lines."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanxi.orders.models import Product
from guanxi.orders.money import CENT, LineAmounts, LineInput, Totals, price_lines
from guanxi.orders.services import quotes as svc
from guanxi.orders.services.quotes import QuoteInput, QuoteLineInput

Q = QuoteInput.parse
QL = QuoteLineInput.rows


def _dec(low: str, high: str, places: int):
    return st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=places,
                       allow_nan=False, allow_infinity=False)


RATES = st.sampled_from([Decimal("0"), Decimal("3"), Decimal("6"), Decimal("9"),
                         Decimal("13"), Decimal("13.5")])


@st.composite
def line_inputs(draw):
    list_price = draw(_dec("0", "99999.99", 2))
    unit_price = draw(st.one_of(st.just(list_price), _dec("0", "99999.99", 2)))
    return LineInput(quantity=draw(_dec("0.001", "9999.999", 3)), list_price=list_price,
                     unit_price=unit_price, discount_percent=draw(_dec("0", "100", 2)),
                     tax_rate=draw(RATES), cost=draw(_dec("0", "99999.99", 2)))


def _two_places(value: Decimal) -> bool:
    return isinstance(value, Decimal) and value == value.quantize(CENT) \
        and value.as_tuple().exponent == -2


# At least one line: an empty document's sums start from Decimal("0") (no places); the
# quote service stores them as 0.00 all the same.
@given(st.lists(line_inputs(), min_size=1, max_size=25), _dec("0", "100", 2))
@settings(max_examples=300, deadline=None)
def test_price_lines_adds_up(lines, quote_discount):
    amounts, totals = price_lines(lines, quote_discount)
    assert len(amounts) == len(lines)
    assert sum((a.net for a in amounts), Decimal("0")) == totals.net
    assert sum((a.tax for a in amounts), Decimal("0")) == totals.tax
    assert totals.net + totals.tax == totals.total
    assert totals.discount_amount == totals.subtotal - totals.net
    for a in amounts:
        assert a.net + a.tax == a.total
    # The quote discount is spread exactly: the lines lose what the quote discount takes.
    before = [(li.quantity * li.unit_price * (100 - li.discount_percent) / 100)
              .quantize(CENT, rounding="ROUND_HALF_UP") for li in lines]
    cut = (sum(before, Decimal("0")) * quote_discount / 100).quantize(
        CENT, rounding="ROUND_HALF_UP")
    assert sum(before, Decimal("0")) - totals.net == cut
    assert all(b - a.net >= 0 for b, a in zip(before, amounts, strict=True))
    for value in (totals.subtotal, totals.discount_amount, totals.net, totals.tax,
                  totals.total, totals.cost, *[v for a in amounts for v in
                                               (a.list_value, a.net, a.tax, a.total)]):
        assert _two_places(value), value
    # No float anywhere.
    for obj in (totals, *amounts):
        assert all(not isinstance(getattr(obj, f), float) for f in
                   (Totals if isinstance(obj, Totals) else LineAmounts).__dataclass_fields__)


@pytest.mark.django_db
@given(st.lists(st.tuples(_dec("0.001", "999.999", 3), _dec("0", "100", 2),
                          st.one_of(st.none(), _dec("0", "9999.99", 2))),
                min_size=1, max_size=12),
       _dec("0", "100", 2))
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_saved_quote_totals_are_the_sums_of_its_lines(org, make_account, rows, discount):
    account = make_account(by=org.rep)
    products = {p.code: p for p in Product.objects.filter(code__in=["P-A", "P-B", "P-C"])}
    for code, price, tax in (("P-A", "1234.56", "13"), ("P-B", "0.99", "6"),
                             ("P-C", "88888.88", "9")):
        if code not in products:
            products[code] = Product.objects.create(code=code, name_zh=code,
                                                    list_price=Decimal(price),
                                                    tax_rate=Decimal(tax))
    ordered = list(products.values())
    lines = [{"product": ordered[i % 3].pk, "quantity": q, "discount_percent": d,
              **({"unit_price": p} if p is not None else {})}
             for i, (q, d, p) in enumerate(rows)]
    quote = svc.create_quote(org.rep, account, Q({"discount_percent": discount}), QL(lines))
    quote.refresh_from_db()
    saved = list(quote.lines.all())
    assert len(saved) == len(rows)
    assert quote.net_amount == sum(li.net_amount for li in saved)
    assert quote.tax_amount == sum(li.tax_amount for li in saved)
    assert quote.total == sum(li.total for li in saved) == quote.net_amount + quote.tax_amount
    assert quote.subtotal - quote.discount_amount == quote.net_amount
    assert all(li.net_amount + li.tax_amount == li.total for li in saved)
