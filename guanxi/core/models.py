"""Audit trail and administrator-defined custom fields, shared by every domain app."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Versioned(models.Model):
    """A record edited under optimistic locking: every write names the ``version`` it read and
    bumps it (``guanxi.core.locking``)."""

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class Leased(models.Model):
    """Long work (an analysis run, an import) held by one process at a time: the holder renews
    ``lease_until`` while it works (``guanxi.core.leases``); once that time has passed, the
    holder is gone and the next worker or command may take over."""

    lease_owner = models.CharField(max_length=120, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True


def in_reader_language(zh: str, en: str) -> str:
    """The Chinese text for a Chinese reader, the English one otherwise; the other when the
    reader's one is empty."""
    if (get_language() or "").startswith("zh"):
        return zh or en
    return en or zh


class BilingualLabel(models.Model):
    """A name kept in English and Chinese; ``label`` is the one in the reader's language.
    A model whose columns are named otherwise sets ``label_fields`` (Chinese, English)."""

    name_en = models.CharField(_("name (English)"), max_length=80)
    name_zh = models.CharField(_("name (Chinese)"), max_length=80, blank=True)

    label_fields: tuple[str, str] = ("name_zh", "name_en")

    class Meta:
        abstract = True

    @property
    def label(self) -> str:
        zh, en = self.label_fields
        return in_reader_language(getattr(self, zh), getattr(self, en))


class AuditEntry(models.Model):
    """Who did what to which record, when, with old → new values.

    Written by services (one line per change) rather than by model signals, so bulk writes
    and imports are audited too. ``action`` is namespaced: ``customers.account.updated``.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"], name="audit_object")]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class CustomFieldDefinition(BilingualLabel, Versioned):
    """A field an administrator adds to a record type; values live in the record's ``custom``
    JSON column under ``key``."""

    class Type(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Choice")
        MULTI = "multi", _("Multiple choice")

    class Target(models.TextChoices):
        ACCOUNT = "customers.account", _("Customer")
        CONTACT = "customers.contact", _("Contact")

    target = models.CharField(_("record type"), max_length=40, choices=Target.choices)
    key = models.SlugField(_("key"), max_length=40,
                           help_text=_("Letters, digits and underscores; used in the API."))
    label_en = models.CharField(_("label (English)"), max_length=80)
    label_zh = models.CharField(_("label (Chinese)"), max_length=80, blank=True)
    name_en = name_zh = None  # type: ignore[assignment]  # its columns are label_en/label_zh
    label_fields = ("label_zh", "label_en")
    type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.TEXT)
    choices = models.JSONField(_("choices"), default=list, blank=True,
                               help_text=_("For choice fields: the allowed values."))
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["target", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["target", "key"], name="unique_custom_field_key")
        ]
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")

    def __str__(self) -> str:
        return self.label


class Notification(models.Model):
    """Something a user should know about (a lead assigned to them, a request to decide).

    The title is stored as an untranslated message and its parameters, like timeline events,
    so it shows in the reader's language whenever it is read."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications")
    kind = models.CharField(max_length=60)  # namespaced: "sales.lead.assigned"
    title = models.CharField(max_length=300)
    message = models.JSONField(default=list, blank=True)  # [msgid, params]
    url = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"],
                                name="notification_unread")]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        if not self.message:
            return self.title
        from guanxi.core.notifications import render
        try:
            msgid, params = self.message
            return render(msgid, params)
        except (KeyError, TypeError, ValueError):
            return self.title


class OutboxTask(models.Model):
    """A background task written in the same transaction as the change that asks for it, and
    handed to the task queue after the commit (``core.tasks.later``). A queue that is away
    delays the work instead of losing it: the row stays pending until a dispatcher hands it
    over."""

    task = models.CharField(max_length=200)  # dotted path of the Huey task
    args = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When a dispatcher may try it next; a dispatcher claims a row by moving it forward.
    available_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["available_at"], name="outbox_pending",
                                condition=models.Q(dispatched_at=None))]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"


class IdempotencyKey(models.Model):
    """A create request's ``Idempotency-Key`` with the answer it got, so a retry is answered
    the same without doing the work twice. The row is inserted before the work, in the same
    transaction: of two concurrent requests with one key only one gets past the insert."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of the request body
    status = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key", "method", "path"],
                                               name="unique_idempotency_key")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"


class Mailbox(Leased):
    """Where a configured mailbox (``GUANXI_MAILBOXES``) has been read to: the IMAP folder's
    UIDVALIDITY and the last UID handled. A message is handled and ``last_uid`` moved in one
    transaction, so a reader that dies re-reads only the message it was on. The lease keeps
    one reader per mailbox."""

    name = models.CharField(max_length=60, unique=True)
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    last_read_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name


class InboundMessage(models.Model):
    """One message a mailbox reader took in: which handler took it, or why none could."""

    class Status(models.TextChoices):
        HANDLED = "handled", _("Handled")
        UNHANDLED = "unhandled", _("No handler took it")
        FAILED = "failed", _("Failed")

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="messages")
    uidvalidity = models.BigIntegerField()
    uid = models.BigIntegerField()
    message_id = models.CharField(max_length=300, blank=True)
    sender = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices)
    handler = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mailbox", "uidvalidity", "uid"],
                                               name="unique_inbound_uid")]
        indexes = [models.Index(fields=["mailbox", "message_id"], name="inbound_message_id")]

    def __str__(self) -> str:
        return f"{self.mailbox_id}:{self.uidvalidity}:{self.uid} {self.subject}"


class SavedView(Versioned):
    """A named way to look at a record list: its query string (filters, ``sort``, ``cols`` —
    the columns chosen and their order —, ``density``). Personal, or shared by a manager with
    a team (and the teams below it). Any reader of the list's filter selector can apply it."""

    class Density(models.TextChoices):
        COMFORTABLE = "comfortable", _("Comfortable")
        COMPACT = "compact", _("Compact")

    list_key = models.CharField(_("list"), max_length=60)
    name = models.CharField(_("name"), max_length=80)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="saved_views", verbose_name=_("owner"))
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="saved_views", verbose_name=_("shared with team"))
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        indexes = [models.Index(fields=["list_key", "owner"], name="view_owner"),
                   models.Index(fields=["list_key", "team"], name="view_team")]

    def __str__(self) -> str:
        return self.name


class DefaultView(models.Model):
    """The view a user's list opens with when its address names no filter."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    list_key = models.CharField(max_length=60)
    view = models.ForeignKey(SavedView, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "list_key"],
                                               name="one_default_view")]

    def __str__(self) -> str:
        return f"{self.list_key}: {self.view_id}"
