"""Quote-to-cash lists in the export registry (``guanxi.core.exports``), registered from
``OrdersConfig.ready()``: each names the filter selector its page and API call, so a file
holds exactly what the page shows for the same query string."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from guanxi.core.exports import Column, ListExport, field_columns, register


def register_exports() -> None:
    from guanxi.orders.models import (
        Contract,
        ExpenseClaim,
        Invoice,
        Payment,
        Quote,
        SalesOrder,
        Shipment,
        Tender,
    )
    from guanxi.orders.selectors.deals import filter_contracts, filter_tenders
    from guanxi.orders.selectors.expenses import filter_expenses, sees_expenses
    from guanxi.orders.selectors.orders import filter_orders, filter_shipments
    from guanxi.orders.selectors.quotes import filter_quotes
    from guanxi.orders.selectors.receivables import filter_invoices, filter_payments

    register(ListExport("quotes", gettext_lazy("Quotes"), Quote, filter_quotes, field_columns(
        Quote, ("number", "revision", "account", "status", "issue_date", "valid_until",
                "currency", "subtotal", "discount_amount", "net_amount", "tax_amount",
                "total", "max_discount", "owner")), related=("account", "owner")))
    register(ListExport("tenders", gettext_lazy("Tenders"), Tender, filter_tenders,
                        field_columns(Tender, (
                            "number", "title", "issuer", "account", "deadline", "currency",
                            "bond_status", "result", "winner", "owner")),
                        related=("account", "owner"), order_by=("deadline", "id")))
    register(ListExport("contracts", gettext_lazy("Contracts"), Contract, filter_contracts,
                        field_columns(Contract, (
                            "number", "title", "account", "status", "currency", "starts_on",
                            "ends_on", "payment_terms", "delivery_terms")),
                        related=("account",), order_by=("-created_at", "-id")))
    register(ListExport("orders", gettext_lazy("Sales orders"), SalesOrder, filter_orders,
                        field_columns(SalesOrder, (
                            "number", "account", "kind", "status", "order_date", "currency",
                            "net_amount", "tax_amount", "total", "invoiced_amount",
                            "paid_amount", "promised_date", "planned_date", "actual_date",
                            "production_status", "owner", "delivery_owner",
                            "collection_owner")),
                        related=("account", "owner", "delivery_owner", "collection_owner")))
    register(ListExport("shipments", gettext_lazy("Shipments"), Shipment, filter_shipments, (
        *field_columns(Shipment, ("number", "order")),
        Column(gettext_lazy("Customer"), lambda s: s.order.account),
        *field_columns(Shipment, ("shipped_on", "carrier", "tracking_number", "delivered_on",
                                  "notes"))),
        related=("order", "order__account"), order_by=("-shipped_on", "-id")))
    register(ListExport("invoices", gettext_lazy("Invoices"), Invoice, filter_invoices,
                        field_columns(Invoice, (
                            "number", "kind", "account", "order", "buyer_tax_id", "currency",
                            "net_amount", "tax_amount", "total", "paid_amount",
                            "outstanding", "issue_date", "due_date", "status",
                            "collection_owner", "dunning_level")),
                        related=("account", "order", "collection_owner")))
    register(ListExport("payments", gettext_lazy("Payments"), Payment, filter_payments,
                        field_columns(Payment, (
                            "number", "account", "amount", "unallocated", "currency",
                            "received_on", "method", "reference")), related=("account",)))
    register(ListExport("expenses", gettext_lazy("Expense claims"), ExpenseClaim,
                        filter_expenses, field_columns(ExpenseClaim, (
                            "spent_on", "claimant", "account", "opportunity", "category",
                            "amount", "currency", "description", "status")),
                        may_export=sees_expenses,
                        related=("account", "claimant", "opportunity")))
