"""SMS as sent and as answered: one row per message to one number (campaigns, greetings,
single sends), its delivery receipt, and the replies that came back."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import Versioned


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


class SmsAccount(Versioned):
    """The SMS provider account, set on the SMS settings page: one row, which takes precedence
    over the ``GUANXI_SMS_*`` environment. The secret is written, never shown or sent back."""

    class Provider(models.TextChoices):
        ALIYUN = "aliyun", _("Alibaba Cloud SMS")
        TENCENT = "tencent", _("Tencent Cloud SMS")

    provider = models.CharField(_("provider"), max_length=10, choices=Provider.choices)
    key_id = models.CharField(_("AccessKey ID / SecretId"), max_length=100)
    key_secret = models.CharField(_("AccessKey secret / SecretKey"), max_length=200)
    sign_name = models.CharField(_("signature"), max_length=40)
    app_id = models.CharField(_("SDK AppID (Tencent)"), max_length=40, blank=True)
    region = models.CharField(_("region"), max_length=40, blank=True)
    updated_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("SMS account")
        verbose_name_plural = _("SMS accounts")

    def __str__(self) -> str:
        return f"{self.provider} {self.sign_name}"


class SmsTemplate(Versioned):
    """A template as approved by the provider: its code and its text with the parameters the
    provider fills in (``${name}`` at Alibaba Cloud, ``{1}`` at Tencent Cloud)."""

    code = models.CharField(_("template code"), max_length=40, unique=True,
                            help_text=_("As the provider's console shows it, e.g. SMS_123456789."))
    name = models.CharField(_("name"), max_length=100)
    text = models.TextField(_("text"), help_text=_(
        "The approved text with its parameters: ${name} (Alibaba Cloud) or {1} (Tencent Cloud)."))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("SMS template")
        verbose_name_plural = _("SMS templates")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
