"""The holiday calendar a new installation starts with (the State Council's schedule in
``holidays.py``); administrators edit it as data. It comes back when a database has none."""

from __future__ import annotations

from typing import Any


def add_holidays(holiday_model: Any) -> None:
    """Seed the calendar when it is empty (a migration passes its historical model)."""
    from guanxi.service import holidays

    if holiday_model.objects.exists():
        return
    holiday_model.objects.bulk_create([
        holiday_model(date=date, kind=kind, name=name)
        for year in sorted(holidays.CALENDAR) for date, kind, name in holidays.days(year)])


def ensure_holidays() -> None:
    from guanxi.service.models import Holiday

    add_holidays(Holiday)
