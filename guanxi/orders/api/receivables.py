"""API: invoices, payments and their allocation, receivables aging and the collection list.

Reads go through the scoped querysets (404 for missing and not visible alike). Writes are for
finance (and administrators): the services refuse everyone else with 403.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from guanxi.accounts.models import User
from guanxi.accounts.schemas import UserRef
from guanxi.core.access import get_visible
from guanxi.core.schemas import Id, Version
from guanxi.core.selectors import keyset_page
from guanxi.customers.models import Account
from guanxi.orders.models import Allocation, SalesOrder
from guanxi.orders.selectors import receivables as sel
from guanxi.orders.services import dunning
from guanxi.orders.services import receivables as svc

router = Router()
invoices = Router(tags=["Invoices"])
payments = Router(tags=["Payments"])
reports = Router(tags=["Receivables"])
for _sub in (invoices, payments, reports):
    router.add_router("", _sub)

Amount = Decimal | str


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class Ref(Schema):
    id: int
    number: str


class AccountRef(Schema):
    id: int
    name: str


class AllocationOut(Schema):
    id: int
    payment: Ref
    invoice: Ref | None
    order: Ref | None
    amount: Decimal
    created_at: dt.datetime


class ReminderOut(Schema):
    id: int
    level: int
    days_overdue: int
    sent_to: str
    status: str
    error: str
    sent_at: dt.datetime


class InvoiceOut(Schema):
    id: int
    number: str
    kind: str
    status: str
    account: AccountRef
    order: Ref | None
    buyer_tax_id: str
    currency: str
    net_amount: Decimal
    tax_amount: Decimal
    total: Decimal
    paid_amount: Decimal
    outstanding: Decimal
    issue_date: dt.date
    due_date: dt.date
    collection_owner: UserRef | None
    owner: UserRef | None
    dunning_level: int
    last_dunned_at: dt.datetime | None
    version: int


class InvoiceDetail(InvoiceOut):
    allocations: list[AllocationOut]
    reminders: list[ReminderOut]

    @staticmethod
    def resolve_allocations(obj) -> list:
        return list(sel.allocations_of_invoice(obj))

    @staticmethod
    def resolve_reminders(obj) -> list:
        return list(obj.reminders.all())


class InvoicePage(Schema):
    items: list[InvoiceOut]
    next: str | None


class InvoiceIn(In):
    account_id: Id
    order_id: Id | None = Field(None, description="Invoice this order: the amounts default "
                                                   "to what it has left to invoice")
    number: str = Field(..., description="The VAT invoice number (8–20 digits or letters)")
    kind: Literal["special", "general", "electronic"] = "special"
    issue_date: dt.date | str | None = None
    due_date: dt.date | str | None = Field(None, description="Default: issue date + the "
                                                             "customer's payment terms")
    net_amount: Amount | None = None
    tax_amount: Amount | None = None
    total: Amount | None = Field(None, description="Optional check: must equal net + tax")
    buyer_tax_id: str | None = None


class VersionIn(In):
    version: Version


class AllocationIn(In):
    invoice_id: Id | None = None
    order_id: Id | None = None
    amount: Amount


class PaymentOut(Schema):
    id: int
    number: str
    account: AccountRef
    amount: Decimal
    unallocated: Decimal
    currency: str
    received_on: dt.date
    method: str
    reference: str
    notes: str
    version: int


class PaymentDetail(PaymentOut):
    allocations: list[AllocationOut]

    @staticmethod
    def resolve_allocations(obj) -> list:
        return list(sel.allocations_of_payment(obj))


class PaymentPage(Schema):
    items: list[PaymentOut]
    next: str | None


class PaymentIn(In):
    account_id: Id
    amount: Amount
    received_on: dt.date | str | None = None
    method: str | None = None
    reference: str = ""
    notes: str = ""
    allocations: list[AllocationIn] = Field(default_factory=list)
    auto: bool = Field(False, description="Allocate to the oldest open invoices first")


class AllocateIn(In):
    version: Version
    allocations: list[AllocationIn] = Field(default_factory=list)
    auto: bool = False


class AgingRowOut(Schema):
    account_id: int | None
    name: str
    buckets: dict[str, Decimal]
    overdue: Decimal
    total: Decimal
    count: int


class AgingOut(Schema):
    as_of: dt.date
    basis: str
    totals: AgingRowOut
    customers: list[AgingRowOut]
    others: AgingRowOut | None


class OverdueInvoiceOut(Schema):
    id: int
    number: str
    status: str
    account: AccountRef
    currency: str
    total: Decimal
    outstanding: Decimal
    issue_date: dt.date
    due_date: dt.date
    dunning_level: int
    last_dunned_at: dt.datetime | None


class OverdueOut(Schema):
    invoice: OverdueInvoiceOut
    days_overdue: int
    contact: str
    phone: str
    reminders: int


class InvoiceFilters(Schema):
    status: Literal["open", "partial", "paid", "cancelled"] | None = Field(
        None, description="`open`: anything outstanding")
    overdue: bool = False
    account_id: Id | None = None
    order_id: Id | None = None
    collection_owner_id: Id | None = None
    q: str | None = Field(None, description="Part of the invoice number or customer name")
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


class PaymentFilters(Schema):
    account_id: Id | None = None
    unallocated: bool = Field(False, description="Only payments with something left to "
                                                 "allocate")
    q: str | None = None
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


def _rows(items: list[AllocationIn]) -> list[svc.AllocationInput]:
    return svc.AllocationInput.rows([{"invoice": a.invoice_id, "order": a.order_id,
                                      "amount": a.amount} for a in items])


def _account(user: User, pk: int) -> Account:
    return get_visible(Account.objects.visible_to(user), pk=pk)


# --- Invoices --------------------------------------------------------------------------------

@invoices.get("/invoices", response=InvoicePage)
def list_invoices(request: HttpRequest, filters: Query[InvoiceFilters]):
    """Invoices you may see, newest first; keyset pages: follow `next` until it is null."""
    qs = sel.filter_invoices(request.auth, request.GET, today=timezone.localdate()) \
        .select_related("account", "order", "collection_owner", "owner")
    page = keyset_page(qs, "-issue_date", filters.cursor, filters.limit)
    return {"items": page.items, "next": page.next}


@invoices.post("/invoices", response={201: InvoiceDetail})
def create_invoice(request: HttpRequest, payload: InvoiceIn):
    """Record a VAT invoice (finance). With `order_id` the amounts default to what the order
    has left to invoice; more than the order's total is refused at `total`."""
    data = payload.model_dump(exclude_unset=True)
    account = _account(request.auth, data.pop("account_id"))
    order = None
    if data.get("order_id") is not None:
        order = get_visible(SalesOrder.objects.visible_to(request.auth), pk=data.pop("order_id"))
    data.pop("order_id", None)
    invoice = svc.issue_invoice(request.auth, account, svc.InvoiceInput.parse(data),
                                order=order)
    return Status(201, sel.get_invoice(request.auth, invoice.pk))


