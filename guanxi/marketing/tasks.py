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


@periodic(crontab(hour="3", minute="40"))
def attribute_conversions_daily() -> int:
    """Orders and won opportunities of the last day convert members of campaigns still in
    their window."""
    import datetime as dt

    from django.utils import timezone

    from guanxi.marketing.models import Campaign
    from guanxi.marketing.services.analysis import attribute_conversions

    since = timezone.now() - dt.timedelta(days=366)
    return sum(attribute_conversions(c) for c in Campaign.objects.filter(
        frozen_at__gte=since))


@periodic(crontab(minute="7"))
def send_greetings() -> dict[str, int]:
    """Birthday, anniversary and holiday greetings and notices that are due (hourly, so quiet
    hours only delay them)."""
    from guanxi.marketing.services.greetings import run_greetings

    return run_greetings()
