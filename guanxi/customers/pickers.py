"""The customer, contact and user pickers (``guanxi.core.pickers``): customers and contacts by
name, pinyin, initials, phone or e-mail through the search index, scoped to what the user may
see; colleagues by name, login or pinyin."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy

from guanxi.accounts.models import User
from guanxi.accounts.selectors import colleagues, reps_in_scope
from guanxi.core.normalize import fold, has_han, syllables
from guanxi.core.pickers import Choice, PickerKind, by_id, register
from guanxi.customers.models import Contact
from guanxi.customers.search import search as search_index
from guanxi.customers.selectors import find_account, visible_contacts


def search_customers(user: User, q: str, limit: int,
                     params: Mapping[str, str]) -> list[Choice]:
    return [Choice(id=h.id, label=h.name, detail=h.detail or "")
            for h in search_index(user, q, limit=limit, kinds=("account",))]


def search_contacts(user: User, q: str, limit: int,
                    params: Mapping[str, str]) -> list[Choice]:
    account = params.get("account", "")
    hits = search_index(user, q, limit=limit * 4 if account else limit, kinds=("contact",))
    if account.isdigit():
        hits = [h for h in hits if h.account_id == int(account)]
    return [Choice(id=h.id, label=h.name, detail=" · ".join(
        v for v in (h.account_name, h.detail) if v)) for h in hits[:limit]]


def _contact_choice(contact: Contact) -> Choice:
    return Choice(id=contact.pk, label=contact.name, detail=contact.account.name)


def _user_label(user: User) -> str:
    return user.display_name or user.get_full_name() or user.username


def user_matches(user: User, q: str) -> bool:
    """Whether ``q`` starts the colleague's name, a pinyin syllable run or its initials, its
    login or its phone."""
    q = fold(q).replace(" ", "")
    name = _user_label(user)
    words = [fold(name).replace(" ", ""), fold(user.username), fold(user.email)]
    if has_han(name):
        sylls = syllables(name, person=True)
        words += ["".join(sylls[i:]) for i in range(len(sylls))]
        words.append("".join(s[:1] for s in sylls))
        words += [fold(name)[i:] for i in range(1, len(name))]
    else:
        words += [fold(w) for w in name.split()]
    if user.phone and q.isdigit():
        words.append("".join(c for c in user.phone if c.isdigit()))
    return any(w.startswith(q) for w in words if w)


def _users(qs, q: str, limit: int) -> list[Choice]:
    # Colleagues are a few hundred at most: matching pinyin in Python beats an index.
    rows = qs.only("pk", "username", "display_name", "first_name", "last_name",
                                 "email", "phone", "team__name")
    out = [Choice(id=u.pk, label=_user_label(u), detail=str(u.team) if u.team else "")
           for u in rows if user_matches(u, q)]
    return out[:limit]


def search_users(user: User, q: str, limit: int, params: Mapping[str, str]) -> list[Choice]:
    return _users(colleagues(user), q, limit)


def _find_user(user: User, raw: Any, qs=None) -> User | None:
    qs = colleagues(user) if qs is None else qs
    return by_id(qs, raw) or qs.filter(Q(username=raw) | Q(display_name=raw)).first()


CUSTOMER = PickerKind(
    key="customer", label=gettext_lazy("Customer"), search=search_customers,
    find=find_account,
    describe=lambda a: Choice(id=a.pk, label=a.name),
    placeholder=gettext_lazy("Name, pinyin, initials or phone of the customer"))
CONTACT = PickerKind(
    key="contact", label=gettext_lazy("Contact"), search=search_contacts,
    find=lambda user, raw: by_id(visible_contacts(user).select_related("account"), raw),
    describe=_contact_choice,
    placeholder=gettext_lazy("Name, pinyin or phone of the contact"))
USER = PickerKind(
    key="user", label=gettext_lazy("Colleague"), search=search_users, find=_find_user,
    describe=lambda u: Choice(id=u.pk, label=_user_label(u)),
    placeholder=gettext_lazy("Name, pinyin or login of a colleague"))


REP = PickerKind(
    key="rep", label=gettext_lazy("Sales rep"),
    search=lambda user, q, limit, params: _users(
        reps_in_scope(user).select_related("team"), q, limit),
    find=lambda user, raw: _find_user(user, raw, reps_in_scope(user)),
    describe=lambda u: Choice(id=u.pk, label=_user_label(u)),
    placeholder=gettext_lazy("Name, pinyin or login of a colleague"))


def register_own() -> None:
    for kind in (CUSTOMER, CONTACT, USER, REP):
        register(kind)


