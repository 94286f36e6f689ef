"""The signed-in user's currency for the current request, next to Django's active language
and time zone: set by the user middleware; forms start new records in it (``initial=
current_currency``) and templates see it as ``display_currency``. There is no exchange-rate
table, so nothing is converted into it."""

from __future__ import annotations

from contextvars import ContextVar

from django.conf import settings

_currency: ContextVar[str | None] = ContextVar("guanxi_display_currency", default=None)


def current_currency() -> str:
    """The reader's display currency, else the site's."""
    return _currency.get() or settings.GUANXI_CURRENCY


def activate_currency(code: str | None) -> object:
    """Use ``code`` (empty: the site's) until ``deactivate_currency(token)``."""
    return _currency.set(code or None)


def deactivate_currency(token: object) -> None:
    _currency.reset(token)  # type: ignore[arg-type]
