"""The sidebar: areas (Home, Customers, Sales …) holding items that each app registers from its
``ready()``, so the page shell names no app above core.

An item says who sees it (``visible(user)``, usually a role test that costs no query) and may
carry a badge (``badge(user) -> int``, a count that waits for the user). Badges are counted for
a user at most once per ``BADGE_SECONDS``: the sidebar is on every page, and its counts would
otherwise be paid by every request."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

#: The areas of the sidebar, in their order.
AREAS: list[tuple[str, Promise]] = [
    ("home", _("Home")),
    ("customers", _("Customers")),
    ("sales", _("Sales")),
    ("quote_to_cash", _("Quote to cash")),
    ("service", _("Service")),
    ("marketing", _("Marketing")),
    ("analytics", _("Analytics")),
    ("settings", _("Settings")),
]
AREA_KEYS = [key for key, _label in AREAS]
BADGE_SECONDS = 60


@dataclass(frozen=True)
class NavItem:
    """One link of the sidebar.

    ``active`` lists the URL names (``"sales:board"``) that highlight the item; by default its
    own. A name ending in ``*`` matches every URL name of the namespace starting so."""

    key: str
    area: str
    label: Any
    url_name: str
    icon: str
    order: int = 50
    visible: Callable[[Any], bool] | None = None
    badge: Callable[[Any], int] | None = None
    badge_title: Any = _("Waiting for your decision")
    active: tuple[str, ...] = field(default_factory=tuple)
    query: str = ""  # added to the URL ("?mine=1")

    def is_active(self, current: str) -> bool:
        for name in self.active or (self.url_name,):
            if name == current or (name.endswith("*") and current.startswith(name[:-1])):
                return True
        return False


_items: dict[str, NavItem] = {}


def register(*items: NavItem) -> None:
    """Add items (an item with a registered key replaces it, so ``ready()`` may run twice)."""
    for item in items:
        if item.area not in AREA_KEYS:
            raise ValueError(f"Unknown navigation area {item.area!r}")
        _items[item.key] = item


def items() -> list[NavItem]:
    return sorted(_items.values(), key=lambda i: (AREA_KEYS.index(i.area), i.order, i.key))


@contextmanager
def added(*extra: NavItem) -> Iterator[None]:
    """Register items for the length of a block (tests)."""
    saved = dict(_items)
    register(*extra)
    try:
        yield
    finally:
        _items.clear()
        _items.update(saved)


def roles(*codes: str) -> Callable[[Any], bool]:
    """``visible`` for the holders of any of ``codes``."""
    return lambda user: user.has_role(*codes)


def rule(name: str) -> Callable[[Any], bool]:
    """``visible`` through a registered permission rule (``"service.see_service"``)."""
    from guanxi.core.permissions import allowed

    return lambda user: allowed(name, user)


#: Badge counts live in this process's memory, not the shared cache: reading them costs no
#: query or round trip, and a page view writes nothing (each worker counts once a minute).
_counted = LocMemCache("guanxi-nav-badges", {"TIMEOUT": BADGE_SECONDS,
                                             "OPTIONS": {"MAX_ENTRIES": 20_000}})


def _badge_key(user: Any) -> str:
    # date_joined tells apart two users that had the same id (a database made afresh).
    joined = getattr(user, "date_joined", None)
    return f"{user.pk}:{joined.timestamp() if joined else ''}"


def forget_badges(user: Any | None = None) -> None:
    """Count the badges of ``user`` (everyone's by default) afresh on the next page."""
    if user is None:
        _counted.clear()
    else:
        _counted.delete(_badge_key(user))


def badges(user: Any, shown: list[NavItem]) -> dict[str, int]:
    """The badge counts of ``shown`` for ``user``, counted at most once per ``BADGE_SECONDS``."""
    wanted = [item for item in shown if item.badge is not None]
    if not wanted:
        return {}
    key = _badge_key(user)
    counts = _counted.get(key)
    if counts is None or any(item.key not in counts for item in wanted):
        counts = {item.key: int(item.badge(user)) for item in wanted}  # type: ignore[misc]
        _counted.set(key, counts)
    return counts


@dataclass
class Link:  # what the template shows of an item
    key: str
    label: Any
    url: str
    icon: str
    active: bool
    badge: int
    badge_title: Any


@dataclass
class Group:
    key: str
    label: Any
    links: list[Link]

    @property
    def active(self) -> bool:
        return any(link.active for link in self.links)


def menu(user: Any, current: str = "") -> list[Group]:
    """The sidebar of ``user`` on the page whose URL name is ``current`` (``"ns:name"``):
    the areas holding at least one item the user sees, in order."""
    if not getattr(user, "is_authenticated", False):
        return []
    shown = [item for item in items() if item.visible is None or item.visible(user)]
    counts = badges(user, shown)
    groups: dict[str, Group] = {}
    for item in shown:
        try:
            url = reverse(item.url_name) + item.query
        except NoReverseMatch:
            continue
        group = groups.get(item.area)
        if group is None:
            group = groups[item.area] = Group(item.area, dict(AREAS)[item.area], [])
        group.links.append(Link(item.key, item.label, url, item.icon,
                                bool(current) and item.is_active(current),
                                counts.get(item.key, 0), item.badge_title))
    return [groups[key] for key in AREA_KEYS if key in groups]


def register_own() -> None:
    """Core's own settings: custom fields, the audit trail, users and teams."""
    from guanxi.accounts.models import Role

    admin = roles(Role.ADMIN)
    register(
        NavItem("core.custom_fields", "settings", _("Custom fields"), "core:custom_fields",
                "bi-ui-checks", order=50, visible=admin,
                active=("core:custom_fields", "core:custom_field_edit",
                        "core:custom_field_create")),
        NavItem("core.audit", "settings", _("Audit trail"), "core:audit", "bi-journal-text",
                order=70, visible=admin),
        NavItem("core.users", "settings", _("Users and teams"), "accounts:users", "bi-people",
                order=80, visible=admin,
                active=("accounts:users", "accounts:user", "accounts:teams", "accounts:team",
                        "accounts:invite")),
    )
