"""Sales orders: made from an accepted quote or a signed contract, checked against the
customer's approval and credit limit, reviewed when custom, confirmed, returned, resubmitted
or cancelled.

Converting is idempotent: a quote or a contract gives at most one order, and asking again
answers with the order it already gave. A custom order (a made-to-order product or special
requirements) goes through the order review; a stock order is confirmed at once. Confirming
makes the account a customer (正式客户) and records the sale for the value models.

Credit: an order is refused when what the customer already owes or has on order plus this
order's total exceeds the credit limit. A limit of 0 means a cash customer with no credit,
so any order with a total above 0 needs finance's override. Only finance may override, with
a reason; a rep who hits the limit is told so and finance is notified.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Self

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanxi.accounts.models import Role, User
from guanxi.core import audit
from guanxi.core.errors import Conflict, DomainError, FieldErrors, Forbidden
from guanxi.core.inputs import UNSET, Input
from guanxi.core.locking import check_version, save_versioned
from guanxi.core.models import Notification
from guanxi.core.notifications import notify
from guanxi.customers.models import Account, Standing
from guanxi.customers.services import ensure_can_order, promote_standing
from guanxi.orders import permissions as perms
from guanxi.orders.models import (
    Contract,
    Flow,
    OrderLine,
    Product,
    Quote,
    Review,
    ReviewStep,
    SalesOrder,
)
from guanxi.orders.money import HUNDRED, ZERO, LineInput, cents, price_lines
from guanxi.orders.numbers import ORDER, next_number
from guanxi.orders.selectors.receivables import credit_exposure
from guanxi.orders.services import reviews

Status = SalesOrder.Status
CONVERT_FIELDS = ("promised_date", "delivery_address", "special_requirements", "kind",
                  "delivery_owner", "collection_owner", "credit_override_reason")
RESUBMIT_FIELDS = ("promised_date", "delivery_address", "special_requirements")
# Once goods have left, an order can no longer be cancelled.
SHIPPED_STATUSES = (Status.PARTIALLY_SHIPPED, Status.SHIPPED, Status.DELIVERED)
CLOSED_STATUSES = (Status.CANCELLED, Status.REJECTED, Status.DELIVERED)


def order_url(order: SalesOrder) -> str:
    return reverse("orders:order", args=[order.pk])


# --- Input ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class OrderInput(Input):
    """An order's own values when it is made or resubmitted (the lines come apart); people as
    users or ids."""

    promised_date: dt.date | None = UNSET
    delivery_address: str | None = UNSET
    special_requirements: str | None = UNSET
    kind: str | None = UNSET
    delivery_owner: User | int | None = UNSET
    collection_owner: User | int | None = UNSET
    credit_override_reason: str | None = UNSET


@dataclass(frozen=True)
class OrderLineInput(Input):
    """A line of a contract without a quote: the product (or its id), the quantity, and
    optionally the unit price (default: the list price) and the line discount in percent."""

    product: Product | int | None = None
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    discount_percent: Decimal | None = None

    @classmethod
    def rows(cls, rows: Sequence[Any]) -> list[Self]:
        """Lines as typed or sent; an error names its line: ``lines[<n>].<field>``."""
        return cls.parse_rows(rows, "lines[{n}].{field}",
                              not_a_row=_("Each line needs a product and a quantity."))


@dataclass(frozen=True)
class LineQuantityInput(Input):
    """A new quantity for a line of the order (by the line's id)."""

    id: int | None = None
    quantity: Decimal | None = None

    @classmethod
    def rows(cls, rows: Sequence[Any]) -> list[Self]:
        return cls.parse_rows(rows, "lines[{n}].{field}")


def _user(value: Any) -> User | None:
    if value in (None, ""):
        return None
    pk = value.pk if isinstance(value, User) else value
    user = User.objects.filter(pk=pk, is_active=True).first() if str(pk).isdigit() else None
    if user is None:
        raise DomainError(_("No active user with this id."))
    return user


def check_quantity(quantity: Decimal | None) -> Decimal:
    """A quantity to order or ship: more than 0, to the thousandth."""
    if quantity is None or quantity <= ZERO:
        raise DomainError(_("The quantity must be more than 0."))
    if quantity >= Decimal("1e10"):
        raise DomainError(_("The quantity is too large."))
    return quantity.quantize(Decimal("0.001"))


def _clean(values: OrderInput | None, allowed: tuple[str, ...],
           today: dt.date) -> dict[str, Any]:
    """Check the fields a conversion or a resubmission takes; collect every error."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for key, value in (values.given() if values is not None else {}).items():
        if key not in allowed:
            errors[key] = [_("This field cannot be set here.")]
            continue
        try:
            if key == "promised_date":
                out[key] = value
                if value and value < today:
                    raise DomainError(_("The promised date cannot be in the past."))
            elif key in ("delivery_owner", "collection_owner"):
                out[key] = _user(value)
            elif key == "kind":
                if value in (None, ""):
                    continue
                if value not in SalesOrder.Kind.values:
                    raise DomainError(_("Choose a stock or a custom order."))
                out[key] = value
            elif key in ("delivery_address", "credit_override_reason"):
                out[key] = str(value or "").strip()[:300]
            elif key == "special_requirements":
                out[key] = str(value or "").strip()
        except DomainError as exc:
            errors[key] = [exc.message]
    if errors:
        raise FieldErrors(errors)
    return out


# --- Lines ---------------------------------------------------------------------------------

def _lines_from_quote(quote: Quote) -> list[OrderLine]:
    return [OrderLine(position=line.position, product_id=line.product_id,
                      description=line.description, unit=line.unit, quantity=line.quantity,
                      list_price=line.list_price, unit_price=line.unit_price,
                      discount_percent=line.discount_percent, tax_rate=line.tax_rate,
                      net_amount=line.net_amount, tax_amount=line.tax_amount, total=line.total,
                      cost=line.cost)
            for line in quote.lines.order_by("position", "id")]


def _lines_from_data(given: Sequence[OrderLineInput]) -> list[OrderLine]:
    """Lines given with a contract that has no quote: product, quantity, optional unit price
    (default the list price) and line discount; priced like a quote."""
    if not given:
        raise FieldErrors({"lines": [_("This contract has no quote: give the order's lines "
                                       "(product and quantity).")]})
    errors: list[str] = []
    inputs: list[tuple[Product, LineInput]] = []
    for n, item in enumerate(given, start=1):
        pk: Any = item.product.pk if isinstance(item.product, Product) else item.product
        product = Product.objects.filter(pk=pk, active=True).first() \
            if str(pk).isdigit() else None
        if product is None:
            errors.append(_("Line %(n)s: choose an active product.") % {"n": n})
            continue
        try:
            quantity = check_quantity(item.quantity)
        except DomainError as exc:
            errors.append(_("Line %(n)s: %(error)s") % {"n": n, "error": exc.message})
            continue
        price = item.unit_price if item.unit_price is not None else product.list_price
        discount = item.discount_percent if item.discount_percent is not None else ZERO
        if price < 0 or not ZERO <= discount <= HUNDRED:
            errors.append(_("Line %(n)s: the price cannot be negative and the discount is "
                            "0 to 100%%.") % {"n": n})
            continue
        inputs.append((product, LineInput(quantity=quantity, list_price=product.list_price,
                                          unit_price=cents(price), discount_percent=discount,
                                          tax_rate=product.tax_rate, cost=product.cost)))
    if errors:
        raise FieldErrors({"lines": errors})
    amounts, _totals = price_lines([li for _p, li in inputs])
    return [OrderLine(position=n, product=product, description=product.label,
                      unit=product.unit, quantity=li.quantity, list_price=li.list_price,
                      unit_price=li.unit_price, discount_percent=li.discount_percent,
                      tax_rate=li.tax_rate, net_amount=a.net, tax_amount=a.tax, total=a.total,
                      cost=li.cost)
            for n, ((product, li), a) in enumerate(zip(inputs, amounts, strict=True), start=1)]


def _sum(lines: list[OrderLine]) -> dict[str, Decimal]:
    return {"net_amount": sum((li.net_amount for li in lines), ZERO),
            "tax_amount": sum((li.tax_amount for li in lines), ZERO),
            "total": sum((li.total for li in lines), ZERO),
            "cost": cents(sum((li.quantity * li.cost for li in lines), ZERO))}


def _kind(lines: list[OrderLine], special: str, wanted: str | None) -> str:
    made_to_order = Product.objects.filter(
        pk__in={li.product_id for li in lines}, kind=Product.Kind.MADE_TO_ORDER).exists()
    natural = SalesOrder.Kind.CUSTOM if made_to_order or special else SalesOrder.Kind.STOCK
    if wanted == SalesOrder.Kind.STOCK and natural == SalesOrder.Kind.CUSTOM:
        raise DomainError(_("An order with a made-to-order product or special requirements "
                            "is a custom order and needs the order review."), field="kind",
                          code="custom_order")
    return wanted or natural


# --- Credit --------------------------------------------------------------------------------

def over_credit_limit(account: Account, amount: Decimal) -> bool:
    """Whether an order of ``amount`` takes the customer beyond the credit limit (a limit of
    0: no credit at all)."""
    if amount <= ZERO:
        return False
    return credit_exposure(account) + amount > (account.credit_limit or ZERO)


def _amount(value: Decimal) -> str:
    return f"{value:,.2f}"


def _tell_finance(actor: User, account: Account, total: Decimal, url: str) -> None:
    """Once per document while unread: finance decides on an override from the link."""
    for user in User.objects.filter(is_active=True, user_roles__role=Role.FINANCE).distinct():
        if Notification.objects.filter(recipient=user, kind="orders.credit", url=url,
                                       read_at__isnull=True).exists():
            continue
        notify(user, gettext_noop("An order for %(account)s (%(total)s) is over the credit "
                                  "limit and waits for your override"),
               {"account": account.name, "total": total}, kind="orders.credit", url=url,
               actor=actor)


def _check_credit(actor: User, account: Account, total: Decimal, reason: str,
                  url: str) -> bool:
    """True when finance overrides; raises for everyone else over the limit. Called outside
    the conversion's transaction so the notification to finance stays."""
    if not over_credit_limit(account, total):
        return False
    if perms.can_override_credit(actor):
        if not reason:
            raise DomainError(_("This order is over the customer's credit limit: give a "
                                "reason to let it through."), field="credit_override_reason",
                              code="override_reason_required")
        return True
    _tell_finance(actor, account, total, url)
    raise DomainError(
        _("This order (%(total)s) would take %(account)s over the credit limit of "
          "%(limit)s (already owed or on order: %(exposure)s). Finance must approve it: they "
          "have been notified and can create the order with an override.")
        % {"total": _amount(total), "account": account.name,
           "limit": _amount(account.credit_limit), "exposure": _amount(credit_exposure(account))},
        field="credit", code="over_credit_limit")


# --- Conversion ----------------------------------------------------------------------------

def existing_order(source: Quote | Contract) -> SalesOrder | None:
    """The order already made from a quote (directly or through its contract) or from a
    contract (or from the contract's quote)."""
    if isinstance(source, Quote):
        return SalesOrder.objects.filter(Q(quote=source) | Q(contract__quote=source)).first()
    found = SalesOrder.objects.filter(contract=source).first()
    if found is None and source.quote_id:
        found = SalesOrder.objects.filter(quote_id=source.quote_id).first()
    return found


def order_from_quote(actor: User, quote: Quote, values: OrderInput | None = None, *,
                     today: dt.date | None = None) -> SalesOrder:
    """The order of an accepted quote (made now, or the one made before: ``order.created``
    says which)."""
    existing = existing_order(quote)
    if existing is not None:
        existing.created = False  # type: ignore[attr-defined]  # see the docstring
        return existing
    if quote.status != Quote.Status.ACCEPTED:
        raise DomainError(_("Only an accepted quote becomes an order."), field="quote",
                          code="quote_not_accepted")
    return _convert(actor, quote, None, values, (), today,
                    reverse("orders:order_create_from_quote", args=[quote.pk]))


def order_from_contract(actor: User, contract: Contract, values: OrderInput | None = None,
                        lines: Sequence[OrderLineInput] = (), *,
                        today: dt.date | None = None) -> SalesOrder:
    """The order of a signed contract. Its lines come from the contract's quote; a contract
    without a quote needs ``lines``. An order already made from that quote is the
    contract's order too."""
    existing = existing_order(contract)
    if existing is not None and existing.contract_id is None:
        SalesOrder.objects.filter(pk=existing.pk, contract__isnull=True) \
            .update(contract=contract)
        existing.contract = contract
    if existing is not None:
        existing.created = False  # type: ignore[attr-defined]  # see order_from_quote
        return existing
    if contract.status != Contract.Status.SIGNED:
        raise DomainError(_("Only a signed contract becomes an order."), field="contract",
                          code="contract_not_signed")
    return _convert(actor, contract.quote, contract, values, lines, today,
                    reverse("orders:order_create_from_contract", args=[contract.pk]))


def _convert(actor: User, quote: Quote | None, contract: Contract | None,
             values: OrderInput | None, given_lines: Sequence[OrderLineInput],
             today: dt.date | None, convert_url: str) -> SalesOrder:
    source = contract or quote
    assert source is not None
    today = today or timezone.localdate()
    if not perms.can_convert_to_order(actor, source):
        raise Forbidden(_("Only the owner, a manager of the team, finance or an administrator "
                          "can create this order."))
    account = source.account
    ensure_can_order(account)
    cleaned = _clean(values, CONVERT_FIELDS, today)
    if quote is not None:
        lines = _lines_from_quote(quote)
        if not lines:
            raise DomainError(_("The quote has no lines to order."), field="lines",
                              code="no_lines")
    else:
        lines = _lines_from_data(given_lines)
    special = cleaned.get("special_requirements", "")
    kind = _kind(lines, special, cleaned.get("kind"))
    amounts = _sum(lines)
    reason = cleaned.get("credit_override_reason", "")
    override = _check_credit(actor, account, amounts["total"], reason, convert_url)
    opportunity = source.opportunity or (quote.opportunity if quote else None)
    delivery_owner = cleaned.get("delivery_owner") or getattr(opportunity, "delivery_owner",
                                                              None)
    collection_owner = cleaned.get("collection_owner") \
        or getattr(opportunity, "collection_owner", None)
    try:
        with transaction.atomic():
            # One order at a time per customer (a row lock on PostgreSQL; SQLite writers queue
            # anyway), then the credit room is read again: two orders placed at the same
            # moment cannot both use it.
            list(Account.objects.select_for_update().filter(pk=account.pk)
                 .values_list("pk", flat=True))
            if not override and over_credit_limit(account, amounts["total"]):
                raise Conflict(_("Another order for this customer was placed a moment ago "
                                 "and took its credit room. Reload and try again."),
                               field="credit", code="over_credit_limit")
            order = SalesOrder.objects.create(
                number=next_number(ORDER, on=today), kind=kind, account=account,
                contact=quote.contact if quote else None, quote=quote, contract=contract,
                opportunity=opportunity, currency=source.currency, **amounts,
                special_requirements=special,
                delivery_address=cleaned.get("delivery_address", ""), order_date=today,
                promised_date=cleaned.get("promised_date"),
                production_status=SalesOrder.Production.NOT_NEEDED
                if kind == SalesOrder.Kind.STOCK else SalesOrder.Production.NOT_STARTED,
                status=Status.CONFIRMED if kind == SalesOrder.Kind.STOCK else Status.IN_REVIEW,
                credit_override_by=actor if override else None,
                credit_override_reason=reason if override else "",
                owner=source.owner, team=source.team, delivery_owner=delivery_owner,
                collection_owner=collection_owner, created_by=actor)
            for line in lines:
                line.order = order
            OrderLine.objects.bulk_create(lines)
            audit.log(actor, "orders.order.created", order, changes=audit.diff({}, {
                "number": order.number, "kind": kind, "total": order.total,
                "promised_date": order.promised_date}),
                data={"quote": quote.pk if quote else None,
                      "contract": contract.pk if contract else None})
            if override:
                audit.log(actor, "orders.order.credit_override", order,
                          data={"reason": reason, "total": order.total,
                                "credit_limit": account.credit_limit})
            _start(actor, order, today)
    except IntegrityError:
        # Two people converted the same document at once: the other one's order stands.
        same = Q(contract=contract) if contract is not None else Q(pk__in=[])
        if quote is not None:
            same |= Q(quote=quote)
        found = SalesOrder.objects.filter(same).first()
        if found is None:
            raise
        found.created = False
        return found
    order.created = True  # type: ignore[attr-defined]
    return order


def _start(actor: User, order: SalesOrder, today: dt.date) -> None:
    """A stock order is confirmed; a custom order goes to the order review (confirmed at once
    when no review step applies)."""
    if order.kind == SalesOrder.Kind.CUSTOM:
        review = reviews.start_review(order, Flow.ORDER, actor,
                                      reviews.Facts(amount=order.total))
        if review is not None:
            SalesOrder.objects.filter(pk=order.pk).update(review=review)
            order.review = review
            return
        _set_status(actor, order, Status.CONFIRMED)
    _confirmed(actor, order)


def _set_status(actor: User | None, order: SalesOrder, status: str,
                extra: dict[str, Any] | None = None, version: int | None = None,
                data: dict[str, Any] | None = None) -> None:
    old = order.status
    save_versioned(order, version, {"status": status, **(extra or {})})
    if old != status:
        audit.log(actor, "orders.order.status_changed", order,
                  changes={"status": [old, status]}, data=data)


def _confirmed(actor: User | None, order: SalesOrder) -> None:
    """What a confirmed order sets off: the account becomes a customer, the sale is recorded
    once for the value models, the delivery owner is told."""
    account = order.account
    promote_standing(actor, account, Standing.CUSTOMER,
                     gettext_noop("Became a customer with order %(number)s"),
                     {"number": order.number}, data={"order": order.pk})
    if order.delivery_owner_id and order.delivery_owner_id != getattr(actor, "pk", None):
        notify(order.delivery_owner, gettext_noop(
            "Order %(number)s for %(account)s is confirmed: you deliver it"),
            {"number": order.number, "account": account.name}, kind="orders.order",
            url=order_url(order), actor=actor)


# --- Review outcome ------------------------------------------------------------------------

def _on_outcome(order: SalesOrder, review: Review, outcome: str, actor: User) -> None:
    if order.status != Status.IN_REVIEW or order.review_id != review.pk:
        return
    decided = {"review": review.pk}
    if outcome == Review.Status.APPROVED:
        _set_status(actor, order, Status.CONFIRMED, data=decided)
        _confirmed(actor, order)
    elif outcome == Review.Status.REJECTED:
        _set_status(actor, order, Status.REJECTED, data=decided)
    else:
        _set_status(actor, order, Status.RETURNED, data=decided)


reviews.register(Flow.ORDER, SalesOrder, _on_outcome, order_url)


# --- Changes after a return, cancelling ----------------------------------------------------

def _reprice(order: SalesOrder, given: Sequence[LineQuantityInput]) -> list[OrderLine]:
    """New quantities for existing lines: net amounts scale with the quantity (keeping every
    discount), tax is recomputed per line."""
    by_id = {line.pk: line for line in order.lines.all()}
    errors: list[str] = []
    changed: list[OrderLine] = []
    for item in given:
        line = by_id.get(item.id) if item.id is not None else None
        if line is None:
            errors.append(_("Choose lines of this order."))
            continue
        try:
            quantity = check_quantity(item.quantity)
        except DomainError as exc:
            errors.append(_("Line %(n)s: %(error)s") % {"n": line.position, "error":
                                                        exc.message})
            continue
        if quantity == line.quantity:
            continue
        line.net_amount = cents(line.net_amount * quantity / line.quantity) \
            if line.quantity else cents(quantity * line.unit_price)
        line.tax_amount = cents(line.net_amount * line.tax_rate / HUNDRED)
        line.total = line.net_amount + line.tax_amount
        line.quantity = quantity
        changed.append(line)
    if errors:
        raise FieldErrors({"lines": errors})
    return changed


def resubmit_order(actor: User, order: SalesOrder, values: OrderInput | None,
                   version: int | None, lines: Sequence[LineQuantityInput] = (), *,
                   today: dt.date | None = None) -> SalesOrder:
    """Change a returned custom order (special requirements, dates, address, line
    quantities) and send it to the order review again."""
    today = today or timezone.localdate()
    if not perms.can_manage_order(actor, order):
        raise Forbidden(_("Only the rep who owns the order, a manager of the team or an "
                          "administrator can change it."))
    check_version(order, version)
    if order.status != Status.RETURNED:
        raise DomainError(_("Only an order returned for changes can be resubmitted."),
                          code="not_returned")
    cleaned = _clean(values, RESUBMIT_FIELDS, today)
    changed = _reprice(order, lines)
    if changed:
        by_id = {line.pk: line for line in changed}
        cleaned |= _sum([by_id.get(line.pk, line) for line in order.lines.all()])
        growth = cleaned["total"] - order.total
        # The order already counts in the exposure: only what it grows by is new credit.
        if growth > ZERO and over_credit_limit(order.account, growth):
            raise DomainError(_("With these quantities the order would take the customer over "
                                "the credit limit; keep the quantities or ask finance."),
                              field="lines", code="over_credit_limit")
    with transaction.atomic():
        if changed:
            OrderLine.objects.bulk_update(changed, ["quantity", "net_amount", "tax_amount",
                                                    "total"])
        before = {k: getattr(order, k) for k in cleaned}
        _set_status(actor, order, Status.IN_REVIEW, extra=cleaned, version=version)
        audit.log(actor, "orders.order.updated", order, changes=audit.diff(before, cleaned),
                  data={"lines": [li.pk for li in changed]})
        review = reviews.start_review(order, Flow.ORDER, actor,
                                      reviews.Facts(amount=order.total))
        SalesOrder.objects.filter(pk=order.pk).update(review=review)
        order.review = review
        if review is None:
            _set_status(actor, order, Status.CONFIRMED)
            _confirmed(actor, order)
    return order


def cancel_order(actor: User, order: SalesOrder, reason: str, version: int | None) -> SalesOrder:
    """Cancel an order nothing of which has been shipped or invoiced; the recorded sale goes
    with it and a pending review is withdrawn."""
    if not perms.can_manage_order(actor, order):
        raise Forbidden(_("Only the rep who owns the order, a manager of the team or an "
                          "administrator can cancel it."))
    check_version(order, version)
    reason = (reason or "").strip()
    if order.status in (Status.CANCELLED, Status.REJECTED):
        raise DomainError(_("This order is already closed."), code="closed")
    if order.status in SHIPPED_STATUSES or order.shipments.exists():
        raise DomainError(_("Goods have been shipped: this order can no longer be cancelled."),
                          code="shipped")
    if order.invoiced_amount > ZERO or order.invoices.exists():
        raise DomainError(_("This order has invoices: cancel them with finance first."),
                          code="invoiced")
    if not reason:
        raise DomainError(_("Say why the order is cancelled."), field="reason",
                          code="reason_required")
    with transaction.atomic():
        _set_status(actor, order, Status.CANCELLED, version=version, data={"reason": reason})
        if order.review_id:
            Review.objects.filter(pk=order.review_id, status=Review.Status.PENDING).update(
                status=Review.Status.WITHDRAWN, finished_at=timezone.now())
            ReviewStep.objects.filter(review_id=order.review_id, status__in=[
                ReviewStep.Status.QUEUED, ReviewStep.Status.WAITING]) \
                .update(status=ReviewStep.Status.CANCELLED)
        if order.delivery_owner_id and order.delivery_owner_id != actor.pk:
            notify(order.delivery_owner, gettext_noop("Order %(number)s was cancelled"),
                   {"number": order.number}, kind="orders.order", url=order_url(order),
                   actor=actor)
    return order


__all__ = ["LineQuantityInput", "OrderInput", "OrderLineInput", "cancel_order",
           "order_from_contract", "order_from_quote", "over_credit_limit", "resubmit_order"]
