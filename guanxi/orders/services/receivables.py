"""Writes of receivables: issuing and cancelling invoices, recording payments and allocating
them to invoices and orders.

Only finance (and administrators) may do any of this; the rule is here, not in the pages.
Every amount that two finance users could change at the same moment (an invoice's
outstanding, an order's invoiced and paid amounts, a payment's unallocated rest) moves by a
conditional UPDATE inside one transaction: when the condition no longer holds the whole
write is refused ("changed meanwhile") and nothing is kept, so nothing is ever over-allocated.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Self

from django.db import IntegrityError, transaction
from django.db.models import Case, DecimalField, F, Value, When
from django.db.models.functions import Round
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanxi.accounts.models import User
from guanxi.core import audit
from guanxi.core.errors import Conflict, DomainError, FieldErrors, Forbidden
from guanxi.core.inputs import UNSET, Input
from guanxi.core.locking import check_version, stale_version
from guanxi.core.notifications import notify
from guanxi.customers.models import Account
from guanxi.orders import permissions as perms
from guanxi.orders.models import Allocation, Invoice, Payment, SalesOrder
from guanxi.orders.numbers import PAYMENT, next_number

ZERO = Decimal("0")
CENT = Decimal("0.01")
LIMIT = Decimal("1e12")
# A VAT invoice number: 8 digits (paper 专票/普票), 20 digits (数电票), letters allowed.
INVOICE_NUMBER = re.compile(r"^[0-9A-Za-z]{8,20}$")
# Orders that can no longer be invoiced or paid.
CLOSED_ORDERS = (SalesOrder.Status.REJECTED, SalesOrder.Status.CANCELLED)


def _require_finance(user: User) -> None:
    if not perms.can_handle_receivables(user):
        raise Forbidden(_("Only finance can issue invoices and record or allocate payments."))


# --- Input -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class InvoiceInput(Input):
    """A VAT invoice as issued; the amounts may stay empty for an order (its remainder)."""

    number: str | None = UNSET
    kind: str | None = UNSET
    issue_date: dt.date | None = UNSET
    due_date: dt.date | None = UNSET
    net_amount: Decimal | None = UNSET
    tax_amount: Decimal | None = UNSET
    total: Decimal | None = UNSET
    buyer_tax_id: str | None = UNSET


@dataclass(frozen=True)
class PaymentInput(Input):
    amount: Decimal | None = UNSET
    received_on: dt.date | None = UNSET
    method: str | None = UNSET
    reference: str | None = UNSET
    notes: str | None = UNSET


@dataclass(frozen=True)
class AllocationInput(Input):
    """An amount of a payment for one invoice or one order (by id)."""

    invoice: int | None = None
    order: int | None = None
    amount: Decimal | None = None

    @classmethod
    def rows(cls, rows: Sequence[Any]) -> list[Self]:
        """Rows as typed or sent; an error names its row: ``allocations[<n>].<field>``."""
        return cls.parse_rows(rows, "allocations[{n}].{field}",
                              where=lambda n: _("Row %(n)s") % {"n": n + 1})


def check_amount(amount: Decimal | None, *, allow_zero: bool = True) -> Decimal:
    """A non-negative amount with at most two decimals; raises DomainError (no field)."""
    if amount is None:
        raise DomainError(_("Enter an amount such as 12000.00."))
    if amount < 0 or (not allow_zero and amount == 0):
        raise DomainError(_("The amount must be greater than zero.") if not allow_zero
                          else _("The amount cannot be negative."))
    if amount >= LIMIT:
        raise DomainError(_("The amount is too large."))
    if amount != amount.quantize(CENT):
        raise DomainError(_("Use at most two decimals (fen)."))
    return amount.quantize(CENT)


def _collect(errors: dict[str, list[str]], field: str, fn, *args, **kwargs) -> Any:
    try:
        return fn(*args, **kwargs)
    except DomainError as exc:
        errors[field] = [exc.message]
        return None


# --- Invoices --------------------------------------------------------------------------------

def order_remainder(order: SalesOrder) -> Decimal:
    """What of the order has not been invoiced yet."""
    return max(order.total - order.invoiced_amount, ZERO)


@transaction.atomic
def issue_invoice(actor: User, account: Account, values: InvoiceInput, *,
                  order: SalesOrder | None = None, today: dt.date | None = None) -> Invoice:
    """Record a VAT invoice issued to ``account`` (for ``order`` if given).

    For an order the amounts default to its un-invoiced remainder, split into net and tax
    in the order's proportion; more than the order's total is refused at ``total``. The due
    date is the issue date plus the customer's payment terms unless given.
    """
    _require_finance(actor)
    today = today or timezone.localdate()
    data = values.given()
    errors: dict[str, list[str]] = {}
    if order is not None and (order.account_id != account.pk or order.status in CLOSED_ORDERS):
        errors["order"] = [_("Choose a live order of this customer.")]

    number = str(data.get("number") or "").strip().upper()
    if not number:
        errors["number"] = [_("Enter the VAT invoice number.")]
    elif not INVOICE_NUMBER.match(number):
        errors["number"] = [_("A VAT invoice number has 8 to 20 digits or letters.")]
    elif Invoice.objects.filter(number=number).exists():
        errors["number"] = [_("An invoice with this number is already recorded.")]

    kind = data.get("kind") or Invoice.Kind.SPECIAL
    if kind not in Invoice.Kind.values:
        errors["kind"] = [_("Choose one of the listed values.")]

    issue_date = today
    if data.get("issue_date") is not None:
        issue_date = data["issue_date"]
        if issue_date > today:
            errors["issue_date"] = [_("The issue date cannot be in the future.")]
    due_date = issue_date + dt.timedelta(days=account.payment_terms_days or 0)
    if data.get("due_date") is not None:
        due_date = data["due_date"]
        if due_date < issue_date:
            errors["due_date"] = [_("The due date cannot be before the issue date.")]

    net = tax = None
    given = [k for k in ("net_amount", "tax_amount") if data.get(k) is not None]
    for key in given:
        value = _collect(errors, key, check_amount, data[key])
        if key == "net_amount":
            net = value
        else:
            tax = value
    remainder = order_remainder(order) if order is not None else None
    if not given and order is not None and remainder is not None:
        net, tax = _split(order, remainder)
    elif not given:
        errors["net_amount"] = [_("Enter the amount before tax.")]
    if given and "net_amount" not in given and "net_amount" not in errors:
        errors["net_amount"] = [_("Enter the amount before tax.")]
    net = net if net is not None else ZERO
    tax = tax if tax is not None else ZERO
    total = net + tax
    if data.get("total") is not None and not errors:
        stated = _collect(errors, "total", check_amount, data["total"])
        if stated is not None and stated != total:
            errors["total"] = [_("The total must equal the amount before tax plus the tax "
                                 "(%(total)s).") % {"total": total}]
    if not errors and total <= 0:
        errors["total"] = [_("The invoice total must be greater than zero.")]
    if not errors and remainder is not None and total > remainder:
        errors["total"] = [_("This is more than the order has left to invoice "
                             "(%(left)s).") % {"left": remainder}]
    if errors:
        raise FieldErrors(errors)

    if order is not None:
        # Conditional: a concurrent invoice for the same order cannot push it beyond its total.
        moved = SalesOrder.objects.filter(
            pk=order.pk, invoiced_amount__lte=fen(F("total") - total),
        ).update(invoiced_amount=fen(F("invoiced_amount") + total))
        if not moved:
            raise Conflict(_("The order was invoiced meanwhile; this is more than it has left "
                             "to invoice."), field="total")
        order.invoiced_amount += total
    source = order or account
    try:
        with transaction.atomic():
            invoice = Invoice.objects.create(
                number=number, kind=kind, account=account, order=order,
                buyer_tax_id=str(data.get("buyer_tax_id") or account.registration_id or "")[:20],
                currency=(order.currency if order else account.currency) or "CNY",
                net_amount=net, tax_amount=tax, total=total, outstanding=total,
                issue_date=issue_date, due_date=due_date,
                collection_owner=(order.collection_owner if order else None)
                or getattr(source, "owner", None),
                owner=source.owner, team=source.team, created_by=actor)
    except IntegrityError:
        raise FieldErrors({"number": [_("An invoice with this number is already "
                                        "recorded.")]}) from None
    audit.log(actor, "orders.invoice.created", invoice,
              data={"number": number, "total": total, "order": order.number if order else None})
    return invoice


def _split(order: SalesOrder, amount: Decimal) -> tuple[Decimal, Decimal]:
    """Net and tax of ``amount`` in the order's proportion (half-up; tax takes the rest)."""
    if order.total <= 0:
        return amount, ZERO
    if amount == order.total:
        return order.net_amount, order.tax_amount
    net = (amount * order.net_amount / order.total).quantize(CENT)
    return net, amount - net


