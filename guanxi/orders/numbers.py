"""Document numbers: a prefix, the year and a counter, e.g. Q2026-00042."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from guanxi.orders.models import Sequence

QUOTE, CONTRACT, ORDER, SHIPMENT, PAYMENT = "Q", "HT", "SO", "SH", "RC"


def next_number(prefix: str, on: dt.date | None = None) -> str:
    """The next number for ``prefix``. A conditional UPDATE increments the counter, so two
    writers never get the same number (the row lock holds until the caller commits)."""
    year = (on or timezone.localdate()).year
    with transaction.atomic():
        updated = Sequence.objects.filter(prefix=prefix, year=year).update(last=F("last") + 1)
        if not updated:
            Sequence.objects.get_or_create(prefix=prefix, year=year)
            Sequence.objects.filter(prefix=prefix, year=year).update(last=F("last") + 1)
        last = Sequence.objects.values_list("last", flat=True).get(prefix=prefix, year=year)
    return f"{prefix}{year}-{last:05d}"
