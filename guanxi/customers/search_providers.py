"""Global search providers: the Ctrl-K box, the search page and ``/api/search`` ask every
registered provider, in order, and show each one's hits as a group. Customers searches its own
records (customers and contacts); higher apps register theirs from ``AppConfig.ready()``:

    from guanxi.customers.search_providers import SearchProvider, register

    register(SearchProvider(
        name="orders.documents", kinds=("document",), search=find_documents, order=20,
        label=gettext_lazy("Quotes, contracts, orders and invoices"),
        dropdown_template="orders/search/_dropdown.html",
        page_template="orders/search/_page.html"))

``search(user, q, limit, kinds)`` returns ``SearchHit`` rows the user may see (``kinds`` is the
part of the provider's ``kinds`` the caller asked for). The templates get ``hits`` and
``provider``; the label of a hit's kind, its icon and its columns are the provider's business.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy

from guanxi.accounts.models import User
from guanxi.customers.search import search as search_index


@dataclass
class SearchHit:
    kind: str  # the provider's kind: "account", "contact", "opportunity", "document" …
    id: int
    name: str
    detail: str
    url: str
    field: str  # what matched: "name", "pinyin", "phone", "number" …
    account_id: int = 0
    account_name: str = ""
    score: int = 0


@dataclass(frozen=True)
class SearchProvider:
    name: str  # "<app>.<what>", unique
    kinds: tuple[str, ...]  # the values of ``/api/search?kind=`` it answers
    search: Callable[[User, str, int, tuple[str, ...]], list[Any]]
    label: Any  # the group's heading (lazy, translated when shown)
    dropdown_template: str
    page_template: str
    order: int = 100
    dropdown_limit: int = 5
    page_limit: int = 25


@dataclass(frozen=True)
class Results:
    provider: SearchProvider
    hits: list[Any]

    @property
    def dropdown_template(self) -> str:
        return self.provider.dropdown_template

    @property
    def page_template(self) -> str:
        return self.provider.page_template


_providers: dict[str, SearchProvider] = {}


def register(provider: SearchProvider) -> SearchProvider:
    _providers[provider.name] = provider
    return provider


def unregister(name: str) -> None:
    _providers.pop(name, None)


@contextmanager
def added(provider: SearchProvider) -> Iterator[SearchProvider]:
    """Register ``provider`` for the duration of a block (tests)."""
    register(provider)
    try:
        yield provider
    finally:
        unregister(provider.name)


def providers() -> list[SearchProvider]:
    return sorted(_providers.values(), key=lambda p: (p.order, p.name))


def kinds() -> list[str]:
    return [k for p in providers() for k in p.kinds]


def search_all(user: User, q: str, *, dropdown: bool = False, limit: int | None = None,
               kind: str | None = None) -> list[Results]:
    """Each provider's hits for ``q`` (the ones answering ``kind`` only, when given), in order;
    ``limit`` per provider, else the provider's own limit for the box or the page."""
    out = []
    for provider in providers():
        wanted = provider.kinds if kind is None else tuple(k for k in provider.kinds
                                                           if k == kind)
        if not wanted:
            continue
        n = limit or (provider.dropdown_limit if dropdown else provider.page_limit)
        out.append(Results(provider, provider.search(user, q, n, wanted) if q else []))
    return out


# --- Actions on a customer ------------------------------------------------------------------
# The Ctrl-K box offers, for the customers a query finds, what one can start for them
# ("New quote for 华为"); apps register their own, each with its permission rule.

@dataclass(frozen=True)
class CustomerAction:
    name: str  # "<app>.<what>", unique
    label: Any  # lazy, with %(customer)s: "New quote for %(customer)s"
    url: Callable[[Any], str]  # where it starts, given the customer
    allowed: Callable[[User, Any], bool]  # may this user start it for this customer
    icon: str = "bi-plus-lg"
    order: int = 100
    keywords: tuple[str, ...] = ()  # typed before a name, this action comes first


@dataclass(frozen=True)
class Offer:
    action: CustomerAction
    label: str
    url: str
    icon: str


_actions: dict[str, CustomerAction] = {}


def register_action(action: CustomerAction) -> CustomerAction:
    _actions[action.name] = action
    return action


def unregister_action(name: str) -> None:
    _actions.pop(name, None)


def actions() -> list[CustomerAction]:
    return sorted(_actions.values(), key=lambda a: (a.order, a.name))


def split_action(q: str) -> tuple[list[CustomerAction], str]:
    """A query that starts with an action's keyword ("报价 华为", "quote hw"): that action and
    the rest of the query; else no action and the query."""
    head, _sep, rest = q.strip().partition(" ")
    if rest.strip():
        found = [a for a in actions() if head.lower() in a.keywords]
        if found:
            return found, rest.strip()
    return [], q


def offers(user: User, account: Any, first: list[CustomerAction] | None = None) -> list[Offer]:
    """What ``user`` may start for ``account``, the actions in ``first`` first."""
    chosen = first or []
    out = []
    for action in [*chosen, *[a for a in actions() if a not in chosen]]:
        if action.allowed(user, account):
            out.append(Offer(action, str(action.label) % {"customer": account.name},
                             action.url(account), action.icon))
    return out


# --- Customers' own provider ----------------------------------------------------------------

def search_customers(user: User, q: str, limit: int,
                     kinds: tuple[str, ...] = ("account", "contact")) -> list[SearchHit]:
    """Customers and contacts by name, pinyin, initials, phone, e-mail or registration id."""
    out = []
    for hit in search_index(user, q, limit=limit, kinds=kinds):
        url = reverse("customers:detail", args=[hit.account_id])
        if hit.kind == "contact":
            url += f"#contact-{hit.id}"
        out.append(SearchHit(kind=hit.kind, id=hit.id, name=hit.name, detail=hit.detail,
                             url=url, field=hit.field, account_id=hit.account_id,
                             account_name=hit.account_name, score=hit.score))
    return out


CUSTOMERS = SearchProvider(
    name="customers.records", kinds=("account", "contact"), search=search_customers,
    label=gettext_lazy("Customers and contacts"),
    dropdown_template="customers/search/_dropdown.html",
    page_template="customers/search/_page.html", order=10, dropdown_limit=8, page_limit=50)
