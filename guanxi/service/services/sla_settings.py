"""Keeping the service settings: SLA policies, assignment rules, teams, business hours and the
holiday calendar. A change to hours or holidays recomputes open cases' due times in the
background (set-wise)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.core import audit
from guanxi.core.errors import DomainError, FieldErrors
from guanxi.core.locking import save_versioned
from guanxi.core.tasks import later
from guanxi.service import permissions as perms
from guanxi.service.models import (
    AssignmentRule,
    BusinessHours,
    Holiday,
    ServiceSettings,
    ServiceTeam,
    SlaPolicy,
)


def _require(actor: User) -> None:
    from guanxi.core.access import require
    require(perms.can_manage_settings(actor),
            _("Only service managers and administrators keep the service settings."))


def _recompute() -> None:
    from guanxi.service.tasks import recompute_sla_due
    later(recompute_sla_due)


@transaction.atomic
def save_record(actor: User, model: Any, instance: Any, data: dict[str, Any],
                version: int | None) -> Any:
    """Create (``instance`` None) or update a policy, rule or team from cleaned form data."""
    _require(actor)
    members = data.pop("members", None)
    if instance is None:
        instance = model.objects.create(**data)
        action = "created"
    else:
        save_versioned(instance, version, data)
        action = "updated"
    if members is not None:
        instance.members.set(members)
    audit.log(actor, f"service.{model._meta.model_name}.{action}", instance)
    return instance


@transaction.atomic
def add_holiday(actor: User, date: dt.date, kind: str, name: str) -> Holiday:
    _require(actor)
    if Holiday.objects.filter(date=date).exists():
        raise DomainError(_("This day is in the calendar already."), field="date")
    if kind not in Holiday.Kind.values:
        raise DomainError(_("Choose a public holiday or a working day."), field="kind")
    holiday = Holiday.objects.create(date=date, kind=kind, name=name.strip()[:100] or str(date))
    audit.log(actor, "service.holiday.created", holiday)
    _recompute()
    return holiday


@transaction.atomic
def remove_holiday(actor: User, holiday: Holiday) -> None:
    _require(actor)
    audit.log(actor, "service.holiday.deleted", holiday)
    holiday.delete()
    _recompute()


@transaction.atomic
def set_hours(actor: User, team: ServiceTeam | None,
              spans: dict[int, tuple[dt.time, dt.time] | None]) -> None:
    """Replace the team's (or the default) week: one span per weekday, None for closed."""
    _require(actor)
    errors: dict[str, list[str]] = {}
    for wd, span in spans.items():
        if span is not None and span[1] <= span[0]:
            errors[f"end_{wd}"] = [_("The end must be after the start.")]
    if errors:
        raise FieldErrors(errors)
    BusinessHours.objects.filter(team=team).delete()
    BusinessHours.objects.bulk_create([
        BusinessHours(team=team, weekday=wd, start=span[0], end=span[1])
        for wd, span in sorted(spans.items()) if span is not None])
    audit.log(actor, "service.business_hours.updated", team or ServiceSettings.current())
    _recompute()


@transaction.atomic
def update_settings(actor: User, reopen_days: int, warn_minutes: int) -> ServiceSettings:
    _require(actor)
    row = ServiceSettings.current()
    row.reopen_days, row.warn_minutes = reopen_days, warn_minutes
    row.save()
    audit.log(actor, "service.settings.updated", row)
    return row


__all__ = ["AssignmentRule", "SlaPolicy", "add_holiday", "remove_holiday", "save_record",
           "set_hours", "update_settings"]
