"""Telling users about things: one call that every app uses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext

from guanxi.core import events
from guanxi.core.models import Notification


def notify(recipient, message: str, params: dict[str, Any] | None = None, *, kind: str,
           url: str = "", actor=None) -> Notification:
    """Notify ``recipient``. ``message`` is an untranslated msgid (mark it with
    ``gettext_noop``) with ``%(name)s`` placeholders filled from ``params``."""
    stored = {k: stored_param(v) for k, v in (params or {}).items()}
    with translation.override(getattr(recipient, "language", None) or settings.LANGUAGE_CODE):
        title = render(message, stored)
    note = Notification.objects.create(recipient=recipient, kind=kind, title=title[:300],
                                       message=[message, stored], url=url, actor=actor)
    # E-mail, if the recipient chose it for this kind, follows after commit (integrations).
    events.publish("core.notification.created", note, actor)
    return note


def stored_param(value: Any) -> Any:
    """A parameter as the notification keeps it, so each reader sees it in their language
    whenever they read it: a label in both languages, an amount or a date to format then."""
    if isinstance(value, Promise):
        both = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                both["zh" if code.startswith("zh") else "en"] = str(value)
        return both
    if isinstance(value, dict) and set(value) <= {"en", "zh"}:
        return {k: str(v or "") for k, v in value.items()}  # a name kept in both languages
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, dt.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    return str(value)


def shown_param(value: Any) -> str:
    """A stored parameter for the reader: in their language, zone and number style."""
    if not isinstance(value, dict):
        return str(value)
    if "decimal" in value:
        amount = Decimal(value["decimal"])
        exponent = amount.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        return formats.number_format(amount, places, use_l10n=True, force_grouping=True)
    if "datetime" in value:
        moment = dt.datetime.fromisoformat(value["datetime"])
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
    if "date" in value:
        return formats.date_format(dt.date.fromisoformat(value["date"]), "SHORT_DATE_FORMAT")
    from guanxi.core.models import in_reader_language

    return in_reader_language(str(value.get("zh") or ""), str(value.get("en") or ""))


def render(message: str, params: dict[str, Any] | None) -> str:
    """The message in the active language with its stored parameters filled in."""
    text = gettext(message)
    if not params:
        return text
    return text % {k: shown_param(v) for k, v in params.items()}


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
