"""Reads for webhooks and automation rules: administrators only, everyone else is refused."""

from __future__ import annotations

from django.db.models import QuerySet

from guanxi.accounts.models import User
from guanxi.integrations.models import (
    AutomationRule,
    AutomationRun,
    WebhookDelivery,
    WebhookSubscription,
)
from guanxi.integrations.services.webhooks import require_admin


def subscriptions(actor: User) -> QuerySet[WebhookSubscription]:
    require_admin(actor)
    return WebhookSubscription.objects.select_related("created_by")


def deliveries(actor: User, subscription: WebhookSubscription | None = None,
               status: str | None = None) -> QuerySet[WebhookDelivery]:
    require_admin(actor)
    qs = WebhookDelivery.objects.select_related("subscription")
    if subscription is not None:
        qs = qs.filter(subscription=subscription)
    if status:
        qs = qs.filter(status=status)
    return qs


def rules(actor: User) -> QuerySet[AutomationRule]:
    require_admin(actor)
    return AutomationRule.objects.select_related("created_by")


def runs(actor: User, rule: AutomationRule | None = None,
         result: str | None = None) -> QuerySet[AutomationRun]:
    require_admin(actor)
    qs = AutomationRun.objects.select_related("rule")
    if rule is not None:
        qs = qs.filter(rule=rule)
    if result:
        qs = qs.filter(result=result)
    return qs
