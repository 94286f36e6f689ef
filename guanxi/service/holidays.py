"""China's public holidays and swapped working weekends (调休), as the State Council publishes
them each year, for seeding the editable holiday calendar (``Holiday``).

2026: 国务院办公厅关于2026年部分节假日安排的通知 (4 November 2025). Every day of each holiday
period is listed as a day off (weekend days included, which is harmless), and the weekend days
worked in exchange are listed as working days.

2027: the State Council publishes each year's schedule in the November before; it is not known
here, so 2027 is not seeded. Add it on the holiday settings page (or extend ``CALENDAR``) once the
notice is out, rather than guessing lunar dates.
"""

from __future__ import annotations

import datetime as dt

HOLIDAY = "holiday"
WORKDAY = "workday"


def _span(start: dt.date, days: int, name: str) -> list[tuple[dt.date, str, str]]:
    return [(start + dt.timedelta(days=i), HOLIDAY, name) for i in range(days)]


def _d(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, day)


CALENDAR: dict[int, list[tuple[dt.date, str, str]]] = {
    2026: [
        *_span(_d(2026, 1, 1), 3, "元旦 New Year's Day"),
        (_d(2026, 1, 4), WORKDAY, "元旦调休 New Year's Day (working Sunday)"),
        *_span(_d(2026, 2, 15), 9, "春节 Spring Festival"),
        (_d(2026, 2, 14), WORKDAY, "春节调休 Spring Festival (working Saturday)"),
        (_d(2026, 2, 28), WORKDAY, "春节调休 Spring Festival (working Saturday)"),
        *_span(_d(2026, 4, 4), 3, "清明节 Qingming Festival"),
        *_span(_d(2026, 5, 1), 5, "劳动节 Labour Day"),
        (_d(2026, 5, 9), WORKDAY, "劳动节调休 Labour Day (working Saturday)"),
        *_span(_d(2026, 6, 19), 3, "端午节 Dragon Boat Festival"),
        *_span(_d(2026, 9, 25), 3, "中秋节 Mid-Autumn Festival"),
        *_span(_d(2026, 10, 1), 7, "国庆节 National Day"),
        (_d(2026, 9, 20), WORKDAY, "国庆节调休 National Day (working Sunday)"),
        (_d(2026, 10, 10), WORKDAY, "国庆节调休 National Day (working Saturday)"),
    ],
}


def days(year: int) -> list[tuple[dt.date, str, str]]:
    """(date, "holiday" or "workday", name) of ``year``, or an empty list when not known."""
    return sorted(CALENDAR.get(year, []))
