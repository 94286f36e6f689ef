"""Receivables on the customer's 360° page and in the sidebar."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from guanxi.orders.models import Invoice, Payment
from guanxi.orders.selectors import receivables as sel
from guanxi.orders.services.receivables import is_finance

register = template.Library()


@register.simple_tag
def account_receivables(account: Any, user: Any) -> dict[str, Any] | None:
    """Outstanding by age bucket, the latest invoices and payments, and credit limit against
    exposure; None when the customer has never been invoiced nor paid anything."""
    invoices = list(Invoice.objects.visible_to(user).filter(account=account)
                    .order_by("-issue_date", "-id")[:5])
    payments = list(Payment.objects.visible_to(user).filter(account=account)
                    .order_by("-received_on", "-id")[:5])
    exposure = sel.credit_exposure(account)
    if not invoices and not payments and not exposure:
        return None
    today = timezone.localdate()
    report = sel.aging(user, as_of=today, account=account, top=1)
    limit = account.credit_limit
    return {"report": report, "invoices": invoices, "payments": payments, "today": today,
            "exposure": exposure, "limit": limit,
            "over_limit": bool(limit and exposure > limit),
            "used": int(min(100, 100 * exposure / limit)) if limit else None,
            "is_finance": is_finance(user)}


@register.simple_tag
def account_overdue(account: Any, user: Any) -> dict[str, Any] | None:
    """What the customer owes past the due date; None when nothing (no card then)."""
    if not Invoice.objects.visible_to(user).filter(account=account).exists():
        return None
    amount, count = sel.overdue_amount(account, timezone.localdate())
    return {"amount": amount, "count": count} if count else None


@register.simple_tag
def receivables_nav(user: Any) -> dict[str, bool]:
    """Which receivables links the sidebar shows this user."""
    finance = is_finance(user)
    sees_all = user.has_role("executive", "admin", "finance", "manager")
    collector = user.has_role("collection") or \
        Invoice.objects.filter(collection_owner=user, outstanding__gt=0).exists()
    return {"receivables": sees_all or user.has_role("rep", "assistant", "collection"),
            "invoices": True, "payments": finance or sees_all,
            "collections": collector or finance}


@register.simple_tag
def field_name(prefix: str, pk: Any) -> str:
    """The input name of one allocation row: ``alloc_invoice_12``."""
    return f"{prefix}{pk}"


@register.simple_tag
def posted_value(posted: Any, name: str) -> str:
    """What the user typed in this row before the form came back with an error."""
    return posted.get(name, "") if hasattr(posted, "get") else ""
