"""The daily work around customers: activities (calls, visits, meetings, e-mails, notes,
key-account campaign plans with their support requests), tasks and reminders, the calendar
feed and e-mail sent from a record."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import Versioned

User = settings.AUTH_USER_MODEL


class ActivityQuerySet(models.QuerySet):
    def visible_to(self, user) -> ActivityQuerySet:
        """Activities ``user`` may see (the rule lives in ``selectors.work.activity_scope``)."""
        from guanxi.sales.selectors.work import activity_scope

        scope = activity_scope(user)
        return self if scope is None else self.filter(scope)


class TaskQuerySet(models.QuerySet):
    def visible_to(self, user) -> TaskQuerySet:
        """Tasks ``user`` may see (the rule lives in ``selectors.work.task_scope``)."""
        from guanxi.sales.selectors.work import task_scope

        scope = task_scope(user)
        return self if scope is None else self.filter(scope)


class Activity(Versioned):
    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        VISIT = "visit", _("Visit")
        MEETING = "meeting", _("Meeting")
        EMAIL = "email", _("E-mail")
        NOTE = "note", _("Note")
        CAMPAIGN = "campaign", _("Key-account campaign plan")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("notes"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=300, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.DONE)
    starts_at = models.DateTimeField(_("when"), db_index=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True,
                                                   blank=True)
    account = models.ForeignKey("customers.Account", on_delete=models.CASCADE, null=True,
                                blank=True, related_name="activities",
                                verbose_name=_("customer"))
    contact = models.ForeignKey("customers.Contact", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="activities",
                                verbose_name=_("contact"))
    opportunity = models.ForeignKey("sales.Opportunity", on_delete=models.CASCADE, null=True,
                                    blank=True, related_name="activities",
                                    verbose_name=_("opportunity"))
    lead = models.ForeignKey("sales.Lead", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="activities", verbose_name=_("lead"))
    owner = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="activities", verbose_name=_("by"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "starts_at"], name="activity_owner"),
            models.Index(fields=["account", "-starts_at"], name="activity_account"),
            models.Index(fields=["opportunity", "-starts_at"], name="activity_opp"),
        ]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return self.subject


class SupportRequest(Versioned):
    """What a rep asks the manager for to win a key account: people, budget, samples."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for decision")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    activity = models.OneToOneField(Activity, on_delete=models.CASCADE,
                                    related_name="support_request")
    people = models.CharField(_("people"), max_length=300, blank=True,
                              help_text=_("Who should join: engineers, managers, experts."))
    budget = models.DecimalField(_("budget"), max_digits=14, decimal_places=2, null=True,
                                 blank=True, validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    samples = models.CharField(_("samples"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PENDING, db_index=True)
    requested_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True,
                                     related_name="+", verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decided_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.CharField(_("comment"), max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        # The navigation badge counts pending requests by requester on every page.
        indexes = [models.Index(fields=["status", "requested_by"],
                                name="support_status_requester")]
        verbose_name = _("support request")
        verbose_name_plural = _("support requests")

    def __str__(self) -> str:
        return str(self.activity)


class Task(Versioned):
    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    due_at = models.DateTimeField(_("due"), db_index=True)
    all_day = models.BooleanField(_("all day"), default=True)
    remind_at = models.DateTimeField(_("remind at"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    priority = models.CharField(_("priority"), max_length=6, choices=Priority.choices,
                                default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.OPEN)
    assignee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tasks",
                                 verbose_name=_("assigned to"))
    account = models.ForeignKey("customers.Account", on_delete=models.CASCADE, null=True,
                                blank=True, related_name="tasks", verbose_name=_("customer"))
    opportunity = models.ForeignKey("sales.Opportunity", on_delete=models.CASCADE, null=True,
                                    blank=True, related_name="tasks",
                                    verbose_name=_("opportunity"))
    lead = models.ForeignKey("sales.Lead", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="tasks", verbose_name=_("lead"))
    # Set when a rule created the task ("sales.lead.pull_forward"), so it is made only once.
    origin = models.CharField(max_length=60, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["assignee", "status", "due_at"], name="task_assignee")]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return self.title


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """The secret address of a user's iCalendar feed; resetting it cuts off old subscribers."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)


class EmailTemplate(Versioned):
    """A message with merge fields such as ``{{ contact.name }}`` or ``{{ account.name }}``."""

    name = models.CharField(_("name"), max_length=100)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES,
                                default="zh-hans")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("e-mail template")
        verbose_name_plural = _("e-mail templates")

    def __str__(self) -> str:
        return self.name


class EmailMessage(models.Model):
    """An e-mail sent from the CRM or logged to a customer, kept as sent."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        LOGGED = "logged", _("Logged")

    account = models.ForeignKey("customers.Account", on_delete=models.CASCADE, null=True,
                                blank=True, related_name="emails")
    contact = models.ForeignKey("customers.Contact", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="emails")
    opportunity = models.ForeignKey("sales.Opportunity", on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="emails")
    template = models.ForeignKey(EmailTemplate, on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+")
    direction = models.CharField(max_length=3, default="out")  # "out" or "in"
    sender = models.CharField(_("from"), max_length=254)
    to = models.CharField(_("to"), max_length=500)
    cc = models.CharField(_("cc"), max_length=500, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    message_id = models.CharField(max_length=300, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    error = models.CharField(max_length=500, blank=True)
    sent_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")

    def __str__(self) -> str:
        return self.subject
