"""Background work of order execution: every hour, alert delivery owners and reps of orders
whose promised date is close and at risk, or has passed (each alert once per promised
date)."""

from __future__ import annotations

from guanxi.core.tasks import crontab, periodic


@periodic(crontab(minute="15"))
def delivery_alerts() -> dict[str, int]:
    from guanxi.orders.services.execution import send_delivery_alerts

    return send_delivery_alerts()
