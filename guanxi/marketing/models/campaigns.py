"""Campaigns (营销活动): who they reach, what they say, what they cost, and per member what
happened — the rows the sender works through and the response analysis counts."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import Leased, Versioned

User = settings.AUTH_USER_MODEL


class Campaign(Versioned, Leased):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")
        DONE = "done", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    class Purpose(models.TextChoices):
        MARKETING = "marketing", _("Marketing")
        CARE = "care", _("Customer care")

    name = models.CharField(_("name"), max_length=200)
    channel = models.CharField(_("channel"), max_length=12, default="email")
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices,
                               default=Purpose.MARKETING)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT, db_index=True)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("owner"))
    team = models.ForeignKey("accounts.Team", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("team"))
    budget = models.DecimalField(_("budget"), max_digits=14, decimal_places=2,
                                 default=Decimal("0"), validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    starts_at = models.DateTimeField(_("send at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    segments = models.ManyToManyField("marketing.Segment", blank=True, related_name="campaigns",
                                      verbose_name=_("segments"))
    control_percent = models.PositiveSmallIntegerField(
        _("control group (%)"), default=10, validators=[MaxValueValidator(50)],
        help_text=_("Members held out at random, to measure what the campaign changed."))
    conversion_days = models.PositiveSmallIntegerField(
        _("conversion window (days)"), default=30, validators=[MinValueValidator(1)])
    rate_per_minute = models.PositiveIntegerField(_("sends per minute"), default=600,
                                                  validators=[MinValueValidator(1)])
    subject_zh = models.CharField(_("subject (Chinese)"), max_length=300, blank=True)
    subject_en = models.CharField(_("subject (English)"), max_length=300, blank=True)
    subject_b_zh = models.CharField(_("subject B (Chinese)"), max_length=300, blank=True,
                                    help_text=_("Half the members get this subject instead."))
    subject_b_en = models.CharField(_("subject B (English)"), max_length=300, blank=True)
    body_zh = models.TextField(_("message (Chinese)"), blank=True)
    body_en = models.TextField(_("message (English)"), blank=True)
    # Channel-specific settings (an SMS template code, an event's venue …).
    options = models.JSONField(default=dict, blank=True)
    frozen_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name

    @property
    def has_ab(self) -> bool:
        return bool(self.subject_b_zh or self.subject_b_en)


class CampaignCost(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="costs")
    description = models.CharField(_("description"), max_length=200)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2,
                                 validators=[MinValueValidator(0)])
    spent_on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["spent_on", "id"]
        verbose_name = _("campaign cost")
        verbose_name_plural = _("campaign costs")

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"


class CampaignMember(models.Model):
    """One person the campaign was frozen to. ``state`` is the sender's progress on them (a
    member is claimed, sent and marked in one conditional update each, so a resumed or second
    worker never sends anyone twice); the ``*_at`` columns are the first time each response
    came (the full list is :class:`CampaignResponse`)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped (no consent or address)")
        CONTROL = "control", _("Control group (not sent)")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="members")
    account = models.ForeignKey("customers.Account", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey("customers.Contact", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+")
    segment = models.ForeignKey("marketing.Segment", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+")
    address = models.CharField(max_length=254, blank=True)
    language = models.CharField(max_length=8, default="zh-hans")
    variant = models.CharField(max_length=1, default="A")
    is_control = models.BooleanField(default=False)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    claimed_by = models.CharField(max_length=120, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    message_id = models.CharField(max_length=250, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    registered_at = models.DateTimeField(null=True, blank=True)
    converted_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    # What the conversion brought in, kept so ROI needs no query into orders.
    revenue = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    margin = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    # Phone campaigns: the agent working the member (claimed by one conditional update, so
    # two agents never call the same person), the last outcome and when to call back.
    agent = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    call_outcome = models.CharField(max_length=16, blank=True)
    call_notes = models.TextField(blank=True)
    callback_at = models.DateTimeField(null=True, blank=True)
    called_at = models.DateTimeField(null=True, blank=True)
    calls = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "account", "contact"],
                                               name="campaign_member_once")]
        indexes = [
            models.Index(fields=["campaign", "state", "id"], name="member_progress"),
            models.Index(fields=["account", "campaign"], name="member_account"),
        ]
        verbose_name = _("campaign member")
        verbose_name_plural = _("campaign members")

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.account_id}/{self.contact_id}"


class CampaignResponse(models.Model):
    """One response of a member, as it came: opened, clicked a link, replied …"""

    class Kind(models.TextChoices):
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        BOUNCED = "bounced", _("Bounced")
        OPENED = "opened", _("Opened")
        CLICKED = "clicked", _("Clicked")
        REPLIED = "replied", _("Replied")
        REGISTERED = "registered", _("Registered")
        ATTENDED = "attended", _("Checked in")
        CALLED = "called", _("Called")
        CONVERTED = "converted", _("Converted")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    member = models.ForeignKey(CampaignMember, on_delete=models.CASCADE,
                               related_name="responses")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses")
    kind = models.CharField(max_length=14, choices=Kind.choices)
    at = models.DateTimeField(db_index=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["campaign", "kind"], name="response_kind")]
        verbose_name = _("campaign response")
        verbose_name_plural = _("campaign responses")

    def __str__(self) -> str:
        return f"{self.member_id}: {self.kind}"


class CampaignLink(models.Model):
    """A link in a campaign's message; members' clicks go through a signed redirect to it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="links")
    url = models.URLField(max_length=2000)
    # Clicks on the one link shared in a WeChat group (社群): nobody to attribute them to.
    shared_clicks = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "url"],
                                               name="campaign_link_once")]

    def __str__(self) -> str:
        return self.url


class EventRegistration(models.Model):
    """One person registered for an event campaign (a trade fair, an exhibition): an invited
    member through their signed link, or anyone through the open link (a lead is made for
    them); ``code`` is what they show at the door to be checked in."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE,
                                 related_name="registrations")
    member = models.ForeignKey(CampaignMember, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="registrations")
    code = models.CharField(_("registration code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("mobile"), max_length=20)
    email = models.EmailField(_("e-mail"), blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    guests = models.PositiveSmallIntegerField(_("guests"), default=0)
    # The lead made for someone who was not invited (kept as an id: leads are sales' table).
    lead_id = models.PositiveIntegerField(null=True, blank=True)
    consent_requested = models.BooleanField(default=False)
    registered_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+")
    registered_at = models.DateTimeField(auto_now_add=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+")

    class Meta:
        ordering = ["-registered_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "phone"], name="registration_phone_once"),
            models.UniqueConstraint(fields=["campaign", "member"], name="registration_member_once",
                                    condition=models.Q(member__isnull=False)),
        ]
        verbose_name = _("event registration")
        verbose_name_plural = _("event registrations")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
