"""The records a user opened last, for the Ctrl-K palette, newest first, bounded. Two cheap
sources: views the audit trail records anyway (a customer's page: ``register_audited``, so
that page writes nothing more) and, for the other record pages, the session (written only when
the list changes: reopening the record already on top writes nothing)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest

KEY = "guanxi.recent"
LIMIT = 8


@dataclass(frozen=True)
class Recent:
    kind: str  # "account", "opportunity", "quote", "invoice", "case" …
    id: int
    label: str
    url: str
    at: float = 0.0


# audit action → (kind, url of the record given its id)
_audited: dict[str, tuple[str, Callable[[int], str]]] = {}


def register_audited(action: str, kind: str, url: Callable[[int], str]) -> None:
    """Views logged in the audit trail as ``action`` count as opened records of ``kind``."""
    _audited[action] = (kind, url)


def remember(request: HttpRequest, kind: str, pk: int, label: str, url: str) -> None:
    session = getattr(request, "session", None)
    if session is None:
        return
    items = session.get(KEY) or []
    if items and items[0][:4] == [kind, pk, str(label)[:80], url]:
        return
    entry = [kind, pk, str(label)[:80], url, time.time()]
    session[KEY] = [entry, *[i for i in items if i[:2] != [kind, pk]]][:LIMIT]


def _from_session(request: HttpRequest) -> list[Recent]:
    session = getattr(request, "session", None)
    out = []
    for item in (session.get(KEY) if session is not None else None) or []:
        try:
            out.append(Recent(*item))
        except TypeError:
            continue  # a malformed entry from an older layout
    return out


def _from_audit(request: HttpRequest) -> list[Recent]:
    from guanxi.core.models import AuditEntry

    user = getattr(request, "user", None)
    if not _audited or user is None or not user.is_authenticated:
        return []
    rows = (AuditEntry.objects.filter(actor=user, action__in=list(_audited))
            .order_by("-at", "-id").values_list("action", "object_id", "object_repr", "at")
            [:LIMIT * 3])
    out = []
    for action, object_id, label, at in rows:
        kind, url = _audited[action]
        if str(object_id).isdigit():
            out.append(Recent(kind, int(object_id), label, url(int(object_id)),
                              at.timestamp()))
    return out


def recent(request: HttpRequest) -> list[Recent]:
    seen: set[tuple[str, int]] = set()
    out = []
    for item in sorted(_from_session(request) + _from_audit(request), key=lambda r: -r.at):
        if (item.kind, item.id) not in seen:
            seen.add((item.kind, item.id))
            out.append(item)
    return out[:LIMIT]
