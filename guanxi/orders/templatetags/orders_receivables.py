"""Receivables on the customer's 360° page and in the sidebar."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from guanxi.orders import permissions as perms
from guanxi.orders.models import Invoice, Payment
from guanxi.orders.selectors import receivables as sel

register = template.Library()


def _summary(account: Any, user: Any) -> dict[str, Any] | None:
    """What both receivables cards of the customer page show, read once per page (cached
    on the account the page renders): the latest invoices and payments, outstanding by
    bucket, overdue, and the credit used against the limit (a limit of 0 grants no credit:
    every order needs finance's override)."""
    cache = getattr(account, "_receivables_card", False)
    if cache is not False:
        return cache
    invoices = list(Invoice.objects.visible_to(user).filter(account=account)
                    .order_by("-issue_date", "-id")[:5])
    payments = list(Payment.objects.visible_to(user).filter(account=account)
                    .order_by("-received_on", "-id")[:5])
    limit = account.credit_limit or 0
    summary = None
    if invoices or payments or limit > 0:
        exposure = sel.credit_exposure(account)
        today = timezone.localdate()
        aging, overdue_count = sel.account_aging(user, account, today) if invoices \
            else (None, 0)
        summary = {"aging": aging, "overdue_count": overdue_count, "invoices": invoices,
                   "payments": payments, "today": today, "exposure": exposure,
                   "limit": limit, "over_limit": exposure > limit,
                   "used": int(min(100, 100 * exposure / limit)) if limit else None,
                   "is_finance": perms.can_handle_receivables(user)}
    account._receivables_card = summary
    return summary


@register.simple_tag
def account_receivables(account: Any, user: Any) -> dict[str, Any] | None:
    """The receivables card; None when the customer was never invoiced nor paid anything
    and has no credit limit."""
    return _summary(account, user)


@register.simple_tag
def account_overdue(account: Any, user: Any) -> dict[str, Any] | None:
    """What the customer owes past the due date; None when nothing (no card then)."""
    summary = _summary(account, user)
    if not summary or not summary["overdue_count"]:
        return None
    return {"amount": summary["aging"].overdue, "count": summary["overdue_count"]}


@register.simple_tag
def field_name(prefix: str, pk: Any) -> str:
    """The input name of one allocation row: ``alloc_invoice_12``."""
    return f"{prefix}{pk}"


@register.simple_tag
def posted_value(posted: Any, name: str) -> str:
    """What the user typed in this row before the form came back with an error."""
    return posted.get(name, "") if hasattr(posted, "get") else ""
