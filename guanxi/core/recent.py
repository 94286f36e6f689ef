"""The records a user opened last, for the Ctrl-K palette: kept in the session (no table, no
query of its own: the session row is written anyway when it changes), newest first, bounded.
Reopening the record already on top writes nothing."""

from __future__ import annotations

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


def remember(request: HttpRequest, kind: str, pk: int, label: str, url: str) -> None:
    session = getattr(request, "session", None)
    if session is None:
        return
    entry = [kind, pk, str(label)[:80], url]
    items = session.get(KEY) or []
    if items and items[0] == entry:
        return
    session[KEY] = [entry, *[i for i in items if i[:2] != [kind, pk]]][:LIMIT]


def recent(request: HttpRequest) -> list[Recent]:
    session = getattr(request, "session", None)
    items = session.get(KEY) if session is not None else None
    out = []
    for item in items or []:
        try:
            out.append(Recent(*item))
        except TypeError:
            continue  # a malformed entry from an older layout
    return out
