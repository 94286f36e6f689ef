"""Demo customers as database rows for the bulk loader: plain tuples, built without the ORM
so worker processes can make them in parallel. Values come out ready for the backend
(``vendor``): strings for SQLite dates, decimals and JSON; native values for PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext_noop

from guanxi.core.normalize import SURNAMES, has_han, syllables
from guanxi.customers import search
from guanxi.customers.models import (
    Account,
    Address,
    Contact,
    SearchToken,
    TimelineEvent,
)
from guanxi.customers.regions import province_code
from guanxi.customers.search import value_tokens
from guanxi.customers.services.common import COMPLETENESS, event_fields
from guanxi.demo import ids
from guanxi.demo.generate import CustomerSpec, customer
from guanxi.demo.names import BUSINESSES
from guanxi.demo.places import CITIES

PHONE = int(SearchToken.Field.PHONE)
_WEIGHT = dict(COMPLETENESS)


@dataclass(frozen=True)
class Context:
    """What a worker needs to know about the database, picklable."""

    vendor: str
    now: dt.datetime
    owners: tuple[tuple[int, int], ...]  # (user id, team id) of the reps
    assistant: tuple[int, int]
    tag_ids: dict[str, int]
    contact_base: int  # contact id = contact_base + 4 n + slot


CREATED = event_fields(gettext_noop("Customer entered"), None, None)
NOTE = event_fields(gettext_noop("Follow-up"), None, None)


def columns(model: type[Model], skip: tuple[str, ...] = ()) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if f.column not in skip]


def defaults(model: type[Model]) -> dict[str, Any]:
    return {f.column: f.get_default() for f in model._meta.concrete_fields}


ACCOUNT_COLUMNS = columns(Account)
CONTACT_COLUMNS = columns(Contact)
ADDRESS_COLUMNS = columns(Address, skip=("id",))
EVENT_COLUMNS = columns(TimelineEvent, skip=("id",))
TOKEN_COLUMNS = ["token", "field", "pos", "account_id", "contact_id"]
TAG_COLUMNS = ["account_id", "tag_id"]
TABLES = {
    Account._meta.db_table: ACCOUNT_COLUMNS,
    Contact._meta.db_table: CONTACT_COLUMNS,
    Address._meta.db_table: ADDRESS_COLUMNS,
    TimelineEvent._meta.db_table: EVENT_COLUMNS,
    SearchToken._meta.db_table: TOKEN_COLUMNS,
    Account.tags.through._meta.db_table: TAG_COLUMNS,
}
_DEFAULTS = {Account: defaults(Account), Contact: defaults(Contact), Address: defaults(Address),
             TimelineEvent: defaults(TimelineEvent)}


def _completeness(spec: CustomerSpec, owner: int | None) -> int:
    d = spec.data
    person = spec.is_person
    contacts = spec.contacts
    present = {
        "name": True, "registration_id": bool(d.get("registration_id")) or person,
        "industry": bool(d.get("industry")) or person, "size": bool(d.get("size")) or person,
        "phone": bool(d.get("phone")), "email": bool(d.get("email")) or
        any(c.get("email") for c in contacts),
        "website": bool(d.get("website")) or person, "address": True, "contact": bool(contacts),
        "contact_reach": any(c.get("mobile") and c.get("email") for c in contacts),
        "owner": owner is not None,
        "attitudes": d.get("attitude_products") is not None, "needs": bool(d.get("needs")),
    }
    return sum(w for k, w in _WEIGHT.items() if present[k])


class Batch:
    """Rows of every table for a range of customers."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.tables: dict[str, list[tuple]] = {t: [] for t in TABLES}
        sqlite = ctx.vendor == "sqlite"
        self._time = (lambda t: t.replace(tzinfo=None).isoformat(" ")) if sqlite else (
            lambda t: t)
        self._date = (lambda d: d.isoformat()) if sqlite else (lambda d: d)
        self._json = json.dumps
        self._bool = int if sqlite else bool

    def _row(self, model: type[Model], cols: list[str], values: dict[str, Any]) -> tuple:
        base = _DEFAULTS[model]
        return tuple(values[c] if c in values else base[c] for c in cols)

    def add(self, n: int) -> None:
        ctx, spec = self.ctx, customer(n)
        account_id = n + 1
        owner, team = ctx.owners[int(spec.owner_pick * len(ctx.owners))]
        created_by = owner
        if spec.pending:
            created_by, team = ctx.assistant
        if spec.in_pool:
            owner = None
        created = ctx.now - spec.age
        follow_up = ctx.now - spec.follow_up_age
        d = spec.data
        values = {k: v for k, v in d.items() if k in ACCOUNT_COLUMNS}
        values.update({
            "id": account_id, "name_key": _key(d["name"]), "owner_id": owner, "team_id": team,
            "created_by_id": created_by, "approval": "pending" if spec.pending else "approved",
            "in_pool": self._bool(spec.in_pool), "claimed_from_pool": self._bool(False),
            "is_active": self._bool(True),
            "pool_since": self._time(follow_up) if spec.in_pool else None,
            "last_follow_up_at": self._time(follow_up), "created_at": self._time(created),
            "updated_at": self._time(follow_up), "custom": self._json(spec.custom),
            "completeness": _completeness(spec, owner),
            "discount_rate": str(values.get("discount_rate", "0")),
            "credit_limit": str(values.get("credit_limit", "0")),
        })
        for key in ("registration_id",):
            values.setdefault(key, None)
        t = self.tables
        t[Account._meta.db_table].append(self._row(Account, ACCOUNT_COLUMNS, values))
        tokens = t[SearchToken._meta.db_table]
        for token, field, pos in _tokens(name=d["name"], name_en=d.get("name_en", ""),
                                         person=spec.is_person, phones=[d.get("phone", "")],
                                         email=d.get("email", ""),
                                         registration_id=(d.get("registration_id") or "").lower()):
            tokens.append((token, field, pos, account_id, None))
        first_contact = None
        for slot, c in enumerate(spec.contacts):
            contact_id = ctx.contact_base + 4 * n + slot
            first_contact = first_contact or contact_id
            row = dict(c, id=contact_id, account_id=account_id, is_active=self._bool(True),
                       is_primary=self._bool(slot == 0), custom="{}",
                       created_at=self._time(created), updated_at=self._time(created))
            if "birthday" in row:
                row["birthday"] = self._date(row["birthday"])
            t[Contact._meta.db_table].append(self._row(Contact, CONTACT_COLUMNS, row))
            for token, field, pos in _tokens(name=c["name"], name_en=c.get("name_en", ""),
                                             person=True, email=c.get("email", ""),
                                             phones=[c.get("phone", ""), c.get("mobile", "")]):
                tokens.append((token, field, pos, account_id, contact_id))
        a = dict(spec.address, account_id=account_id, is_primary=self._bool(True))
        if a["country"] == "CN":
            a["province_code"] = province_code(a["province"])
        t[Address._meta.db_table].append(self._row(Address, ADDRESS_COLUMNS, a))
        events = t[TimelineEvent._meta.db_table]
        events.append(self._row(TimelineEvent, EVENT_COLUMNS, {
            "account_id": account_id, "kind": "customers.created", "title": CREATED["title"],
            "actor_id": created_by, "at": self._time(created),
            "data": self._json({**CREATED["data"], "pending": spec.pending})}))
        for note in spec.notes:
            events.append(self._row(TimelineEvent, EVENT_COLUMNS, {
                "account_id": account_id, "kind": "customers.note", "title": NOTE["title"],
                "body": note, "actor_id": owner or created_by, "contact_id": first_contact,
                "at": self._time(follow_up), "data": self._json(NOTE["data"])}))
        tags = t[Account.tags.through._meta.db_table]
        for tag in spec.tags:
            tags.append((account_id, ctx.tag_ids[tag]))


