"""Daily payment reminders (催款) for overdue invoices; see ``services.dunning``."""

from __future__ import annotations

from guanxi.core.tasks import crontab, periodic


@periodic(crontab(minute="0", hour="9"))
def send_payment_reminders() -> int:
    """Every morning at nine: the reminders that fall due today (idempotent per level)."""
    from guanxi.orders.services.dunning import send_reminders

    return send_reminders()
