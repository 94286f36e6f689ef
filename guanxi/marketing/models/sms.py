"""SMS as sent and as answered: one row per message to one number (campaigns, greetings,
single sends), its delivery receipt, and the replies that came back."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SmsMessage(models.Model):
    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        DELIVERED = "delivered", _("Delivered")
        UNDELIVERED = "undelivered", _("Not delivered")

    provider = models.CharField(_("provider"), max_length=10)
    phone = models.CharField(_("mobile"), max_length=20, db_index=True)
    sign_name = models.CharField(_("signature"), max_length=40)
    template_code = models.CharField(_("template"), max_length=40)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    text = models.TextField(_("text"), blank=True)
    parts = models.PositiveSmallIntegerField(_("messages"), default=1)
    purpose = models.CharField(_("purpose"), max_length=10, default="marketing")
    # The provider's id (Alibaba BizId, Tencent SerialNo): its receipt finds the row by it.
    message_id = models.CharField(_("provider id"), max_length=100, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    error_code = models.CharField(_("error code"), max_length=100, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    member = models.ForeignKey("marketing.CampaignMember", on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+")
    account = models.ForeignKey("customers.Account", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+")
    sent_at = models.DateTimeField(_("sent"))
    reported_at = models.DateTimeField(_("receipt"), null=True, blank=True)

    class Meta:
        verbose_name = _("SMS")
        verbose_name_plural = _("SMS")
        indexes = [models.Index(fields=["phone", "-sent_at"], name="sms_phone_latest")]

    def __str__(self) -> str:
        return f"{self.phone} {self.template_code} {self.status}"


class SmsReply(models.Model):
    provider = models.CharField(_("provider"), max_length=10)
    phone = models.CharField(_("mobile"), max_length=20, db_index=True)
    text = models.CharField(_("text"), max_length=1000)
    received_at = models.DateTimeField(_("received"))
    unsubscribe = models.BooleanField(_("unsubscribe"), default=False)
    # The latest message sent to the number before the reply: its campaign gets the response.
    message = models.ForeignKey(SmsMessage, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="replies")

    class Meta:
        verbose_name = _("SMS reply")
        verbose_name_plural = _("SMS replies")

    def __str__(self) -> str:
        return f"{self.phone}: {self.text[:20]}"
