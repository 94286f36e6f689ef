"""A notification reads in the language of whoever reads it, whenever they read it: its
labels, amounts and dates too, not only its sentence."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext_lazy, gettext_noop

from guanxi.core.models import Notification
from guanxi.core.notifications import notify


def test_a_notification_follows_the_reader_language(org):
    org.rep.language = "zh-hans"
    note = notify(org.rep, gettext_noop("%(flow)s waits for you: %(subject)s (%(step)s)"),
                  {"flow": gettext_lazy("Quote"), "subject": Decimal("2100000.50"),
                   "step": {"en": "Finance", "zh": "财务"}}, kind="test")
    # The stored title (for lists that show it raw) is in the recipient's language.
    assert "财务" in note.title and "2,100,000.50" in note.title
    note = Notification.objects.get(pk=note.pk)
    with translation.override("en"):
        assert note.display_title == "Quote waits for you: 2,100,000.50 (Finance)"
    with translation.override("zh-hans"):
        assert "财务" in note.display_title and "Finance" not in note.display_title
        assert "Quote" not in note.display_title

    due = notify(org.rep, gettext_noop("Reminder: %(title)s (due %(due)s)"),
                 {"title": "回访", "due": dt.date(2026, 12, 7)}, kind="test")
    with translation.override("en"):
        assert due.display_title == "Reminder: 回访 (due 7 Dec 2026)"
    with translation.override("zh-hans"):
        assert "2026年12月7日" in due.display_title

    # Rows stored before parameters were kept typed still read as they were written.
    old = Notification.objects.create(recipient=org.rep, kind="test", title="旧的标题",
                                      message=["Order %(number)s was cancelled",
                                               {"number": "SO-1"}])
    with translation.override("en"):
        assert old.display_title == "Order SO-1 was cancelled"
