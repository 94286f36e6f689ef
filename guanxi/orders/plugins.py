"""What quote to cash puts into the lower layers' plug-in points, from ``OrdersConfig.ready()``:
its cards and open items on the customer's 360° page, the document search provider, its event
types and the record types automation rules can act on (invoices, payments, sales orders and
shipments, so "payment received" or "reminder sent" can trigger a rule)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guanxi.core import navigation
from guanxi.core.automation import AutomationTarget, register_target
from guanxi.core.events import register_event_types
from guanxi.core.panels import Panel, count_of
from guanxi.customers.pages import account_page, home_page
from guanxi.customers.search_providers import CustomerAction, SearchProvider, register_action
from guanxi.customers.search_providers import register as register_search
from guanxi.orders import navigation as orders_navigation
from guanxi.orders import pickers
from guanxi.orders.permissions import can_create_quote
from guanxi.orders.selectors.search import search_documents
from guanxi.sales.pages import opportunity_page

EVENT_TYPES = {
    "orders.quote.created": _("Quote created"),
    "orders.quote.sent": _("Quote sent"),
    "orders.quote.accepted": _("Quote accepted"),
    "orders.quote.declined": _("Quote declined"),
    "orders.tender.result": _("Tender result recorded"),
    "orders.contract.signed": _("Contract signed"),
    "orders.order.created": _("Sales order created"),
    "orders.order.status_changed": _("Sales order status changed"),
    "orders.shipment.created": _("Shipment sent"),
    "orders.invoice.created": _("Invoice issued"),
    "orders.payment.received": _("Payment received"),
    "orders.payment.allocated": _("Payment allocated to invoices or orders"),
    "orders.invoice.cancelled": _("Invoice cancelled"),
    "orders.invoice.reminded": _("Payment reminder sent"),
    "orders.expense.approved": _("Expense claim approved"),
}

# Each card reads its own rows through the orders template tags (orders_quotes, …).
def _count(model: str, **filters):
    def count(user):
        from guanxi.orders import models

        return count_of(getattr(models, model).objects.visible_to(user).filter(**filters))
    return count


PANELS = (
    Panel("orders.quotes", "orders/account/quotes.html", slot="main", order=30,
          tab=_("Quotes"), count=_count("Quote")),
    Panel("orders.deals", "orders/account/deals.html", slot="main", order=31,
          tab=_("Tenders and contracts"), count=_count("Contract")),
    Panel("orders.fulfilment", "orders/account/fulfilment.html", slot="main", order=32,
          tab=_("Orders"), count=_count("SalesOrder")),
    Panel("orders.receivables", "orders/account/receivables.html", slot="main", order=33,
          tab=_("Invoices"), count=_count("Invoice")),
    Panel("orders.expenses", "orders/account/expenses.html", slot="main", order=34,
          tab=_("Expenses")),
    Panel("orders.overdue", "orders/account/open_receivables.html", slot="open_items",
          order=10),
    Panel("orders.late_deliveries", "orders/account/open_deliveries.html", slot="open_items",
          order=20),
)

# On an opportunity's page: its quotes, tenders and contracts, and orders.
OPPORTUNITY_PANELS = (
    Panel("orders.quotes", "orders/opportunity/quotes.html", order=10),
    Panel("orders.deals", "orders/opportunity/deals.html", order=20),
    Panel("orders.fulfilment", "orders/opportunity/fulfilment.html", order=30),
)

DOCUMENTS = SearchProvider(
    name="orders.documents", kinds=("document",), order=20,
    search=lambda user, q, limit, kinds: search_documents(user, q, limit),
    label=_("Quotes, contracts, orders and invoices"),
    dropdown_template="orders/search/_dropdown.html", page_template="orders/search/_page.html")

NEW_QUOTE = CustomerAction(
    name="orders.new_quote", label=_("New quote for %(customer)s"), icon="bi-file-earmark-plus",
    url=lambda account: reverse("orders:quote_create") + f"?account={account.pk}",
    allowed=lambda user, account: can_create_quote(user, account), order=10,
    keywords=("报价", "新建报价", "quote"))

TARGETS = (
    AutomationTarget(key="orders.invoice", label=_("Invoice"), model="orders.Invoice",
                     url=lambda i: reverse("orders:invoice", args=[i.pk])),
    AutomationTarget(key="orders.payment", label=_("Payment"), model="orders.Payment",
                     url=lambda p: reverse("orders:payment", args=[p.pk])),
    AutomationTarget(key="orders.order", label=_("Sales order"), model="orders.SalesOrder",
                     url=lambda o: reverse("orders:order", args=[o.pk])),
    AutomationTarget(key="orders.shipment", label=_("Shipment"), model="orders.Shipment",
                     url=lambda s: reverse("orders:order", args=[s.order_id])),
)


def load_home(request: Any, user: Any) -> dict[str, Any]:
    from guanxi.orders.selectors.home import home
    return {"cash": home(user)}


def register() -> None:
    from guanxi.core import approvals
    from guanxi.orders import approval_items
    from guanxi.orders.selectors.home import sees_home

    approvals.register(approval_items.PROVIDER)
    home_page.register(Panel("orders.home", "orders/_home.html", slot="sections", order=20,
                             load=load_home, visible=sees_home))
    from guanxi.core.audit_display import register_pages

    register_pages({"orders.quote": "orders:quote", "orders.contract": "orders:contract",
                    "orders.tender": "orders:tender", "orders.salesorder": "orders:order",
                    "orders.invoice": "orders:invoice", "orders.payment": "orders:payment",
                    "orders.expenseclaim": "orders:expense", "orders.product": "orders:product"})
    for panel in PANELS:
        account_page.register(panel)
    for panel in OPPORTUNITY_PANELS:
        opportunity_page.register(panel)
    register_search(DOCUMENTS)
    pickers.register_own()
    register_action(NEW_QUOTE)
    navigation.register(*orders_navigation.ITEMS)
    register_event_types(EVENT_TYPES)
    for target in TARGETS:
        register_target(target)