@transaction.atomic
def cancel_invoice(actor: User, invoice: Invoice, version: int | None) -> Invoice:
    """Cancel an invoice no payment was allocated to; its order can be invoiced again."""
    _require_finance(actor)
    if invoice.status == Invoice.Status.CANCELLED:
        raise Conflict(_("This invoice is already cancelled."), field="status")
    if invoice.allocations.exists() or invoice.paid_amount > 0:
        raise Conflict(_("Payments are allocated to this invoice: remove the allocations "
                         "first."), field="status", code="has_allocations")
    before = {"status": invoice.status, "outstanding": invoice.outstanding}
    expected = invoice.version if version is None else int(version)
    # The version check and "still nothing paid" in one conditional write.
    if not Invoice.objects.filter(pk=invoice.pk, version=expected, paid_amount=0).update(
            status=Invoice.Status.CANCELLED, outstanding=ZERO, version=F("version") + 1):
        raise stale_version(_("Someone else changed this invoice after you opened it. Reload "
                              "to see their changes, then make yours again."))
    invoice.status, invoice.outstanding, invoice.version = \
        Invoice.Status.CANCELLED, ZERO, expected + 1
    if invoice.order_id:
        SalesOrder.objects.filter(pk=invoice.order_id).update(
            invoiced_amount=fen(F("invoiced_amount") - invoice.total))
    audit.log(actor, "orders.invoice.cancelled", invoice,
              changes=audit.diff(before, {"status": invoice.status, "outstanding": ZERO}))
    return invoice


