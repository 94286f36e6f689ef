"""The audit trail in words: the record's kind and name (with a link when it still exists),
each changed field by its label, choice values by their labels, related records by their
names, dates and amounts formatted for the reader. Entries store raw values (codes, ids, ISO
dates); this module turns a page of them into what a person reads, in the reader's language,
with one query per related model rather than one per cell."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from guanxi.core import events

# Verbs of action codes (``customers.account.updated``) no registered event type names.
VERBS = {
    "created": _("created"), "updated": _("updated"), "deleted": _("deleted"),
    "viewed": _("viewed"), "exported": _("exported"), "downloaded": _("downloaded"),
    "status_changed": _("status changed"), "assigned": _("assigned"),
    "submitted": _("submitted"), "withdrawn": _("withdrawn"), "cancelled": _("cancelled"),
    "approved": _("approved"), "rejected": _("rejected"), "deactivated": _("deactivated"),
    "reactivated": _("reactivated"), "merged": _("merged"), "renamed": _("renamed"),
    "moved": _("moved"), "reset": _("reset"), "revoked": _("revoked"), "sent": _("sent"),
    "signed": _("signed"), "invited": _("invited"), "roles_changed": _("roles changed"),
    "team_changed": _("team changed"), "stage_changed": _("stage changed"),
    "login_failed": _("sign-in refused"),
}


# object type ("customers.account") → the URL name of its page, taking the record's pk. Apps
# register their records from AppConfig.ready(), so core names none of them.
PAGES: dict[str, str] = {}


def register_pages(pages: dict[str, str]) -> None:
    PAGES.update(pages)


def page_url(object_type: str, object_id: str) -> str:
    name = PAGES.get(object_type)
    if not name or not object_id:
        return ""
    try:
        return reverse(name, args=[object_id])
    except NoReverseMatch:
        return ""


@dataclass
class Change:
    label: str
    old: str | None  # None: the field had no value before (a creation)
    new: str


@dataclass
class ShownEntry:
    entry: Any
    kind: str  # the model's name: "customer", "opportunity"
    action: str
    url: str = ""
    changes: list[Change] = field(default_factory=list)
    notes: list[Change] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:  # at, actor, object_repr … of the entry
        return getattr(self.entry, name)


def model_of(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def action_label(action: str) -> str:
    if events.is_event_type(action):
        return events.event_label(action)
    verb = action.rsplit(".", 1)[-1]
    return str(VERBS.get(verb, verb.replace("_", " ")))


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    meta = model._meta
    for candidate in (name, name.removesuffix("_id")):
        try:
            found = meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
        if isinstance(found, models.Field):
            return found
    return None


def _label(model: type[models.Model] | None, name: str) -> str:
    found = _field(model, name)
    if found is not None:
        return str(capfirst(found.verbose_name))
    if name.startswith("custom."):
        name = name.removeprefix("custom.")
    return capfirst(name.replace("_", " "))


def _is_ref(found: models.Field | None) -> bool:
    return isinstance(found, models.ForeignKey | models.OneToOneField)


def _text(found: models.Field | None, raw: Any, names: dict[tuple[Any, str], str]) -> str:
    if raw is None or raw == "" or raw == []:
        return "—"
    if isinstance(raw, list):
        return ", ".join(_text(found, item, names) for item in raw)
    if found is None:
        return str(raw)
    if found.choices:
        return str(dict(found.flatchoices).get(raw, raw))
    if _is_ref(found):
        return names.get((found.related_model, str(raw)), f"#{raw}")
    if isinstance(found, models.BooleanField):
        return str(_("yes") if raw else _("no"))
    if isinstance(found, models.DateTimeField):
        moment = parse_datetime(str(raw))
        if moment is not None:
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
    elif isinstance(found, models.DateField):
        day = parse_date(str(raw)[:10])
        if day is not None:
            return formats.date_format(day, "SHORT_DATE_FORMAT")
    elif isinstance(found, models.DecimalField | models.IntegerField | models.FloatField):
        try:
            number = Decimal(str(raw))
        except InvalidOperation:
            return str(raw)
        exponent = number.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        return formats.number_format(number, places, use_l10n=True, force_grouping=True)
    if isinstance(raw, dt.date):
        return formats.date_format(raw, "SHORT_DATE_FORMAT")
    return str(raw)


def _related_names(wanted: dict[Any, set[str]]) -> dict[tuple[Any, str], str]:
    names: dict[tuple[Any, str], str] = {}
    for model, keys in wanted.items():
        ids = [k for k in keys if k]
        try:
            rows = model._base_manager.in_bulk(ids)
        except (ValueError, TypeError):
            continue
        for pk, row in rows.items():
            names[(model, str(pk))] = str(row)
        # Some changes name a related row by its key (a pipeline stage: "proposal").
        keys = [k for k in ids if not k.isdigit()]
        if keys and any(f.name == "key" for f in model._meta.get_fields()):
            for row in model._base_manager.filter(key__in=keys):
                names.setdefault((model, str(row.key)), str(row))
    return names


def show(entries: Iterable[Any]) -> list[ShownEntry]:
    """A page of ``AuditEntry`` rows ready to read (see the module's docstring)."""
    entries = list(entries)
    wanted: dict[Any, set[str]] = defaultdict(set)
    by_type: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        model = model_of(entry.object_type)
        if model is not None:
            by_type[entry.object_type].add(entry.object_id)
        values = [(name, pair if isinstance(pair, list | tuple) else [pair])
                  for name, pair in (entry.changes or {}).items()]
        values += [(name, [value]) for name, value in (entry.data or {}).items()]
        for name, raws in values:
            found = _field(model, name)
            if found is not None and _is_ref(found):
                for raw in raws:
                    for item in raw if isinstance(raw, list) else [raw]:
                        if item not in (None, "") and not isinstance(item, dict):
                            wanted[found.related_model].add(str(item))
    names = _related_names(wanted)
    links: dict[tuple[str, str], str] = {}
    for object_type, ids in by_type.items():
        model = model_of(object_type)
        if model is None or object_type not in PAGES:
            continue
        try:  # only records that still exist get a link
            existing = model._base_manager.filter(pk__in=[i for i in ids if i]) \
                .values_list("pk", flat=True)
            for pk in existing:
                links[(object_type, str(pk))] = page_url(object_type, str(pk))
        except (ValueError, TypeError):
            continue
    shown = []
    for entry in entries:
        model = model_of(entry.object_type)
        kind = str(capfirst(model._meta.verbose_name)) if model is not None \
            else entry.object_type
        item = ShownEntry(entry, kind, action_label(entry.action),
                          links.get((entry.object_type, entry.object_id), ""))
        for name, pair in (entry.changes or {}).items():
            found = _field(model, name)
            old, new = (pair if isinstance(pair, list | tuple) and len(pair) == 2
                        else (None, pair))
            item.changes.append(Change(_label(model, name),
                                       None if old is None else _text(found, old, names),
                                       _text(found, new, names)))
        for name, value in (entry.data or {}).items():
            if value not in (None, "", [], {}):
                found = _field(model, name)
                item.notes.append(Change(_label(model, name), None,
                                         _text(found, value, names)))
        shown.append(item)
    return shown
