"""The one approvals inbox: everything that waits for a user's decision, whichever app owns it.

Core renders the inbox (page and ``/api/approvals``) and never names the apps that fill it:
each app registers a ``Provider`` from its ``AppConfig.ready()`` that lists the items waiting
for a user (through its own scoped selectors) and decides one (through its own service, which
checks its own permission function and the record's state).

An item is addressed by its ``ref``, ``"<kind>:<id>"`` (``"discount:12"``, ``"customer:7"``),
so forms, the API and links name an item without knowing which app holds it.

Bulk approve takes only items whose ``needs_comment`` is false: routine decisions whose row
shows all there is to judge (a quote discount, an expense, a support request, a new customer).
Contracts, custom orders and terms changes are decided one by one, with a word if needed.

    register(Provider(name="sales.support", kinds={"support": _("Support request")}, order=70,
                      waiting=support_items, count=support_count, decide=decide_support))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.core.errors import Conflict, DomainError, FieldErrors, NotFound

APPROVE, REJECT, RETURN = "approve", "reject", "return"
DECISIONS = (APPROVE, REJECT, RETURN)
BULK_LIMIT = 100


@dataclass(frozen=True)
class Figure:
    """One labelled figure of an item. ``kind`` says how the reader's language shows
    ``value``: "money" (grouped, with ``currency``), "percent", "points" (percentage points,
    signed), "text"."""
    label: Any
    value: Any
    kind: str = "text"
    currency: str = ""
    warn: bool = False


@dataclass
class Item:
    kind: str
    id: int
    title: str
    url: str
    version: int | None
    since: dt.datetime | None = None
    account: str = ""
    submitted_by: str = ""
    step: str = ""                     # which step of the approval waits ("Finance", …)
    note: str = ""                     # the requester's reason
    figures: list[Figure] = field(default_factory=list)
    needs_comment: bool = True         # False: bulk approve may take it
    can_return: bool = False           # "return for changes" is a decision here
    overdue: bool = False
    kind_label: str = ""

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.id}"


Waiting = Callable[[Any], list[Item]]
Count = Callable[[Any], int]
# decide(user, kind, id, decision, comment, version): raises NotFound when the user cannot
# see the record, Forbidden when it is not theirs to decide, Conflict when already decided.
Decide = Callable[[Any, str, int, str, str, int | None], None]


@dataclass(frozen=True)
class Provider:
    name: str
    kinds: dict[str, Any]              # kind → its label (lazy), in the order shown
    waiting: Waiting
    count: Count
    decide: Decide
    order: int = 100
    group: Any = ""                    # a filter chip grouping its kinds ("Customers", …)


_providers: dict[str, Provider] = {}


def register(provider: Provider) -> Provider:
    """Add ``provider`` (or replace the one of the same name: ``ready()`` may run twice)."""
    _providers[provider.name] = provider
    return provider


def unregister(name: str) -> None:
    _providers.pop(name, None)


@contextmanager
def added(provider: Provider) -> Iterator[Provider]:
    previous = _providers.get(provider.name)
    register(provider)
    try:
        yield provider
    finally:
        if previous is None:
            unregister(provider.name)
        else:
            _providers[provider.name] = previous


def providers() -> list[Provider]:
    return sorted(_providers.values(), key=lambda p: (p.order, p.name))


def kinds() -> dict[str, Any]:
    """Every registered kind with its label, in inbox order."""
    out: dict[str, Any] = {}
    for provider in providers():
        out.update(provider.kinds)
    return out


def _provider_of(kind: str) -> Provider:
    for provider in providers():
        if kind in provider.kinds:
            return provider
    raise NotFound()


def parse_ref(ref: str) -> tuple[str, int]:
    kind, _sep, pk = (ref or "").partition(":")
    if not kind or not pk.isdigit():
        raise FieldErrors({"ref": [_("Not an approval item: %(ref)s") % {"ref": ref}]})
    return kind, int(pk)


def waiting(user: Any, only: set[str] | frozenset[str] | None = None) -> list[Item]:
    """The items waiting for ``user``: overdue first, then longest waiting."""
    labels = kinds()
    items: list[Item] = []
    for provider in providers():
        if only and not only.intersection(provider.kinds):
            continue
        for item in provider.waiting(user):
            if only and item.kind not in only:
                continue
            item.kind_label = str(labels.get(item.kind, item.kind))
            items.append(item)
    far_past = dt.datetime.min.replace(tzinfo=dt.UTC)
    items.sort(key=lambda i: (not i.overdue, i.since or far_past, i.kind, i.id))
    return items


def count(user: Any) -> int:
    """How many items wait for ``user`` (the navigation badge, the home tile)."""
    return sum(provider.count(user) for provider in providers())


def counts_by_kind(items: list[Item]) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        out[item.kind] = out.get(item.kind, 0) + 1
    return out


def decide(user: Any, ref: str, decision: str, comment: str = "",
           version: int | None = None) -> None:
    """Decide one item through the app that owns it (its permission function and record state
    rule: deciding a decided item is a Conflict)."""
    if decision not in DECISIONS:
        raise FieldErrors({"decision": [_("Choose approve, reject or return.")]})
    kind, pk = parse_ref(ref)
    provider = _provider_of(kind)
    if decision == RETURN and kind not in _returnable(provider, user, kind, pk):
        raise FieldErrors({"decision": [_("This item can only be approved or rejected.")]})
    with transaction.atomic():
        provider.decide(user, kind, pk, decision, (comment or "").strip(), version)


def _returnable(provider: Provider, user: Any, kind: str, pk: int) -> set[str]:
    return {i.kind for i in provider.waiting(user) if i.kind == kind and i.id == pk
            and i.can_return}


@dataclass
class Outcome:
    ref: str
    ok: bool
    message: str = ""


def bulk_approve(user: Any, refs: list[str]) -> list[Outcome]:
    """Approve each of ``refs`` (``kind:id`` or ``kind:id:version``) that waits for ``user``
    and needs no comment; each in its own transaction, so one conflict leaves the others
    approved."""
    if len(refs) > BULK_LIMIT:
        raise FieldErrors({"items": [_("At most %(n)s items at once.") % {"n": BULK_LIMIT}]})
    mine = {item.ref: item for item in waiting(user)}
    out: list[Outcome] = []
    for raw in refs:
        kind, _sep, rest = raw.partition(":")
        pk, _sep, version_text = rest.partition(":")
        ref = f"{kind}:{pk}"
        item = mine.get(ref)
        if item is None:
            out.append(Outcome(ref, False, _("It no longer waits for your decision.")))
            continue
        if item.needs_comment:
            out.append(Outcome(ref, False, _("Decide it in its row: it needs a look.")))
            continue
        version = int(version_text) if version_text.isdigit() else item.version
        try:
            decide(user, ref, APPROVE, "", version)
        except DomainError as exc:
            out.append(Outcome(ref, False, exc.message))
        else:
            out.append(Outcome(ref, True))
    return out


def already_decided() -> Conflict:
    return Conflict(_("This item has already been decided."), code="already_decided")

