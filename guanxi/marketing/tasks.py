"""Huey finds marketing's background work here."""

from __future__ import annotations

from guanxi.core.tasks import background, crontab, periodic


@background()
def send_campaign_task(campaign_id: int) -> int:
    from guanxi.marketing.services.sending import send_campaign

    return send_campaign(campaign_id)


@periodic(crontab(minute="*"))
def start_due_campaigns() -> int:
    from guanxi.marketing.services.campaigns import start_due

    return start_due()
