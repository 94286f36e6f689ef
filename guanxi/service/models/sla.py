"""Service levels: policies, business hours per team and the holiday calendar (调休 too)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import Versioned
from guanxi.service.models.cases import Case, ServiceTeam


class SlaPolicy(Versioned):
    """Targets in business minutes for cases that match; the most specific match wins (an
    empty condition matches anything)."""

    name = models.CharField(_("name"), max_length=100)
    priority = models.CharField(_("priority"), max_length=8, choices=Case.Priority.choices,
                                blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Case.Kind.choices, blank=True)
    customer_class = models.CharField(_("customer value class"), max_length=1, blank=True)
    first_response_minutes = models.PositiveIntegerField(_("first response (business minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution (business minutes)"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name


class BusinessHours(models.Model):
    """One working span on a weekday (0 = Monday) for a team; spans without a team are the
    default for teams that have none."""

    team = models.ForeignKey(ServiceTeam, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="hours", verbose_name=_("team"))
    weekday = models.PositiveSmallIntegerField(_("weekday"))
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        ordering = ["team", "weekday", "start"]
        verbose_name = _("business hours")
        verbose_name_plural = _("business hours")

    def __str__(self) -> str:
        return f"{self.weekday} {self.start}–{self.end}"


class Holiday(models.Model):
    """A day off on a weekday (public holiday), or a working day on a weekend (调休)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday")
        WORKDAY = "workday", _("Working day (调休)")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices,
                            default=Kind.HOLIDAY)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
