"""Every Django form in Guanxi renders its date, time and number widgets with values browsers
accept, in every language: the forms are found by walking the package, so a new one is checked
without being listed here."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.utils import timezone, translation

import guanxi
from guanxi.core.forms import PickerWidget
from guanxi.core.tests.inputs import input_problems, typed_inputs

LANGUAGES = ["zh-hans", "en"]


def _all_forms() -> list[type[forms.BaseForm]]:
    for info in pkgutil.walk_packages(guanxi.__path__, "guanxi."):
        if ".tests" in info.name or ".migrations" in info.name:
            continue
        importlib.import_module(info.name)
    found, todo = [], [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("guanxi."):
                found.append(sub)
    return sorted(set(found), key=lambda f: f"{f.__module__}.{f.__qualname__}")


FORMS = _all_forms()


def _sample(field: forms.Field) -> Any:
    """A value with every part set: a day after the 12th, a time with minutes, a fraction
    and more than three digits (to show thousands separators)."""
    if isinstance(field, forms.DateTimeField):
        return timezone.make_aware(dt.datetime(2027, 3, 31, 14, 5))
    if isinstance(field, forms.DateField):
        return dt.date(2027, 3, 31)
    if isinstance(field, forms.TimeField):
        return dt.time(14, 5)
    if isinstance(field, forms.DecimalField):
        return Decimal("1234.50")
    if isinstance(field, forms.FloatField):
        return 1234.5
    if isinstance(field, forms.IntegerField):
        return 1234
    return None


def _rendered(form_class: type[forms.BaseForm]) -> list[tuple[str, str]]:
    out = []
    for name, field in form_class.base_fields.items():
        if isinstance(field.widget, PickerWidget):
            continue  # a record's id, shown as the record's name: no number input
        value = _sample(field)
        if value is not None:
            out.append((name, field.widget.render(name, field.prepare_value(value))))
    return out


def test_the_walk_finds_the_forms_with_date_and_number_inputs():
    names = {f.__qualname__ for f in FORMS}
    assert {"OpportunityForm", "ClaimForm", "ReportForm", "QuoteForm", "PriceListForm"} <= names


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("form_class", FORMS, ids=lambda f: f"{f.__module__}.{f.__qualname__}")
def test_form_widgets_render_iso_values(form_class, language):
    with translation.override(language):
        rendered = _rendered(form_class)
    problems = [p for _, html in rendered for p in input_problems(html)]
    assert not problems, problems
    # Every typed input shows the sample it was given (no widget dropped it).
    for name, html in rendered:
        for attrs in typed_inputs(html):
            assert attrs.get("value"), f"{name}: {html}"


@pytest.mark.parametrize("value, shown", [
    (dt.date(2027, 3, 31), "2027-03-31"),
    (timezone.make_aware(dt.datetime(2027, 3, 31, 14, 5)), "2027-03-31T14:05"),
    (dt.time(14, 5), "14:05"),
    (Decimal("1234567.50"), "1234567.50"),
    (Decimal("10.000").normalize(), "10"),
    (None, ""),
    ("12.5", "12.5"),
])
def test_iso_filter_for_hand_written_inputs(value, shown):
    from django.template import Context, Template

    template = Template("{% load guanxi_ui %}{{ value|iso }}")
    for language in LANGUAGES:
        with translation.override(language):
            assert template.render(Context({"value": value})) == shown