# --- Payments and allocation -----------------------------------------------------------------

@dataclass
class Wanted:
    """One allocation asked for, checked: an invoice or an order and an amount."""

    amount: Decimal
    invoice: Invoice | None = None
    order: SalesOrder | None = None

    @property
    def target(self) -> str:
        return self.invoice.number if self.invoice else self.order.number  # type: ignore[union-attr]


def _fmt(amount: Decimal) -> str:
    return f"¥{amount:,.2f}"


@transaction.atomic
def record_payment(actor: User, account: Account, values: PaymentInput,
                   allocations: Sequence[AllocationInput] = (), *, auto: bool = False,
                   today: dt.date | None = None) -> Payment:
    """Record money received from ``account`` and allocate it: to the given invoices/orders,
    or with ``auto`` to the oldest open invoices first. Whatever is not allocated stays on
    the payment for later."""
    _require_finance(actor)
    today = today or timezone.localdate()
    data = values.given()
    errors: dict[str, list[str]] = {}
    amount = _collect(errors, "amount", check_amount, data.get("amount"), allow_zero=False)
    received_on = data.get("received_on") or today
    if received_on > today:
        errors["received_on"] = [_("The payment date cannot be in the future.")]
    method = data.get("method") or Payment.Method.BANK_TRANSFER
    if method not in Payment.Method.values:
        errors["method"] = [_("Choose one of the listed values.")]
    if errors:
        raise FieldErrors(errors)
    payment = Payment.objects.create(
        number=next_number(PAYMENT, received_on), account=account, amount=amount,
        unallocated=amount, received_on=received_on, method=method,
        reference=str(data.get("reference") or "")[:100], notes=str(data.get("notes") or "")[:300],
        owner=account.owner, team=account.team, created_by=actor)
    audit.log(actor, "orders.payment.received", payment,
              data={"number": payment.number, "amount": amount, "method": method})
    if allocations or auto:
        allocate(actor, payment, allocations, payment.version, auto=auto)
    return payment


def fifo_plan(payment: Payment) -> list[AllocationInput]:
    """The oldest open invoices of the payment's customer, filled in issue order with what is
    left of the payment."""
    left = payment.unallocated
    plan: list[AllocationInput] = []
    invoices = Invoice.objects.filter(account_id=payment.account_id, outstanding__gt=0) \
        .exclude(status=Invoice.Status.CANCELLED).order_by("issue_date", "id")
    for invoice in invoices.iterator(chunk_size=200):
        if left <= 0:
            break
        take = min(left, invoice.outstanding)
        plan.append(AllocationInput(invoice=invoice.pk, amount=take))
        left -= take
    return plan


