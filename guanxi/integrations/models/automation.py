"""Automation rules an administrator configures ("when → if → then") and the log of their runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import Versioned

User = settings.AUTH_USER_MODEL


class AutomationRule(Versioned):
    """``conditions``: ``[{"field", "op", "value"}]``, all must hold; ``actions``:
    ``[{"type": "create_task", …}]`` run in order (see services.automation for both)."""

    class Trigger(models.TextChoices):
        EVENT = "event", _("A record event happens")
        FIELD_CHANGED = "field_changed", _("A field changes")
        STAGE_CHANGED = "stage_changed", _("An opportunity changes stage")
        NO_FOLLOW_UP = "no_follow_up", _("A customer has no follow-up for some days")

    name = models.CharField(_("name"), max_length=100)
    trigger = models.CharField(_("when"), max_length=20, choices=Trigger.choices)
    event_type = models.CharField(_("event"), max_length=80, blank=True)
    target = models.CharField(_("record type"), max_length=40, blank=True)
    field = models.CharField(_("field"), max_length=60, blank=True)
    value = models.CharField(_("to value"), max_length=200, blank=True,
                             help_text=_("Empty: any new value."))
    days = models.PositiveSmallIntegerField(_("days"), null=True, blank=True)
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    actions = models.JSONField(_("actions"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("automation rule")
        verbose_name_plural = _("automation rules")

    def __str__(self) -> str:
        return self.name


class AutomationRun(models.Model):
    """One rule applied to one record: what it did, or why it failed."""

    class Result(models.TextChoices):
        DONE = "done", _("Done")
        SKIPPED = "skipped", _("Conditions not met")
        FAILED = "failed", _("Failed")

    rule = models.ForeignKey(AutomationRule, on_delete=models.CASCADE, related_name="runs")
    event_id = models.CharField(max_length=32, blank=True)
    event_type = models.CharField(max_length=80, blank=True)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    object_repr = models.CharField(max_length=200, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    detail = models.JSONField(default=list, blank=True)  # what each action did
    error = models.CharField(_("error"), max_length=500, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["rule", "-at"], name="automation_run_rule"),
                   # "no follow-up" rules fire once per customer and quiet period
                   models.Index(fields=["rule", "object_type", "object_id"],
                                name="automation_run_object")]
        verbose_name = _("automation run")
        verbose_name_plural = _("automation runs")

    def __str__(self) -> str:
        return f"{self.rule_id}: {self.object_type} {self.object_id} {self.result}"