@invoices.get("/invoices/{invoice_id}", response=InvoiceDetail)
def get_invoice(request: HttpRequest, invoice_id: Id):
    """One invoice with the payments allocated to it and the reminders sent."""
    return sel.get_invoice(request.auth, invoice_id)


@invoices.post("/invoices/{invoice_id}/cancel", response=InvoiceDetail)
def cancel_invoice(request: HttpRequest, invoice_id: Id, payload: VersionIn):
    """Cancel an invoice no payment is allocated to (409 otherwise)."""
    invoice = sel.get_invoice(request.auth, invoice_id)
    svc.cancel_invoice(request.auth, invoice, payload.version)
    return sel.get_invoice(request.auth, invoice_id)


@invoices.post("/invoices/{invoice_id}/remind", response={201: ReminderOut})
def remind(request: HttpRequest, invoice_id: Id):
    """E-mail a payment reminder to the customer now (finance or the collection owner)."""
    invoice = sel.get_invoice(request.auth, invoice_id)
    return Status(201, dunning.send_now(request.auth, invoice))


# --- Payments --------------------------------------------------------------------------------

@payments.get("/payments", response=PaymentPage)
def list_payments(request: HttpRequest, filters: Query[PaymentFilters]):
    """Payments received that you may see, newest first; keyset pages."""
    qs = sel.filter_payments(request.auth, request.GET).select_related("account")
    page = keyset_page(qs, "-received_on", filters.cursor, filters.limit)
    return {"items": page.items, "next": page.next}


