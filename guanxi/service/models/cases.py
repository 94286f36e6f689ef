"""Cases (工单): what a customer asked, complained about or needs repaired, and its whole life."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import Versioned

User = settings.AUTH_USER_MODEL


class ServiceTeam(Versioned):
    """A group of agents working one queue, with a manager cases escalate to and its own
    business hours (``BusinessHours``)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    manager = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="managed_service_teams",
                                verbose_name=_("manager"))
    members = models.ManyToManyField(User, blank=True, related_name="service_teams",
                                     verbose_name=_("agents"))
    # Round robin: the member who got the last case; the next goes to the one after.
    last_assignee = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+", editable=False)
    e_mail = models.CharField(_("reply-from address"), max_length=254, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service team")
        verbose_name_plural = _("service teams")

    def __str__(self) -> str:
        return self.name


class ServiceSettings(models.Model):
    """One row: how long a closed case may be reopened, how early SLA warnings go out."""

    reopen_days = models.PositiveSmallIntegerField(_("reopen window (days)"), default=14)
    warn_minutes = models.PositiveIntegerField(
        _("warn before breach (business minutes)"), default=60)

    class Meta:
        verbose_name = _("service settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> ServiceSettings:
        return cls.objects.order_by("pk").first() or cls.objects.create()


class CaseSequence(models.Model):
    """The last case number handed out per year: CS-2026-000123."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Case(Versioned):
    class Kind(models.TextChoices):
        INQUIRY = "inquiry", _("Inquiry")
        COMPLAINT = "complaint", _("Complaint")
        REPAIR = "repair", _("Repair")
        WARRANTY = "warranty", _("Warranty claim")
        RETURN = "return", _("Return")

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")
        PORTAL = "portal", _("Portal")
        WECHAT = "wechat", _("WeChat")
        WALK_IN = "walk_in", _("Walk-in")
        FIELD = "field", _("Field")

    class Priority(models.TextChoices):
        URGENT = "urgent", _("Urgent")
        HIGH = "high", _("High")
        NORMAL = "normal", _("Normal")
        LOW = "low", _("Low")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ASSIGNED = "assigned", _("Assigned")
        IN_PROGRESS = "in_progress", _("In progress")
        WAITING = "waiting", _("Waiting on customer")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    class RootCause(models.TextChoices):
        PRODUCT_DEFECT = "product_defect", _("Product defect")
        INSTALLATION = "installation", _("Installation")
        DELIVERY = "delivery", _("Delivery or logistics")
        SERVICE = "service", _("Service quality")
        BILLING = "billing", _("Billing")
        DOCUMENTATION = "documentation", _("Documentation or information")
        USAGE = "usage", _("Operating error")
        OTHER = "other", _("Other")

    class Sla(models.TextChoices):
        NONE = "none", _("No SLA")
        OK = "ok", _("On track")
        PAUSED = "paused", _("Paused")
        NEAR = "near", _("Due soon")
        BREACHED = "breached", _("Breached")
        MET = "met", _("Met")

    OPEN = (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING)

    number = models.CharField(_("number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices,
                            default=Kind.INQUIRY)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices,
                               default=Channel.PHONE)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices,
                                default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.NEW)
    subject = models.CharField(_("subject"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT, null=True,
                                blank=True, related_name="service_cases",
                                verbose_name=_("customer"))
    contact = models.ForeignKey("customers.Contact", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="service_cases",
                                verbose_name=_("contact"))
    # Who wrote in when no contact is known (an unknown-sender case from the support mailbox).
    requester_email = models.CharField(_("requester e-mail"), max_length=254, blank=True)
    requester_name = models.CharField(_("requester name"), max_length=200, blank=True)
    product = models.ForeignKey("orders.Product", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="service_cases",
                                verbose_name=_("product"))
    # The unit the case is about (a repair or warranty claim on a vehicle, a transformer).
    asset = models.ForeignKey("service.Asset", on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="cases", verbose_name=_("asset"))
    # Snapshots the rules match on, taken when the case is opened (and when the customer
    # changes): the customer's value class (A/B/C) and province.
    customer_class = models.CharField(_("customer value class"), max_length=1, blank=True)
    province = models.CharField(_("province"), max_length=30, blank=True)
    team = models.ForeignKey(ServiceTeam, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="cases", verbose_name=_("team"))
    assignee = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="assigned_cases", verbose_name=_("assignee"))
    resolution = models.TextField(_("resolution"), blank=True)
    root_cause = models.CharField(_("root cause"), max_length=20, choices=RootCause.choices,
                                  blank=True)
    # SLA: the policy, the budget of business seconds left for each target as of
    # ``sla_anchor_at`` (None while the clock is paused), and the due times they give.
    sla_policy = models.ForeignKey("service.SlaPolicy", on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name=_("SLA policy"))
    sla_anchor_at = models.DateTimeField(null=True, blank=True, editable=False)
    response_budget = models.IntegerField(null=True, blank=True, editable=False)
    resolution_budget = models.IntegerField(null=True, blank=True, editable=False)
    response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    # The nearer of the two pending targets: what queues sort and filter on.
    sla_due = models.DateTimeField(_("SLA due"), null=True, blank=True)
    sla_state = models.CharField(_("SLA"), max_length=10, choices=Sla.choices,
                                 default=Sla.NONE)
    sla_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    sla_breached_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Queues: a team's (or an agent's) open cases by SLA due time.
            models.Index(fields=["team", "sla_due"], name="case_team_queue",
                         condition=Q(status__in=["new", "assigned", "in_progress",
                                                 "waiting"])),
            models.Index(fields=["assignee", "sla_due"], name="case_assignee_queue",
                         condition=Q(status__in=["new", "assigned", "in_progress",
                                                 "waiting"])),
            # The periodic SLA check: open, clock running, due before a moment.
            models.Index(fields=["sla_state", "sla_due"], name="case_sla_due"),
            models.Index(fields=["account", "-created_at"], name="case_account"),
            models.Index(fields=["status", "-created_at"], name="case_status"),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class CaseEvent(models.Model):
    """One change in a case's life: who, when, from, to, and a note."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Opened")
        STATUS = "status", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        PRIORITY = "priority", _("Priority changed")
        EDITED = "edited", _("Edited")
        REPLY = "reply", _("Reply sent")
        NOTE = "note", _("Internal note")
        MAIL_IN = "mail_in", _("E-mail received")
        SLA_NEAR = "sla_near", _("SLA due soon")
        SLA_BREACHED = "sla_breached", _("SLA breached")
        ESCALATED = "escalated", _("Escalated")
        REOPENED = "reopened", _("Reopened")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=15, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    from_value = models.CharField(max_length=200, blank=True)
    to_value = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="caseevent_case")]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.kind} {self.from_value} → {self.to_value}"


