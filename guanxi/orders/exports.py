"""Quote-to-cash lists for the export registry (``integrations.services.exports``): each is
the user's scope narrowed by the list page's plain filters (status, customer, owner)."""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy

from guanxi.accounts.models import User


def _rows(model: type[Model], related: tuple[str, ...]):
    def rows(user: User, params: QueryDict) -> QuerySet:
        qs = model.objects.visible_to(user).select_related(*related)
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        if (params.get("account") or "").isdigit():
            qs = qs.filter(account_id=int(params["account"]))
        if params.get("owner") == "me" and hasattr(model, "owner"):
            qs = qs.filter(owner=user)
        return qs.order_by("-id")
    return rows


def export_lists() -> list:
    from guanxi.integrations.services.exports import ListExport, field_columns
    from guanxi.orders.models import ExpenseClaim, Invoice, Payment, Quote, SalesOrder

    return [
        ListExport("quotes", gettext_lazy("Quotes"), Quote, _rows(Quote, ("account", "owner")),
                   field_columns(Quote, ("number", "revision", "account", "status",
                                         "issue_date", "valid_until", "currency", "subtotal",
                                         "discount_amount", "net_amount", "tax_amount",
                                         "total", "max_discount", "owner"))),
        ListExport("orders", gettext_lazy("Sales orders"), SalesOrder,
                   _rows(SalesOrder, ("account", "owner", "delivery_owner")),
                   field_columns(SalesOrder, (
                       "number", "account", "kind", "status", "order_date", "currency",
                       "net_amount", "tax_amount", "total", "invoiced_amount", "paid_amount",
                       "promised_date", "planned_date", "actual_date", "production_status",
                       "owner", "delivery_owner", "collection_owner"))),
        ListExport("invoices", gettext_lazy("Invoices"), Invoice,
                   _rows(Invoice, ("account", "order", "collection_owner")),
                   field_columns(Invoice, (
                       "number", "kind", "account", "order", "buyer_tax_id", "currency",
                       "net_amount", "tax_amount", "total", "paid_amount", "outstanding",
                       "issue_date", "due_date", "status", "collection_owner",
                       "dunning_level"))),
        ListExport("payments", gettext_lazy("Payments"), Payment,
                   _rows(Payment, ("account",)),
                   field_columns(Payment, ("number", "account", "amount", "unallocated",
                                           "currency", "received_on", "method", "reference"))),
        ListExport("expenses", gettext_lazy("Expense claims"), ExpenseClaim,
                   _rows(ExpenseClaim, ("account", "claimant", "opportunity")),
                   field_columns(ExpenseClaim, (
                       "spent_on", "claimant", "account", "opportunity", "category", "amount",
                       "currency", "description", "status"))),
    ]
