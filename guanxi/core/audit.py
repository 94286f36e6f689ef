"""Writing the audit trail: one call per change, from services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Model

from guanxi.core import events
from guanxi.core.models import AuditEntry


def jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value differs."""
    return {
        key: [jsonable(before.get(key)), jsonable(value)]
        for key, value in after.items()
        if jsonable(before.get(key)) != jsonable(value)
    }


def log(actor: Any, action: str, obj: Model, changes: dict | None = None,
        data: dict | None = None) -> AuditEntry:
    meta = obj._meta
    entry = AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=f"{meta.app_label}.{meta.model_name}",
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=changes or {},
        data=jsonable(data or {}),
    )
    events.publish(action, obj, entry.actor, entry.changes, entry.data)
    return entry


def record(action: str, object_type: str, object_id: str, object_repr: str,
           actor: Any = None, data: dict | None = None) -> AuditEntry:
    """An audit line about something that changed no record (a refused sign-in, say): it
    publishes no event."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None, action=action,
        object_type=object_type, object_id=object_id, object_repr=object_repr[:200],
        data=jsonable(data or {}))


def history(obj: Model, limit: int = 100):
    meta = obj._meta
    return (AuditEntry.objects.filter(object_type=f"{meta.app_label}.{meta.model_name}",
                                      object_id=str(obj.pk))
            .select_related("actor")[:limit])
