"""The quote-to-cash entries of the sidebar and the catalogue and review settings."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.accounts.models import Role
from guanxi.core.navigation import NavItem, roles, rule

#: Who works quote to cash: the sellers, finance, delivery and collection owners.
Q2C_ROLES = (Role.REP, Role.ASSISTANT, Role.MANAGER, Role.FINDER, Role.EXECUTIVE, Role.ADMIN,
             Role.FINANCE, Role.DELIVERY, Role.COLLECTION)


def sees_expenses(user: Any) -> bool:
    from guanxi.orders.selectors import expenses

    return expenses.sees_expenses(user)


def _q2c_not_admin(user: Any) -> bool:
    return user.has_role(*Q2C_ROLES) and not user.has_role(Role.ADMIN)


CATALOG = ("orders:products", "orders:product", "orders:product_create", "orders:product_edit")
PRICES = ("orders:price_lists", "orders:price_list", "orders:price_list_create",
          "orders:price_list_edit", "orders:customer_groups", "orders:customer_group")

ITEMS = [
    NavItem("orders.quotes", "quote_to_cash", _("Quotes"), "orders:quotes",
            "bi-file-earmark-text", order=10, visible=roles(*Q2C_ROLES),
            active=("orders:quotes", "orders:quote", "orders:quote_create", "orders:quote_edit",
                    "orders:quote_send")),
    NavItem("orders.products_own", "quote_to_cash", _("Products"), "orders:products",
            "bi-box-seam", order=15, visible=_q2c_not_admin, active=CATALOG + PRICES),
    NavItem("orders.tenders", "quote_to_cash", _("Tenders"), "orders:tenders", "bi-megaphone",
            order=20, visible=roles(*Q2C_ROLES), active=("orders:tender*",)),
    NavItem("orders.contracts", "quote_to_cash", _("Contracts"), "orders:contracts",
            "bi-file-earmark-check", order=25, visible=roles(*Q2C_ROLES),
            active=("orders:contracts", "orders:contract", "orders:contract_create",
                    "orders:contract_edit")),
    NavItem("orders.orders", "quote_to_cash", _("Orders"), "orders:orders", "bi-box-seam",
            order=30, visible=roles(*Q2C_ROLES),
            active=("orders:orders", "orders:order", "orders:order_status",
                    "orders:order_schedule", "orders:shipment_create",
                    "orders:order_create_from_quote", "orders:order_create_from_contract")),
    NavItem("orders.deliveries", "quote_to_cash", pgettext_lazy("orders", "Deliveries"),
            "orders:deliveries", "bi-truck", order=35, visible=rule("orders.see_deliveries")),
    NavItem("orders.receivables", "quote_to_cash", _("Receivables"), "orders:receivables",
            "bi-hourglass-split", order=40, visible=rule("orders.open_aging")),
    NavItem("orders.invoices", "quote_to_cash", _("Invoices"), "orders:invoices", "bi-receipt",
            order=45, visible=roles(*Q2C_ROLES),
            active=("orders:invoices", "orders:invoice", "orders:invoice_create")),
    NavItem("orders.payments", "quote_to_cash", _("Payments"), "orders:payments",
            "bi-cash-coin", order=50, visible=rule("orders.open_payments"),
            active=("orders:payments", "orders:payment", "orders:payment_create")),
    NavItem("orders.collections", "quote_to_cash", _("My collections"), "orders:collections",
            "bi-telephone-outbound", order=55, visible=rule("orders.collect")),
    NavItem("orders.expenses", "quote_to_cash", _("Expenses"), "orders:expenses", "bi-receipt",
            order=60, visible=sees_expenses, active=("orders:expense*",)),
    # Deciding is in the one approvals inbox; here is what the user submitted.
    NavItem("orders.reviews", "quote_to_cash", _("Submitted for review"), "orders:reviews",
            "bi-send-check", order=65, visible=roles(*Q2C_ROLES), query="?tab=mine"),
    NavItem("orders.products", "settings", _("Products"), "orders:products", "bi-box-seam",
            order=20, visible=roles(Role.ADMIN), active=CATALOG),
    NavItem("orders.price_lists", "settings", _("Price lists"), "orders:price_lists", "bi-tags",
            order=21, visible=roles(Role.ADMIN), active=PRICES),
    NavItem("orders.review_rules", "settings", _("Review steps"), "orders:review_rules",
            "bi-diagram-3", order=22, visible=roles(Role.ADMIN), active=("orders:review_rule*",)),
]
