"""Telling users about things: one call that every app uses."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from guanxi.core import events
from guanxi.core.models import Notification


def notify(recipient, message: str, params: dict[str, Any] | None = None, *, kind: str,
           url: str = "", actor=None) -> Notification:
    """Notify ``recipient``. ``message`` is an untranslated msgid (mark it with
    ``gettext_noop``) with ``%(name)s`` placeholders filled from ``params``."""
    params = {k: str(v) for k, v in (params or {}).items()}
    title = gettext(message) % params if params else gettext(message)
    note = Notification.objects.create(recipient=recipient, kind=kind, title=title[:300],
                                       message=[message, params], url=url, actor=actor)
    # E-mail, if the recipient chose it for this kind, follows after commit (integrations).
    events.publish("core.notification.created", note, actor)
    return note


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