def _wanted(payment: Payment, allocations: Sequence[AllocationInput]) -> list[Wanted]:
    """Check every requested allocation; any problem is an error at ``allocations``."""
    if not allocations:
        raise FieldErrors({"allocations": [_("Choose at least one invoice or order and an "
                                             "amount.")]})
    out: list[Wanted] = []
    problems: list[str] = []
    for n, row in enumerate(allocations, start=1):
        try:
            amount = check_amount(row.amount, allow_zero=False)
        except DomainError as exc:
            problems.append(_("Row %(n)s: %(error)s") % {"n": n, "error": exc.message})
            continue
        invoice_id: Any = row.invoice
        order_id: Any = row.order
        if bool(invoice_id) == bool(order_id):
            problems.append(_("Row %(n)s: choose either an invoice or an order.") % {"n": n})
            continue
        if invoice_id:
            invoice = Invoice.objects.filter(pk=invoice_id, account_id=payment.account_id) \
                .exclude(status=Invoice.Status.CANCELLED).first() \
                if str(invoice_id).isdigit() else None
            if invoice is None:
                problems.append(_("Row %(n)s: choose an open invoice of this customer.")
                                % {"n": n})
                continue
            out.append(Wanted(amount, invoice=invoice))
        else:
            order = SalesOrder.objects.filter(pk=order_id, account_id=payment.account_id) \
                .exclude(status__in=CLOSED_ORDERS).first() if str(order_id).isdigit() else None
            if order is None:
                problems.append(_("Row %(n)s: choose a live order of this customer.")
                                % {"n": n})
                continue
            out.append(Wanted(amount, order=order))
    if problems:
        raise FieldErrors({"allocations": problems})
    total = sum((w.amount for w in out), ZERO)
    if total > payment.unallocated:
        raise FieldErrors({"allocations": [
            _("The allocations (%(total)s) are more than the payment has left to allocate "
              "(%(left)s).") % {"total": total, "left": payment.unallocated}]})
    # Per target, the sum asked for cannot exceed what is open on it.
    per_invoice: dict[int, Decimal] = {}
    per_order: dict[int, Decimal] = {}
    for w in out:
        if w.invoice:
            per_invoice[w.invoice.pk] = per_invoice.get(w.invoice.pk, ZERO) + w.amount
            if per_invoice[w.invoice.pk] > w.invoice.outstanding:
                problems.append(_("Invoice %(number)s has only %(left)s outstanding.")
                                % {"number": w.invoice.number, "left": w.invoice.outstanding})
        order_id = w.order.pk if w.order else w.invoice.order_id  # type: ignore[union-attr]
        if order_id:
            per_order[order_id] = per_order.get(order_id, ZERO) + w.amount
    for order in SalesOrder.objects.filter(pk__in=per_order):
        if per_order[order.pk] > order.total - order.paid_amount:
            problems.append(_("Order %(number)s has only %(left)s left to pay.")
                            % {"number": order.number, "left": order.total - order.paid_amount})
    if problems:
        raise FieldErrors({"allocations": sorted(set(problems), key=problems.index)})
    return out


def fen(expression: Any) -> Round:
    """Money arithmetic done in SQL, rounded to the fen: SQLite computes it in binary floating
    point (8.31 - 1.18 = 7.130000000000001), which would make a paid-off invoice look
    partly paid and a full payment look larger than what is open."""
    return Round(expression, 2, output_field=DecimalField(max_digits=16, decimal_places=2))


def _move_invoice(pk: int, amount: Decimal) -> int:
    """Pay ``amount`` on an invoice (negative: take it back) if it stays within 0…total; the
    status follows. SET expressions read the row as it was before this UPDATE."""
    if amount > 0:
        qs = Invoice.objects.filter(pk=pk, outstanding__gte=amount)
        status = Case(When(outstanding=amount, then=Value(Invoice.Status.PAID)),
                      default=Value(Invoice.Status.PARTIAL))
    else:
        qs = Invoice.objects.filter(pk=pk, paid_amount__gte=-amount)
        status = Case(When(paid_amount=-amount, then=Value(Invoice.Status.OPEN)),
                      default=Value(Invoice.Status.PARTIAL))
    return qs.exclude(status=Invoice.Status.CANCELLED).update(
        status=status, outstanding=fen(F("outstanding") - amount),
        paid_amount=fen(F("paid_amount") + amount))


