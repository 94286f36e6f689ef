"""Customer and contact search by name, pinyin, initials, phone, e-mail and registration id.

Every searchable value is cut into tokens stored in ``SearchToken``: the compact value from
each starting point (each character of a Chinese name, each word of a Latin name, each pinyin
syllable), plus initials, phone digits, e-mail and registration id from the start. A query is
then one prefix *range* scan on a B-tree index (``token >= q AND token < q + U+10FFFF``), which
serves 1- and 2-character Chinese queries as fast as long ones — unlike trigram indexes — and
works the same on SQLite and PostgreSQL (where the column uses the "C" collation).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction

from guanxi.accounts.models import User
from guanxi.core.normalize import (
    fold,
    has_han,
    national_digits,
    normalize_name,
    phone_digits_for_search,
    strip_legal_form,
    syllables,
)
from guanxi.customers.models import Account, Contact, SearchToken
from guanxi.customers.selectors import account_scope

F = SearchToken.Field
TOKEN_LEN = 32
TOP = chr(0x10FFFF)
_SPLIT_RE = re.compile(r"[\W_]+", re.UNICODE)
_PHONE_QUERY_RE = re.compile(r"^[+\d][\d\s\-()./]{2,}$")
_USCC_RE = re.compile(r"^[0-9a-z]{18}$")
_EMAIL_START_RE = re.compile(r"^[\w.+-]+$", re.ASCII)


def compact(text: str) -> str:
    return _SPLIT_RE.sub("", fold(text))


def _name_tokens(name: str, person: bool) -> Iterator[tuple[str, int, int]]:
    """(token, field, pos) for one name. Starting points lie inside the distinctive part of the
    name (legal forms such as 有限公司 are not starting points, but stay searchable as the
    tail of a longer token)."""
    if not name:
        return
    full = compact(name)
    key = normalize_name(name)
    if has_han(name):
        for i in range(max(len(key), 1)):
            yield full[i:i + TOKEN_LEN], F.NAME, i
        sylls = syllables(name if person else key, person)
        for i in range(len(sylls)):
            yield "".join(sylls[i:])[:TOKEN_LEN], F.PINYIN, i
        if len(sylls) > 1:
            yield "".join(s[0] for s in sylls)[:TOKEN_LEN], F.INITIALS, 0
    else:
        words = [w for w in _SPLIT_RE.split(fold(name)) if w]
        key_words = max(1, len([w for w in _SPLIT_RE.split(strip_legal_form(name)) if w]))
        for i in range(min(len(words), key_words)):
            yield "".join(words[i:])[:TOKEN_LEN], F.NAME, i
        if len(words) > 1:
            yield "".join(w[0] for w in words[:key_words]), F.INITIALS, 0


def value_tokens(*, name: str = "", name_en: str = "", person: bool = False,
                 phones: Iterable[str] = (), email: str = "", registration_id: str = "",
                 ) -> list[tuple[str, int, int]]:
    out: dict[tuple[str, int], int] = {}
    for token, field, pos in (*_name_tokens(name, person), *_name_tokens(name_en, person)):
        if token and (token, field) not in out:
            out[(token, field)] = pos
    for phone in phones:
        if phone:
            out.setdefault((national_digits(phone), F.PHONE), 0)
    if email:
        out.setdefault((email.lower()[:TOKEN_LEN], F.EMAIL), 0)
    if registration_id:
        out.setdefault((registration_id.lower(), F.REGISTRATION), 0)
    return [(token, field, pos) for (token, field), pos in out.items()]


def account_tokens(account: Account) -> list[tuple[str, int, int]]:
    return value_tokens(
        name=account.name, name_en=account.name_en,
        person=account.kind == Account.Kind.PERSON, phones=[account.phone],
        email=account.email, registration_id=account.registration_id or "",
    )


def contact_tokens(contact: Contact) -> list[tuple[str, int, int]]:
    return value_tokens(name=contact.name, name_en=contact.name_en, person=True,
                        phones=[contact.phone, contact.mobile], email=contact.email)


def custom_tokens(custom: dict, keys: Iterable[str]) -> list[tuple[str, int, int]]:
    """Tokens of the free-text custom field values (choices and numbers are filters, not
    search terms: a one-letter grade would match every customer)."""
    out: dict[str, int] = {}
    for key in keys:
        value = custom.get(key)
        if isinstance(value, str) and value.strip():
            for token, _field, pos in _name_tokens(value, person=False):
                if token:
                    out.setdefault(token, pos)
    return [(token, F.CUSTOM, pos) for token, pos in out.items()]


def text_custom_keys() -> dict[str, list[str]]:
    from guanxi.core.models import CustomFieldDefinition

    keys: dict[str, list[str]] = {"customers.account": [], "customers.contact": []}
    for target, key in CustomFieldDefinition.objects.filter(
            active=True, type=CustomFieldDefinition.Type.TEXT).values_list("target", "key"):
        keys.setdefault(target, []).append(key)
    return keys


def reindex_accounts(account_ids: Iterable[int]) -> None:
    """Rebuild the tokens of these customers and their contacts (inactive ones get none)."""
    ids = list(account_ids)
    custom_keys = text_custom_keys()
    with transaction.atomic():
        SearchToken.objects.filter(account_id__in=ids).delete()
        rows: list[SearchToken] = []
        for account in Account.objects.filter(pk__in=ids, is_active=True):
            tokens = account_tokens(account)
            tokens += custom_tokens(account.custom, custom_keys["customers.account"])
            rows += [SearchToken(token=t, field=f, pos=p, account_id=account.pk)
                     for t, f, p in tokens]
        for contact in Contact.objects.filter(account_id__in=ids, is_active=True,
                                              account__is_active=True):
            tokens = contact_tokens(contact)
            tokens += custom_tokens(contact.custom, custom_keys["customers.contact"])
            rows += [SearchToken(token=t, field=f, pos=p, account_id=contact.account_id,
                                 contact_id=contact.pk)
                     for t, f, p in tokens]
        SearchToken.objects.bulk_create(rows, batch_size=2000)


@dataclass
class Hit:
    kind: str  # "account" or "contact"
    id: int
    account_id: int
    field: str
    score: int
    name: str = ""
    account_name: str = ""
    detail: str = ""


def parse_query(q: str) -> list[str]:
    """The token prefixes a query stands for (several when it could be read several ways)."""
    text = fold(q)
    if not text:
        return []
    if "@" in text:
        return [text.replace(" ", "")[:TOKEN_LEN]]
    prefixes = []
    if _PHONE_QUERY_RE.match(text) and sum(c.isdigit() for c in text) >= 3:
        prefixes.append(phone_digits_for_search(text))
    c = compact(text)
    if c and c not in prefixes:
        prefixes.append(c[:TOKEN_LEN])
    if _EMAIL_START_RE.match(text) and text != c:
        prefixes.append(text[:TOKEN_LEN])  # the start of an e-mail address: "zhang.san"
    return prefixes


FIELD_NAMES = {F.NAME: "name", F.PINYIN: "pinyin", F.INITIALS: "initials", F.PHONE: "phone",
               F.EMAIL: "email", F.REGISTRATION: "registration_id", F.CUSTOM: "custom"}


def _score(token: str, prefix: str, field: int, pos: int) -> int:
    exact = token == prefix
    if field in (F.PHONE, F.EMAIL, F.REGISTRATION):
        return 120 if exact else 90
    base = 100 if exact else 80
    if field == F.INITIALS:
        base -= 5
    if pos:
        base = 60 - min(pos, 20)
    if field == F.CUSTOM:
        base -= 30  # a note in a custom field ranks below names
    return base


def search(user: User, q: str, limit: int = 20, kinds: tuple[str, ...] = ("account", "contact"),
           candidates: int | None = None) -> list[Hit]:
    """Ranked customers and contacts visible to ``user`` that match ``q``.

    Candidates come in token order — exact matches first, then longer tokens — so a few times
    ``limit`` of them is enough to rank; reading fewer keeps scoped searches of one or two
    characters fast, where most index entries belong to customers the user cannot see."""
    candidates = candidates or max(limit * 4, 40)
    best: dict[tuple[str, int], Hit] = {}
    scope = account_scope(user, "account__")
    for prefix in parse_query(q):
        qs = SearchToken.objects.filter(token__gte=prefix, token__lt=prefix + TOP)
        if "contact" not in kinds:
            qs = qs.filter(contact__isnull=True)
        if "account" not in kinds:
            qs = qs.filter(contact__isnull=False)
        if scope is not None:
            qs = qs.filter(scope)
        rows = qs.order_by("token").values_list(
            "token", "field", "pos", "account_id", "contact_id")[:candidates]
        for token, field, pos, account_id, contact_id in rows:
            key = ("contact", contact_id) if contact_id else ("account", account_id)
            score = _score(token, prefix, field, pos)
            hit = best.get(key)
            if hit is None or score > hit.score:
                best[key] = Hit(kind=key[0], id=key[1], account_id=account_id,
                                field=FIELD_NAMES[field], score=score)
    hits = sorted(best.values(), key=lambda h: (-h.score, h.kind != "account", h.id))[:limit]
    _describe(hits)
    return hits


def _describe(hits: list[Hit]) -> None:
    accounts = Account.objects.in_bulk([h.account_id for h in hits])
    contacts = Contact.objects.in_bulk([h.id for h in hits if h.kind == "contact"])
    for hit in hits:
        account = accounts.get(hit.account_id)
        hit.account_name = account.name if account else ""
        if hit.kind == "contact" and (contact := contacts.get(hit.id)):
            hit.name = contact.name
            hit.detail = contact.title or contact.mobile or contact.email
        elif account:
            hit.name = account.name
            hit.detail = account.get_industry_display() or account.phone


def customer_ids(q: str, limit: int = 20) -> list[int]:
    """Ids of customers whose name, pinyin, initials or phone starts with ``q``, best first,
    whoever may see them: for finding *other* records (documents, cases) by their customer,
    which the caller then scopes by its own visibility rule, so nothing leaks from here."""
    best: dict[int, int] = {}
    for prefix in parse_query(q):
        rows = (SearchToken.objects.filter(token__gte=prefix, token__lt=prefix + TOP,
                                           contact__isnull=True,
                                           field__in=(F.NAME, F.PINYIN, F.INITIALS, F.PHONE))
                .order_by("token").values_list("token", "field", "pos", "account_id")
                [:limit * 4])
        for token, field, pos, account_id in rows:
            score = _score(token, prefix, field, pos)
            if score > best.get(account_id, -1):
                best[account_id] = score
    return sorted(best, key=lambda a: (-best[a], a))[:limit]
