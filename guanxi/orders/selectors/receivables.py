"""Reads of receivables, through the scoped querysets."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, F, Sum, Value
from django.db.models.functions import Coalesce

from guanxi.customers.models import Account
from guanxi.orders.models import Invoice, SalesOrder

ZERO = Decimal("0")
# Orders that commit the customer to pay (not rejected or cancelled).
LIVE_ORDER_STATUSES = (
    SalesOrder.Status.IN_REVIEW, SalesOrder.Status.RETURNED, SalesOrder.Status.CONFIRMED,
    SalesOrder.Status.IN_PRODUCTION, SalesOrder.Status.PARTIALLY_SHIPPED,
    SalesOrder.Status.SHIPPED, SalesOrder.Status.DELIVERED,
)


def credit_exposure(account: Account) -> Decimal:
    """What the customer owes or has ordered and not yet paid: unpaid totals of live orders
    plus open invoices that belong to no order. A new order is refused when this plus its
    total exceeds the credit limit (unless finance overrides)."""
    money = DecimalField(max_digits=16, decimal_places=2)
    orders = SalesOrder.objects.filter(account=account, status__in=LIVE_ORDER_STATUSES) \
        .aggregate(v=Coalesce(Sum(F("total") - F("paid_amount"), output_field=money),
                              Value(ZERO), output_field=money))["v"]
    loose = Invoice.objects.filter(account=account, order__isnull=True, outstanding__gt=0) \
        .aggregate(v=Coalesce(Sum("outstanding"), Value(ZERO), output_field=money))["v"]
    return orders + loose
