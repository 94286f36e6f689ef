"""What the home page shows of quote to cash, per role: a rep's late deliveries and overdue
collections, a delivery owner's deliveries, a collection owner's overdue invoices, and the
receivables of finance, managers and the boss."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone

from guanxi.accounts.models import Role, User
from guanxi.orders.models import Invoice
from guanxi.orders.selectors.orders import filter_orders, my_deliveries
from guanxi.orders.selectors.receivables import aging, overdue_for_collector

ZERO = Decimal("0")
ROWS = 6
RECEIVABLES_ROLES = (Role.FINANCE, Role.MANAGER, Role.EXECUTIVE, Role.ADMIN)


def mine(user: User, today: dt.date) -> dict[str, Any]:
    """A rep's own orders delivered late and invoices overdue."""
    late = filter_orders(user, {"mine": "owner", "alert": "late"}, today=today).count()
    overdue = Invoice.objects.visible_to(user).filter(
        owner=user, outstanding__gt=0, due_date__lt=today).order_by().aggregate(
        n=Count("id"), amount=Sum("outstanding"))
    return {"late": late, "overdue_n": overdue["n"] or 0,
            "overdue_amount": overdue["amount"] or ZERO}


def deliveries(user: User, today: dt.date) -> dict[str, Any]:
    rows = my_deliveries(user, today)
    return {"rows": rows[:ROWS], "count": len(rows),
            "late": sum(1 for o in rows
                        if getattr(o, "alert", "") == "late")}


def collections(user: User, today: dt.date) -> dict[str, Any]:
    rows = overdue_for_collector(user, today, limit=ROWS)
    totals = Invoice.objects.filter(collection_owner=user, outstanding__gt=0,
                                    due_date__lt=today).order_by().aggregate(
        n=Count("id"), amount=Sum("outstanding"))
    return {"rows": rows, "count": totals["n"] or 0, "amount": totals["amount"] or ZERO}


def receivables(user: User, today: dt.date) -> dict[str, Any]:
    """Outstanding and overdue over the user's scope, the biggest debtors, late orders."""
    report = aging(user, as_of=today, top=5)
    late = filter_orders(user, {"alert": "late"}, today=today).count()
    return {"report": report, "late": late}


def home(user: User, today: dt.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    out: dict[str, Any] = {}
    if user.has_role(Role.REP, Role.ASSISTANT):
        out["mine"] = mine(user, today)
    if user.has_role(Role.DELIVERY):
        out["deliveries"] = deliveries(user, today)
    if user.has_role(Role.COLLECTION):
        out["collections"] = collections(user, today)
    if user.has_role(*RECEIVABLES_ROLES):
        out["receivables"] = receivables(user, today)
    return out


def sees_home(user: User, _obj: Any = None) -> bool:
    return user.has_role(Role.REP, Role.ASSISTANT, Role.DELIVERY, Role.COLLECTION,
                         *RECEIVABLES_ROLES)



