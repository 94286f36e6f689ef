"""Pricing arithmetic in Decimal: line amounts, a quote-level discount spread over the lines,
VAT per line. Every total is the sum of its lines, so documents always add up exactly.

Rounding is half-up to the fen (0.01) at each line, as on Chinese VAT invoices."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineInput:
    quantity: Decimal
    list_price: Decimal
    unit_price: Decimal
    discount_percent: Decimal = ZERO
    tax_rate: Decimal = ZERO
    cost: Decimal = ZERO


@dataclass(frozen=True)
class LineAmounts:
    list_value: Decimal       # quantity × list price
    net: Decimal              # after line and quote discounts, before tax
    tax: Decimal
    total: Decimal
    discount_percent: Decimal  # effective discount off the list price, in percent


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal          # Σ list value
    discount_amount: Decimal   # subtotal − net
    net: Decimal
    tax: Decimal
    total: Decimal
    max_discount: Decimal      # the largest effective line discount, in percent
    cost: Decimal


def _spread(amount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split ``amount`` (in cents) over ``weights`` proportionally; the shares sum exactly to
    ``amount`` (largest remainder gets the leftover cents)."""
    total = sum(weights, ZERO)
    if amount == ZERO or total == ZERO:
        return [ZERO] * len(weights)
    raw = [amount * w / total for w in weights]
    shares = [r.quantize(CENT, rounding="ROUND_DOWN") for r in raw]
    left = int((amount - sum(shares, ZERO)) / CENT)
    order = sorted(range(len(raw)), key=lambda i: (raw[i] - shares[i], weights[i]),
                   reverse=True)
    for i in order[:left]:
        shares[i] += CENT
    return shares


def price_lines(lines: Sequence[LineInput],
                quote_discount: Decimal = ZERO) -> tuple[list[LineAmounts], Totals]:
    """Amounts of each line and of the whole document."""
    before = [cents(li.quantity * li.unit_price * (HUNDRED - li.discount_percent) / HUNDRED)
              for li in lines]
    quote_cut = cents(sum(before, ZERO) * quote_discount / HUNDRED)
    cuts = _spread(quote_cut, before)
    amounts = []
    for li, net_before, cut in zip(lines, before, cuts, strict=True):
        net = net_before - cut
        tax = cents(net * li.tax_rate / HUNDRED)
        list_value = cents(li.quantity * li.list_price)
        effective = (HUNDRED * (list_value - net) / list_value).quantize(CENT, ROUND_HALF_UP) \
            if list_value > ZERO else ZERO
        amounts.append(LineAmounts(list_value=list_value, net=net, tax=tax, total=net + tax,
                                   discount_percent=max(effective, ZERO)))
    none = Decimal("0.00")  # an empty document still has amounts in fen
    subtotal = sum((a.list_value for a in amounts), none)
    net = sum((a.net for a in amounts), none)
    tax = sum((a.tax for a in amounts), none)
    return amounts, Totals(
        subtotal=subtotal, discount_amount=subtotal - net, net=net, tax=tax, total=net + tax,
        max_discount=max((a.discount_percent for a in amounts), default=none),
        cost=cents(sum((li.quantity * li.cost for li in lines), ZERO)))