def _move_order(pk: int, amount: Decimal) -> int:
    """Count ``amount`` as paid on an order (negative: take it back) within 0…total."""
    qs = SalesOrder.objects.filter(pk=pk)
    qs = qs.filter(paid_amount__lte=fen(F("total") - amount)) if amount > 0 \
        else qs.filter(paid_amount__gte=-amount)
    return qs.update(paid_amount=fen(F("paid_amount") + amount))


def _changed_meanwhile() -> Conflict:
    return Conflict(_("The payment, an invoice or an order changed meanwhile: reload and "
                      "allocate again."), field="allocations", code="changed")


@transaction.atomic
def allocate(actor: User, payment: Payment, allocations: Sequence[AllocationInput],
             version: int | None, *, auto: bool = False) -> list[Allocation]:
    """Apply part of ``payment`` to invoices (and through them their orders) or to orders
    directly (advances). ``auto`` fills the oldest open invoices first. All or nothing."""
    _require_finance(actor)
    payment.refresh_from_db()
    check_version(payment, version, _("Someone else changed this payment after you opened "
                                      "it. Reload to see their changes, then make yours "
                                      "again."))
    if auto and not allocations:
        allocations = fifo_plan(payment)
        if not allocations:
            raise FieldErrors({"allocations": [_("This customer has no open invoices to "
                                                 "allocate to.")]})
    wanted = _wanted(payment, allocations)
    total = sum((w.amount for w in wanted), ZERO)
    moved = Payment.objects.filter(pk=payment.pk, version=payment.version,
                                   unallocated__gte=total) \
        .update(unallocated=fen(F("unallocated") - total), version=F("version") + 1)
    if not moved:
        raise _changed_meanwhile()
    made: list[Allocation] = []
    touched_orders: set[int] = set()
    for w in wanted:
        if w.invoice is not None and not _move_invoice(w.invoice.pk, w.amount):
            raise _changed_meanwhile()
        order_id = w.order.pk if w.order else w.invoice.order_id  # type: ignore[union-attr]
        if order_id:
            if not _move_order(order_id, w.amount):
                raise _changed_meanwhile()
            touched_orders.add(order_id)
        made.append(Allocation.objects.create(payment=payment, invoice=w.invoice,
                                              order_id=order_id, amount=w.amount,
                                              created_by=actor))
    payment.refresh_from_db()
    audit.log(actor, "orders.payment.allocated", payment,
              data={"allocations": [{"target": w.target, "amount": w.amount,
                                     "to": "invoice" if w.invoice else "order"}
                                    for w in wanted],
                    "auto": auto})
    _tell_fully_paid(actor, touched_orders)
    return made


def _tell_fully_paid(actor: User, order_ids: set[int]) -> None:
    for order in SalesOrder.objects.filter(pk__in=order_ids, paid_amount__gte=F("total"),
                                           total__gt=0):
        url = _order_url(order)
        for user in {u for u in (order.owner, order.collection_owner) if u is not None}:
            notify(user, gettext_noop("Order %(number)s is fully paid"),
                   {"number": order.number}, kind="orders.payment", url=url, actor=actor)


def _order_url(order: SalesOrder) -> str:
    try:
        return reverse("orders:order", args=[order.pk])
    except Exception:  # the orders pages may not be mounted yet
        return reverse("customers:detail", args=[order.account_id])


@transaction.atomic
def unallocate(actor: User, allocation: Allocation) -> None:
    """Take an allocation back: the payment, invoice and order are as before it."""
    _require_finance(actor)
    amount = allocation.amount
    # Deleting first: of two finance users taking the same allocation back, one wins.
    if not Allocation.objects.filter(pk=allocation.pk).delete()[0]:
        raise _changed_meanwhile()
    Payment.objects.filter(pk=allocation.payment_id).update(
        unallocated=fen(F("unallocated") + amount), version=F("version") + 1)
    if allocation.invoice_id and not _move_invoice(allocation.invoice_id, -amount):
        raise _changed_meanwhile()
    if allocation.order_id and not _move_order(allocation.order_id, -amount):
        raise _changed_meanwhile()
    payment = allocation.payment
    document = allocation.invoice if allocation.invoice_id else allocation.order
    assert document is not None  # an allocation is to an invoice or to an order
    target = document.number
    audit.log(actor, "orders.payment.unallocated", payment,
              data={"target": target, "amount": amount})
