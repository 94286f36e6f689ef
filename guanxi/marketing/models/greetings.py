"""Customer care (客户关怀): greetings sent automatically on birthdays, on the anniversary of
becoming a customer and on holidays, and new-product or promotion notices on a date — each
rule sends each person at most once per occasion (a unique row records it)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import Versioned


class Holiday(models.Model):
    """One holiday on one date: an editable calendar, since the lunar holidays (春节, 中秋,
    端午 …) fall on a different Gregorian date each year."""

    key = models.SlugField(_("key"), max_length=40, help_text=_("e.g. spring_festival"))
    name_zh = models.CharField(_("name (Chinese)"), max_length=40)
    name_en = models.CharField(_("name (English)"), max_length=60, blank=True)
    date = models.DateField(_("date"))

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        constraints = [models.UniqueConstraint(fields=["key", "date"], name="holiday_key_date")]

    def __str__(self) -> str:
        return f"{self.name_zh} {self.date}"


class GreetingRule(Versioned):
    class Occasion(models.TextChoices):
        BIRTHDAY = "birthday", _("Birthday")
        ANNIVERSARY = "anniversary", _("Customer anniversary")
        HOLIDAY = "holiday", _("Holiday")
        NOTICE = "notice", _("New product or promotion notice")

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")

    name = models.CharField(_("name"), max_length=200)
    occasion = models.CharField(_("occasion"), max_length=12, choices=Occasion.choices)
    holiday_key = models.SlugField(_("holiday"), max_length=40, blank=True,
                                   help_text=_("For holiday greetings: the calendar's key."))
    send_on = models.DateField(_("send on"), null=True, blank=True,
                               help_text=_("For notices: the day they go out."))
    days_before = models.PositiveSmallIntegerField(_("days before"), default=0)
    channel = models.CharField(_("channel"), max_length=6, choices=Channel.choices,
                               default=Channel.EMAIL)
    subject_zh = models.CharField(_("subject (Chinese)"), max_length=300, blank=True)
    subject_en = models.CharField(_("subject (English)"), max_length=300, blank=True)
    body_zh = models.TextField(_("message (Chinese)"), blank=True)
    body_en = models.TextField(_("message (English)"), blank=True)
    sms_template = models.CharField(_("SMS template code"), max_length=40, blank=True)
    # Only the customers of these segments, when given (empty: every customer).
    segment = models.ForeignKey("marketing.Segment", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+", verbose_name=_("segment"))
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("greeting rule")
        verbose_name_plural = _("greeting rules")

    def __str__(self) -> str:
        return self.name

    @property
    def purpose(self) -> str:
        """Greetings are customer care; promotions are marketing (consent asked for each)."""
        return "marketing" if self.occasion == self.Occasion.NOTICE else "care"


class GreetingSent(models.Model):
    """One person greeted by one rule for one occasion ("2026-02-17", "birthday-2026"):
    unique, so a rerun, a second worker or a restart never greets anyone twice."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")

    rule = models.ForeignKey(GreetingRule, on_delete=models.CASCADE, related_name="sent")
    account = models.ForeignKey("customers.Account", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey("customers.Contact", on_delete=models.CASCADE, null=True,
                                blank=True, related_name="+")
    person_key = models.CharField(max_length=40)  # "c<contact id>" or "a<account id>"
    occasion = models.CharField(_("occasion"), max_length=40)
    address = models.CharField(_("address"), max_length=254, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("greeting sent")
        verbose_name_plural = _("greetings sent")
        constraints = [models.UniqueConstraint(fields=["rule", "person_key", "occasion"],
                                               name="greeting_once")]
        # The history page (a rule's latest) and the home page (today's) read by time.
        indexes = [models.Index(fields=["rule", "at"], name="greeting_rule_at"),
                   models.Index(fields=["at"], name="greeting_at")]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.person_key} {self.occasion}"
