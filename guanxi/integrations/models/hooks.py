"""Webhooks (subscriptions and their delivery outbox), automation rules and notification
preferences."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import Versioned
from guanxi.integrations.models.automation import AutomationRule, AutomationRun

__all__ = ["AutomationRule", "AutomationRun", "NotificationPreference", "WebhookDelivery",
           "WebhookSubscription"]

User = settings.AUTH_USER_MODEL


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookSubscription(Versioned):
    """An address that receives a signed POST for each event of the chosen types.

    The secret signs the payloads; the receiver keeps a copy, so it is stored as is (it cannot
    be hashed) and shown only when created or rotated."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("address"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(max_length=100, default=new_webhook_secret, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    """One event to send to one subscription: the outbox row, written in the transaction of
    the change, then sent (and retried) by the worker. ``uuid`` is the same on every attempt,
    so the receiver can ignore repeats."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed, will retry")
        DEAD = "dead", _("Given up")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE,
                                     related_name="deliveries")
    event_id = models.CharField(max_length=32, db_index=True)
    event_type = models.CharField(_("event"), max_length=80)
    payload = models.JSONField()
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("response"), null=True, blank=True)
    last_error = models.CharField(_("error"), max_length=300, blank=True)
    response_ms = models.PositiveIntegerField(_("response time (ms)"), null=True, blank=True)
    redelivery_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True,
                                      blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The worker's question: what is due now?
            models.Index(fields=["status", "next_attempt_at"], name="webhook_due"),
            models.Index(fields=["subscription", "-created_at"], name="webhook_log"),
        ]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"{self.event_type} → {self.subscription_id}"


class NotificationPreference(models.Model):
    """Whether ``user`` also gets notifications of ``kind`` by e-mail (in the app always)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE,
                             related_name="notification_preferences")
    kind = models.CharField(max_length=60)
    email = models.BooleanField(_("by e-mail"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"],
                                               name="unique_notification_preference")]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind}"
