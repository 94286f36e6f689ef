"""Shared form helpers: service errors shown at the field they name, and date/time widgets
whose values browsers accept in every language."""

from __future__ import annotations

from typing import Any

from django import forms

from guanxi.core.errors import DomainError, FieldErrors


def add_domain_error(form: forms.BaseForm, exc: DomainError) -> None:
    """Attach ``exc`` to the form field it names (or to the form as a whole)."""
    errors = exc.errors if isinstance(exc, FieldErrors) else {exc.field: [exc.message]}
    for field, messages in errors.items():
        name = field if field in form.fields else None
        if name is None and field and field.startswith("custom.") \
                and field.replace(".", "_", 1) in form.fields:
            name = field.replace(".", "_", 1)
        for message in messages:
            form.add_error(name, message)


# Browsers read the value of <input type="date|datetime-local|time"> only in ISO form and drop
# anything else, so these widgets never use the language's input format (zh-Hans: 2027/03/31),
# which would empty the field and clear the stored value on the next save.
ISO_DATE = "%Y-%m-%d"
ISO_DATETIME = "%Y-%m-%dT%H:%M"
ISO_TIME = "%H:%M"


class DateInput(forms.DateInput):
    """<input type="date"> with its value as 2027-03-31 in every language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=ISO_DATE)


class DateTimeInput(forms.DateTimeInput):
    """<input type="datetime-local"> with its value as 2027-03-31T14:05 in every language."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=ISO_DATETIME)


class TimeInput(forms.TimeInput):
    """<input type="time"> with its value as 14:05 in every language."""

    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=ISO_TIME)
