"""The customer timeline's kinds and how domain events become its entries.

Each app describes its own facts in ``AppConfig.ready``:

* ``register_kind(key, icon, label)``: an entry kind ("orders.quote") with its Bootstrap icon;
* ``@renders(event_type)``: a function that turns one domain event ("orders.quote.sent") into
  the entries it adds to a customer's timeline (an ``Entry``, several, or none).

Services only audit (``core.audit.log`` publishes the event); ``write``, subscribed in the
transaction by the customers app, stores what the renderers return, so an entry commits or
rolls back with the change it tells about. Titles are untranslated messages with their
parameters (``event_fields``), so each reader sees them in their own language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.utils.functional import Promise

from guanxi.core.events import Event


@dataclass(frozen=True)
class Kind:
    key: str
    icon: str
    label: str | Promise = ""


_UNSET: Any = object()


@dataclass
class Entry:
    """One timeline row to write. ``title`` is an untranslated message (gettext_noop) with
    ``params``; a parameter may be a lazy label or ``{"en": …, "zh": …}`` (see
    ``event_fields``). ``actor`` and ``at`` default to the event's."""

    account_id: int
    kind: str
    title: str
    params: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    contact_id: int | None = None
    actor_id: int | None = _UNSET
    at: dt.datetime | None = None


Rendered = Entry | Iterable[Entry] | None
Renderer = Callable[[Event], Rendered]

_kinds: dict[str, Kind] = {}
_renderers: dict[str, list[Renderer]] = {}


def register_kind(key: str, icon: str, label: str | Promise = "") -> Kind:
    kind = Kind(key, icon, label)
    _kinds[key] = kind
    return kind


def unregister_kind(key: str) -> None:
    _kinds.pop(key, None)


def renders(event_type: str) -> Callable[[Renderer], Renderer]:
    """Register the decorated function as a renderer of ``event_type`` (once)."""
    def decorator(fn: Renderer) -> Renderer:
        found = _renderers.setdefault(event_type, [])
        if all(f.__qualname__ != fn.__qualname__ or f.__module__ != fn.__module__
               for f in found):
            found.append(fn)
        return fn
    return decorator


def unregister_renderers(event_type: str) -> None:
    _renderers.pop(event_type, None)


def kind_of(key: str) -> Kind | None:
    """The registered kind of an entry; "orders.quote_sent" falls back to "orders.quote" and
    "sales.lead.converted" to "sales.lead", so older and finer kinds keep their area's icon."""
    if key in _kinds:
        return _kinds[key]
    for cut in ("_", "."):
        head = key.rsplit(cut, 1)[0] if cut == "." else key.split(cut, 1)[0]
        if head != key and head in _kinds:
            return _kinds[head]
    return None


def icon(key: str) -> str:
    kind = kind_of(key)
    return kind.icon if kind else "dot"


def subject(event: Event) -> Any:
    """The object the event is about: as the writer held it, else read again."""
    if event.subject is not None:
        return event.subject
    model = apps.get_model(event.object_type)
    return model._default_manager.filter(pk=event.object_id).first()


def write(event: Event) -> None:
    """The customers app's in-transaction subscriber: store what the renderers make of it."""
    renderers = _renderers.get(event.type)
    if not renderers:
        return
    from guanxi.customers.models import TimelineEvent
    from guanxi.customers.services.common import event_fields

    for renderer in renderers:
        result = renderer(event)
        if result is None:
            continue
        for entry in [result] if isinstance(result, Entry) else result:
            actor_id = event.actor_id if entry.actor_id is _UNSET else entry.actor_id
            TimelineEvent.objects.create(
                account_id=entry.account_id, kind=entry.kind, body=entry.body,
                **event_fields(entry.title, entry.params, entry.data),
                actor_id=actor_id, contact_id=entry.contact_id, at=entry.at or event.at)