class CaseMessage(models.Model):
    """A reply to the customer, an internal note, or a mail the customer sent."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("Reply")
        NOTE = "note", _("Internal note")
        INBOUND = "inbound", _("E-mail received")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    by_email = models.BooleanField(default=False)
    sender = models.CharField(max_length=254, blank=True)
    to = models.CharField(max_length=1000, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    # Threading: this message's own Message-ID (without angle brackets), what it answers.
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    in_reply_to = models.CharField(max_length=255, blank=True)
    references = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="casemessage_case")]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject}"


class CaseAttachment(models.Model):
    message = models.ForeignKey(CaseMessage, on_delete=models.CASCADE,
                                related_name="attachments")
    file = models.FileField(upload_to="service/attachments/%Y/%m/", max_length=300)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.name


class AssignmentRule(Versioned):
    """Where a new case goes: the first active rule (by position) whose conditions all match;
    an empty condition matches anything. A rule names a person, or a team whose members take
    turns (round robin)."""

    position = models.PositiveIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=Case.Kind.choices, blank=True)
    product_line = models.CharField(
        _("product line"), max_length=40, blank=True,
        help_text=_("Product codes starting with this, e.g. TR- for transformers."))
    province = models.CharField(_("province"), max_length=30, blank=True)
    customer_class = models.CharField(_("customer value class"), max_length=1, blank=True)
    team = models.ForeignKey(ServiceTeam, on_delete=models.CASCADE, related_name="rules",
                             verbose_name=_("team"))
    assignee = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="+", verbose_name=_("person"),
                                 help_text=_("Empty: the team's agents take turns."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")

    def __str__(self) -> str:
        return self.name
