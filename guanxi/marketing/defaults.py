"""The greeting calendar a new installation starts with: 2026 and 2027, the lunar holidays on
their Gregorian dates. Marketing edits it as data; it comes back when a database has none."""

from __future__ import annotations

from typing import Any

HOLIDAYS = [
    ("new_year", "元旦", "New Year's Day", ("2026-01-01", "2027-01-01")),
    ("spring_festival", "春节", "Spring Festival", ("2026-02-17", "2027-02-06")),
    ("lantern", "元宵节", "Lantern Festival", ("2026-03-03", "2027-02-20")),
    ("labour_day", "劳动节", "Labour Day", ("2026-05-01", "2027-05-01")),
    ("dragon_boat", "端午节", "Dragon Boat Festival", ("2026-06-19", "2027-06-09")),
    ("mid_autumn", "中秋节", "Mid-Autumn Festival", ("2026-09-25", "2027-09-15")),
    ("national_day", "国庆节", "National Day", ("2026-10-01", "2027-10-01")),
]


def add_holidays(holiday_model: Any) -> None:
    """Seed the calendar when it is empty (a migration passes its historical model)."""
    if holiday_model.objects.exists():
        return
    holiday_model.objects.bulk_create([
        holiday_model(key=key, date=date, name_zh=zh, name_en=en)
        for key, zh, en, dates in HOLIDAYS for date in dates])


def ensure_holidays() -> None:
    from guanxi.marketing.models import Holiday

    add_holidays(Holiday)
