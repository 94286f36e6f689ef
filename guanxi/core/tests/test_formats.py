"""Shown numbers are grouped and dates read in the reader's style, in both languages; values
written into form inputs stay plain ISO, whatever the language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.utils import formats, translation

from guanxi.core.locale import activate_currency, deactivate_currency
from guanxi.core.templatetags.guanxi_ui import in_currency, money, number


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_amounts_are_grouped_and_rounded_half_up_in_every_language(language):
    with translation.override(language):
        assert money(Decimal("2100000"), 0) == "2,100,000"  # the board's column totals
        assert money(Decimal("7330950.5")) == "7,330,950.50"
        assert money("1234.565") == "1,234.57" and money(Decimal("-0.005")) == "-0.01"
        assert number(29294561) == "29,294,561"
        assert money(None) == "—" and money("abc") == "abc"
        assert in_currency(Decimal("2100000"), "USD") == "2,100,000.00 USD"
        # Without a code, the site's: a user's currency never relabels unconverted sums.
        token = activate_currency("EUR")
        try:
            assert in_currency(Decimal("5")) == "5.00 CNY"
        finally:
            deactivate_currency(token)


def test_dates_read_as_each_language_writes_them():
    day, moment = dt.date(2026, 12, 7), dt.datetime(2026, 12, 7, 14, 5)
    with translation.override("zh-hans"):
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "2026年12月7日"
        assert formats.date_format(day, "DATE_FORMAT") == "2026年12月7日"
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "2026年12月7日 14:05"
    with translation.override("en"):
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "7 Dec 2026"
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "7 Dec 2026 14:05"


class _Form(forms.Form):
    amount = forms.DecimalField(max_digits=14, decimal_places=2)
    count = forms.IntegerField()
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_inputs_and_data_attributes_stay_plain_and_round_trip(language):
    with translation.override(language):
        form = _Form(initial={"amount": Decimal("2100000.50"), "count": 1234567,
                              "day": dt.date(2026, 12, 7)})
        html = str(form)
        assert 'value="2100000.50"' in html and 'value="1234567"' in html
        assert 'value="2026-12-07"' in html
        posted = _Form({"amount": "2100000.50", "count": "1234567", "day": "2026-12-07"})
        assert posted.is_valid(), posted.errors
        assert posted.cleaned_data == {"amount": Decimal("2100000.50"), "count": 1234567,
                                       "day": dt.date(2026, 12, 7)}
        # A bare value in a template (a data attribute, a chart's data) is never grouped.
        shown = Template('<div data-total="{{ total }}" data-n="{{ n }}">').render(
            Context({"total": Decimal("2100000.50"), "n": 1234567}))
        assert shown == '<div data-total="2100000.50" data-n="1234567">'
