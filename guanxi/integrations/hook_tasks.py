"""Background work of webhooks, automation rules and e-mail notifications (registered with the
worker from ``apps.ready``)."""

from __future__ import annotations

from guanxi.core.tasks import background, crontab, periodic
from guanxi.integrations.services import automation, preferences, webhooks


@background()
def deliver_webhooks(ids: list[int]) -> int:
    """Send new webhook deliveries right after the change committed."""
    return webhooks.deliver(ids)


@periodic(crontab(minute="*"))
def deliver_due_webhooks() -> int:
    """Every minute: retries whose time has come, and deliveries never sent."""
    return webhooks.deliver_due()


@periodic(crontab(minute="0", hour="8"))
def run_no_follow_up_rules() -> int:
    """Daily: automation rules on customers without follow-up."""
    return automation.check_no_follow_up()


@background()
def email_notification(notification_id: int) -> bool:
    return preferences.send_notification_email(notification_id)


@background()
def send_rule_email(template_id: int, actor_id: int, account_id: int, contact_id: int,
                    opportunity_id: int | None) -> str:
    """An automation rule's e-mail, rendered and sent through Django's mail backend."""
    return automation.send_rule_email(template_id, actor_id, account_id, contact_id,
                                      opportunity_id)
