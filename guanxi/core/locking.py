"""Optimistic locking: a write names the version it read; a stale version is a 409."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import Conflict


def stale_version(message: str | None = None) -> Conflict:
    """The 409 for a write that names a version someone else has since replaced."""
    return Conflict(
        message or _("Someone else changed this record after you opened it. Reload to see "
                     "their changes, then make yours again."),
        field="version", code="stale_version",
    )


def check_version(instance: Model, version: int | None, message: str | None = None) -> None:
    """Refuse a write naming another version than ``instance`` has: the one check every
    service makes, also when the write would change nothing (the caller decided on what it
    read, which is no longer there). ``None``: the caller read nothing (internal calls act on
    the current row)."""
    if version is not None and int(version) != instance.version:  # type: ignore[attr-defined]
        raise stale_version(message)


def save_versioned(instance: Model, version: int | None, changes: dict[str, Any]) -> None:
    """Write ``changes`` only if the row still has ``version``; bump it. Works on SQLite and
    PostgreSQL alike (a conditional UPDATE, not SELECT … FOR UPDATE)."""
    model = type(instance)
    expected = instance.version if version is None else int(version)
    values = dict(changes)
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        values["updated_at"] = timezone.now()
    updated = model._default_manager.filter(pk=instance.pk, version=expected).update(
        version=F("version") + 1, **values)
    if not updated:
        raise stale_version()
    for key, value in values.items():
        setattr(instance, key, value)
    instance.version = expected + 1
