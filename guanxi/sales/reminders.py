"""Periodic work of tasks: reminders when ``remind_at`` passes (imported by ``sales.tasks``
so the worker finds it)."""

from __future__ import annotations

from guanxi.core.tasks import crontab, periodic
from guanxi.sales.services.tasks import send_reminders


@periodic(crontab(minute="*"))
def remind_tasks() -> int:
    """Every minute: a reminder set for 09:00 arrives at 09:00, not a quarter later."""
    return send_reminders()