@payments.post("/payments", response={201: PaymentDetail})
def create_payment(request: HttpRequest, payload: PaymentIn):
    """Record a payment received (finance) and allocate it to invoices and orders of the same
    customer, or with `auto` to the oldest open invoices. Over-allocation is refused at
    `allocations` and nothing is recorded."""
    account = _account(request.auth, payload.account_id)
    data = payload.model_dump(exclude={"account_id", "allocations", "auto"},
                              exclude_unset=True)
    payment = svc.record_payment(request.auth, account, svc.PaymentInput.parse(data),
                                 _rows(payload.allocations), auto=payload.auto)
    return Status(201, sel.get_payment(request.auth, payment.pk))


@payments.get("/payments/{payment_id}", response=PaymentDetail)
def get_payment(request: HttpRequest, payment_id: Id):
    return sel.get_payment(request.auth, payment_id)


@payments.post("/payments/{payment_id}/allocations", response={201: PaymentDetail})
def allocate(request: HttpRequest, payment_id: Id, payload: AllocateIn):
    """Allocate what is left of a payment (finance); `version` is the payment's (409 when
    stale or when an invoice changed meanwhile)."""
    payment = sel.get_payment(request.auth, payment_id)
    svc.allocate(request.auth, payment, _rows(payload.allocations), payload.version,
                 auto=payload.auto)
    return Status(201, sel.get_payment(request.auth, payment_id))


@payments.delete("/allocations/{allocation_id}", response={204: None})
def unallocate(request: HttpRequest, allocation_id: Id):
    """Take an allocation back (finance): payment, invoice and order as before."""
    visible = sel.filter_payments(request.auth, {}).values("pk")
    allocation = get_visible(Allocation.objects.filter(payment__in=visible)
                             .select_related("payment", "invoice", "order"), pk=allocation_id)
    svc.unallocate(request.auth, allocation)
    return Status(204, None)


# --- Reports ---------------------------------------------------------------------------------

@reports.get("/receivables/aging", response=AgingOut)
def aging(request: HttpRequest, as_of: dt.date | None = None, account_id: Id | None = None,
          collection_owner_id: Id | None = None, team_id: Id | None = None,
          top: int = Query(10, ge=1, le=100)):
    """Outstanding by age since the invoice date (0–30, 31–60, 61–90, 90+ days) and overdue
    (past the due date), in total and for the top customers by outstanding; over the
    invoices you may see."""
    if account_id is not None:
        _account(request.auth, account_id)
    report = sel.aging(request.auth, as_of=as_of or timezone.localdate(), account=account_id,
                       collection_owner=collection_owner_id, team=team_id, top=top)
    return {"as_of": report.as_of, "basis": "issue_date", "totals": report.totals,
            "customers": report.customers, "others": report.others}


@reports.get("/receivables/overdue", response=list[OverdueOut])
def overdue(request: HttpRequest, as_of: dt.date | None = None):
    """Your collection list: overdue invoices you are the collection owner of, oldest due
    date first."""
    return sel.overdue_for_collector(request.auth, as_of or timezone.localdate())