def _key(name: str) -> str:
    from guanxi.core.normalize import normalize_name

    return normalize_name(name)


def _tokens(*, phones: list[str], **kw: Any) -> list[tuple[str, int, int]]:
    """``search.value_tokens`` with the phones' national digits taken from the demo's own
    numbers (parsing a million phone numbers again would double the load time)."""
    out = [(t, int(f), p) for t, f, p in value_tokens(**kw)]
    seen = {t for t, f, _p in out if f == PHONE}
    for phone in phones:
        digits = ids.national_digits(phone) if phone else ""
        if digits and digits not in seen:
            seen.add(digits)
            out.append((digits, PHONE, 0))
    return out


def make_batch(ctx: Context, start: int, stop: int) -> dict[str, list[tuple]]:
    batch = Batch(ctx)
    original = search.syllables
    search.syllables = _composed_syllables
    try:
        for n in range(start, stop):
            batch.add(n)
    finally:
        search.syllables = original
    return batch.tables


@lru_cache(maxsize=100_000)
def _part(text: str) -> tuple[str, ...]:
    return syllables(text)


def _composed_syllables(text: str, person: bool = False) -> tuple[str, ...]:
    """``normalize.syllables`` for demo names, built from the readings of their parts (city,
    字号, business; surname, given name), which repeat, instead of converting a million unique
    names whole. The parts never form a phrase across their boundary in the demo's word
    lists, so the readings are the same (checked in the tests)."""
    parts = _split(text, person)
    if parts is None:
        return syllables(text, person)
    head, rest = parts
    return head + tuple(s for part in rest for s in _part(part))


def _split(text: str, person: bool) -> tuple[tuple[str, ...], list[str]] | None:
    if person:
        for length in (2, 1):
            if text[:length] in SURNAMES and len(text) > length:
                return SURNAMES[text[:length]], [text[length:]]
        return ((), [text[:1], text[1:]]) if len(text) > 1 and has_han(text[:1]) else None
    for city in _CITY_PREFIXES.get(text[:2], ()):
        if text.startswith(city):
            tail = text[len(city):]
            business = _BUSINESS_SUFFIXES.get(tail[2:])
            if business and len(tail) > 2:
                return (), [city, tail[:2], business]
    return None


_CITY_PREFIXES: dict[str, list[str]] = {}
for _city in CITIES:
    _CITY_PREFIXES.setdefault(_city.short[:2], []).append(_city.short)
_BUSINESS_SUFFIXES = {b[0]: b[0] for b in BUSINESSES}
