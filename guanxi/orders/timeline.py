"""Quote to cash on the customer's timeline: the kinds and the entries its events add."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from guanxi.core.events import Event
from guanxi.customers.timeline import Entry, register_kind, renders, subject

KINDS = {
    "orders.quote": ("file-earmark-text", _("Quote")),
    "orders.tender": ("megaphone", _("Tender")),
    "orders.contract": ("file-earmark-check", _("Contract")),
    "orders.order": ("cart-check", _("Sales order")),
    "orders.shipment": ("truck", _("Shipment")),
    "orders.invoice": ("receipt", _("Invoice")),
    "orders.payment": ("cash-coin", _("Payment")),
    "orders.reminder": ("bell", _("Payment reminder")),
    "orders.expense": ("wallet2", _("Sales expense")),
    "orders.review": ("check2-all", _("Review")),
    "orders.customer_group": ("people", _("Customer group")),
}


def register() -> None:
    for key, (icon, label) in KINDS.items():
        register_kind(key, icon, label)


def _money(amount: object) -> str:
    return f"¥{Decimal(str(amount)):,.2f}"


def _actor_name(event: Event) -> str:
    from guanxi.accounts.models import User
    return str(User.objects.filter(pk=event.actor_id).first() or "—")


# --- Quotes ----------------------------------------------------------------------------------

def _quote(event: Event, title: str, params: dict | None = None, body: str = "") -> Entry:
    quote = subject(event)
    return Entry(quote.account_id, "orders.quote", title,
                 params={"number": quote.display_number, **(params or {})}, body=body,
                 data={"quote": quote.pk}, contact_id=quote.contact_id)


@renders("orders.quote.created")
def _quote_created(event: Event) -> Entry:
    quote = subject(event)
    return _quote(event, gettext_noop("Quote %(number)s created (%(total)s %(currency)s)"),
                  {"total": quote.total, "currency": quote.currency})


@renders("orders.quote.submitted")
def _quote_submitted(event: Event) -> Entry:
    if event.data.get("review") is None:
        return _quote(event, gettext_noop("Quote %(number)s approved: no discount to approve"))
    return _quote(event, gettext_noop("Quote %(number)s submitted for discount approval "
                                      "(%(discount)s%%)"),
                  {"discount": Decimal(str(event.data.get("discount")))})


QUOTE_OUTCOMES = {
    "orders.quote.approved": gettext_noop("Quote %(number)s approved by %(by)s"),
    "orders.quote.rejected": gettext_noop("Quote %(number)s: discount rejected by %(by)s"),
    "orders.quote.returned": gettext_noop("Quote %(number)s returned for changes by %(by)s"),
}


def _quote_outcome(event: Event) -> Entry:
    return _quote(event, QUOTE_OUTCOMES[event.type], {"by": _actor_name(event)},
                  body=event.data.get("comment") or "")


for _type in QUOTE_OUTCOMES:
    renders(_type)(_quote_outcome)


@renders("orders.quote.accepted")
def _quote_accepted(event: Event) -> Entry:
    quote = subject(event)
    return _quote(event, gettext_noop("Quote %(number)s accepted (%(total)s %(currency)s)"),
                  {"total": quote.total, "currency": quote.currency})


@renders("orders.quote.declined")
def _quote_declined(event: Event) -> Entry:
    return _quote(event, gettext_noop("Quote %(number)s declined by the customer"),
                  body=(event.data.get("reason") or "")[:5000])


@renders("orders.quote.cancelled")
def _quote_cancelled(event: Event) -> Entry:
    return _quote(event, gettext_noop("Quote %(number)s cancelled"),
                  body=(event.data.get("reason") or "").strip()[:5000])


@renders("orders.quote.revised")
def _quote_revised(event: Event) -> Entry:
    return _quote(event, gettext_noop("Quote %(number)s revised (version %(revision)s)"),
                  {"revision": subject(event).revision})


@renders("orders.quote.email_failed")
def _quote_email_failed(event: Event) -> Entry:
    return _quote(event, gettext_noop(
        "Quote %(number)s could not be e-mailed to %(to)s: %(error)s"),
        {"to": event.data.get("to", ""), "error": event.data.get("error", "")})


# --- Tenders and contracts -------------------------------------------------------------------

@renders("orders.tender.created")
def _tender_created(event: Event) -> Entry:
    tender = subject(event)
    return Entry(tender.account_id, "orders.tender", gettext_noop(
        "Tender %(number)s “%(title)s” entered, bids due %(deadline)s"),
        params={"number": tender.number, "title": tender.title,
                "deadline": timezone.localtime(tender.deadline).strftime("%Y-%m-%d %H:%M")},
        data={"tender": tender.pk})


@renders("orders.tender.updated")
def _tender_bond(event: Event) -> Entry | None:
    from guanxi.orders.services.tenders import BOND_TITLES
    if "bond_status" not in event.changes:
        return None
    tender = subject(event)
    return Entry(tender.account_id, "orders.tender", BOND_TITLES[tender.bond_status],
                 params={"number": tender.number, "amount": tender.bond_amount,
                         "currency": tender.currency}, data={"tender": tender.pk})


TENDER_RESULTS = {
    "submitted": gettext_noop("Tender %(number)s: bid submitted"),
    "won": gettext_noop("Tender %(number)s “%(title)s” won"),
    "lost": gettext_noop("Tender %(number)s “%(title)s” lost to %(winner)s"),
    "cancelled": gettext_noop("Tender %(number)s cancelled by the issuer"),
}


@renders("orders.tender.result")
def _tender_result(event: Event) -> list[Entry]:
    tender = subject(event)
    result = event.data.get("result") or tender.result
    entries = [Entry(tender.account_id, "orders.tender", TENDER_RESULTS[result],
                     params={"number": tender.number, "title": tender.title,
                             "winner": tender.winner or "—"},
                     body=tender.result_note, data={"tender": tender.pk, "result": result})]
    opp = tender.opportunity
    if opp is not None and result == "won":
        entries.append(Entry(tender.account_id, "orders.tender", gettext_noop(
            "Tender %(number)s won: the opportunity “%(name)s” can move on"),
            params={"number": tender.number, "name": opp.name},
            data={"tender": tender.pk, "opportunity": opp.pk}))
    return entries


def _contract(event: Event, title: str, params: dict | None = None, body: str = "",
              data: dict | None = None) -> Entry:
    contract = subject(event)
    return Entry(contract.account_id, "orders.contract", title,
                 params={"number": contract.number, **(params or {})}, body=body,
                 data={"contract": contract.pk, **(data or {})})


@renders("orders.contract.created")
def _contract_created(event: Event) -> Entry:
    c = subject(event)
    return _contract(event, gettext_noop(
        "Contract %(number)s “%(title)s” drawn up (%(amount)s %(currency)s)"),
        {"title": c.title, "amount": c.amount, "currency": c.currency})


@renders("orders.contract.submitted")
def _contract_submitted(event: Event) -> Entry:
    return _contract(event, gettext_noop("Contract %(number)s submitted for contract review"))


CONTRACT_OUTCOMES = {
    "orders.contract.approved": gettext_noop("Contract %(number)s passed contract review"),
    "orders.contract.rejected": gettext_noop("Contract %(number)s rejected in contract "
                                             "review: %(comment)s"),
    "orders.contract.returned": gettext_noop("Contract %(number)s returned for changes: "
                                             "%(comment)s"),
}


def _contract_outcome(event: Event) -> Entry:
    return _contract(event, CONTRACT_OUTCOMES[event.type],
                     {"comment": event.data.get("comment") or "—"})


for _type in CONTRACT_OUTCOMES:
    renders(_type)(_contract_outcome)


@renders("orders.contract.signed")
def _contract_signed(event: Event) -> list[Entry]:
    c = subject(event)
    entries = [_contract(event, gettext_noop(
        "Contract %(number)s signed (%(amount)s %(currency)s)"),
        {"amount": c.amount, "currency": c.currency})]
    if c.opportunity_id:
        entries.append(_contract(event, gettext_noop(
            "Contract %(number)s signed: the opportunity “%(name)s” can be closed as won"),
            {"name": c.opportunity.name}, data={"opportunity": c.opportunity_id}))
    return entries


@renders("orders.contract.cancelled")
def _contract_cancelled(event: Event) -> Entry:
    return _contract(event, gettext_noop("Contract %(number)s cancelled"),
                     body=event.data.get("reason") or "")


# --- Orders and shipments --------------------------------------------------------------------

def _order(event: Event, title: str, params: dict | None = None, kind: str = "orders.order",
           data: dict | None = None) -> Entry:
    order = subject(event)
    return Entry(order.account_id, kind, title, params={"number": order.number, **(params or {})},
                 data={"order": order.pk, **(data or {})})


@renders("orders.order.created")
def _order_placed(event: Event) -> Entry:
    order = subject(event)
    return _order(event, gettext_noop(
        "Order %(number)s placed (%(total)s %(currency)s) from %(source)s"),
        {"total": order.total, "currency": order.currency,
         "source": str(order.quote or order.contract)})


ORDER_OUTCOMES = {
    "confirmed": gettext_noop("Order %(number)s passed the order review"),
    "rejected": gettext_noop("Order %(number)s rejected in the order review"),
    "returned": gettext_noop("Order %(number)s returned for changes"),
}


@renders("orders.order.status_changed")
def _order_status(event: Event) -> Entry | None:
    new = (event.changes.get("status") or [None, None])[1]
    if event.data.get("review") and new in ORDER_OUTCOMES:
        return _order(event, ORDER_OUTCOMES[new])
    if new == "cancelled":
        return _order(event, gettext_noop("Order %(number)s cancelled: %(reason)s"),
                      {"reason": event.data.get("reason") or ""})
    if new == "delivered":
        return _order(event, gettext_noop("Order %(number)s delivered on %(date)s"),
                      {"date": subject(event).actual_date}, kind="orders.shipment_delivered")
    return None


@renders("orders.order.updated")
def _order_resubmitted(event: Event) -> Entry:
    return _order(event, gettext_noop(
        "Order %(number)s changed and sent to the order review again"))


@renders("orders.order.schedule_changed")
def _order_schedule(event: Event) -> list[Entry]:
    from guanxi.orders.models import SalesOrder
    entries = []
    moved = event.changes.get("promised_date")
    if moved and moved[0] is not None:
        entries.append(_order(event, gettext_noop(
            "Order %(number)s: promised delivery moved from %(old)s to %(new)s — %(reason)s"),
            {"old": moved[0], "new": moved[1], "reason": event.data.get("reason", "")},
            kind="orders.order_schedule"))
    production = event.changes.get("production_status")
    if production:
        entries.append(_order(event, gettext_noop("Order %(number)s: production %(status)s"),
                              {"status": SalesOrder.Production(production[1]).label},
                              kind="orders.order_production",
                              data={"production": production[1]}))
    return entries


@renders("orders.shipment.created")
def _shipment(event: Event) -> Entry:
    shipment = subject(event)
    return Entry(shipment.order.account_id, "orders.shipment", gettext_noop(
        "Shipment %(number)s of order %(order)s sent by %(carrier)s %(tracking)s"),
        params={"number": shipment.number, "order": shipment.order.number,
                "carrier": event.data.get("carrier") or "—",
                "tracking": event.data.get("tracking_number") or ""},
        data={"order": shipment.order_id, "shipment": shipment.pk})


# --- Invoices, payments, expenses, customer groups -------------------------------------------

@renders("orders.invoice.created")
def _invoice_issued(event: Event) -> Entry:
    invoice = subject(event)
    return Entry(invoice.account_id, "orders.invoice",
                 gettext_noop("Invoice %(number)s of %(amount)s issued"),
                 params={"number": invoice.number, "amount": _money(invoice.total)},
                 data={"invoice_id": invoice.pk})


@renders("orders.invoice.cancelled")
def _invoice_cancelled(event: Event) -> Entry:
    invoice = subject(event)
    return Entry(invoice.account_id, "orders.invoice",
                 gettext_noop("Invoice %(number)s cancelled"),
                 params={"number": invoice.number}, data={"invoice_id": invoice.pk})


@renders("orders.payment.received")
def _payment_received(event: Event) -> Entry:
    payment = subject(event)
    return Entry(payment.account_id, "orders.payment",
                 gettext_noop("Payment %(number)s of %(amount)s received"),
                 params={"number": payment.number, "amount": _money(payment.amount)},
                 data={"payment_id": payment.pk})


@renders("orders.payment.allocated")
def _payment_allocated(event: Event) -> list[Entry]:
    payment = subject(event)
    titles = {
        "invoice": gettext_noop("%(amount)s of payment %(number)s allocated to invoice "
                                "%(target)s"),
        "order": gettext_noop("%(amount)s of payment %(number)s allocated to order %(target)s"),
    }
    return [Entry(payment.account_id, "orders.payment", titles[row.get("to", "invoice")],
                  params={"amount": _money(row["amount"]), "number": payment.number,
                          "target": row["target"]}, data={"payment_id": payment.pk})
            for row in event.data.get("allocations", [])]


@renders("orders.payment.unallocated")
def _payment_unallocated(event: Event) -> Entry:
    payment = subject(event)
    return Entry(payment.account_id, "orders.payment",
                 gettext_noop("%(amount)s of payment %(number)s taken back from %(target)s"),
                 params={"amount": _money(event.data["amount"]), "number": payment.number,
                         "target": event.data["target"]}, data={"payment_id": payment.pk})


@renders("orders.expense.approved")
def _expense_approved(event: Event) -> Entry | None:
    from guanxi.orders.models import ExpenseClaim
    claim = subject(event)
    if not claim.account_id:
        return None
    return Entry(claim.account_id, "orders.expense", gettext_noop(
        "Sales expense approved: %(category)s %(amount)s %(currency)s"),
        params={"category": ExpenseClaim.Category(claim.category).label,
                "amount": claim.amount, "currency": claim.currency},
        data={"expense": claim.pk}, actor_id=claim.claimant_id)


def _group_entries(event: Event, key: str, title: str) -> list[Entry]:
    group = subject(event)
    return [Entry(pk, "orders.customer_group", title, params={"group": group.name})
            for pk in event.data.get(key, [])]


@renders("orders.customer_group.created")
@renders("orders.customer_group.members_changed")
def _group_members(event: Event) -> list[Entry]:
    return (_group_entries(event, "added", gettext_noop("Added to customer group %(group)s"))
            + _group_entries(event, "removed",
                             gettext_noop("Removed from customer group %(group)s")))
