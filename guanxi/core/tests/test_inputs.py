"""Typed service inputs: raw values parsed once into dates, decimals and ids, each bad value an
error at its field, and what the caller did not send kept apart from what it cleared."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from guanxi.core.errors import FieldErrors
from guanxi.core.inputs import UNSET, Input


@dataclass(frozen=True)
class Sample(Input):
    amount: Decimal | None = UNSET
    day: dt.date | None = UNSET
    count: int | None = UNSET
    active: bool = UNSET
    note: str | None = UNSET


def test_text_becomes_typed_values():
    sample = Sample.parse({"amount": " 1,200.50 ", "day": "2026-03-01", "count": "7",
                           "active": "yes", "note": "  as typed "})
    assert sample.given() == {"amount": Decimal("1200.50"), "day": dt.date(2026, 3, 1),
                              "count": 7, "active": True, "note": "as typed"}


def test_typed_values_pass_and_a_float_keeps_its_shortest_form():
    day = dt.date(2026, 3, 1)
    sample = Sample.parse({"amount": 0.1, "day": dt.datetime(2026, 3, 1, 9, 30), "count": 3})
    assert (sample.amount, sample.day, sample.count) == (Decimal("0.1"), day, 3)


def test_empty_clears_and_missing_is_not_sent():
    sample = Sample.parse({"amount": "", "day": None})
    assert sample.given() == {"amount": None, "day": None}
    assert sample.count is UNSET and not sample.count


def test_every_bad_value_and_unknown_key_is_an_error_at_its_field():
    with pytest.raises(FieldErrors) as exc:
        Sample.parse({"amount": "12,5x", "day": "1/3/2026", "count": "1.5", "colour": "red"})
    assert set(exc.value.errors) == {"amount", "day", "count", "colour"}
    with pytest.raises(FieldErrors) as exc:
        Sample.parse({"amount": "NaN", "count": "9" * 40})
    assert set(exc.value.errors) == {"amount", "count"}


def test_rows_name_their_row():
    with pytest.raises(FieldErrors) as exc:
        Sample.parse_rows([{"amount": "1"}, {"amount": "x"}, "not a row"], "rows[{n}].{field}")
    assert set(exc.value.errors) == {"rows[1].amount", "rows[2]"}
    assert [s.amount for s in Sample.parse_rows([{"amount": "1"}], "rows[{n}].{field}")] == [
        Decimal("1")]
