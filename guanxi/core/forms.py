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


# --- Pickers ---------------------------------------------------------------------------------

class PickerWidget(forms.Widget):
    """A search box that offers the records of one picker kind as one types (name, pinyin,
    initials, phone or number), keyboard accessible as an ARIA combobox; the chosen record's
    id goes in a hidden input. Without a pick, what was typed is sent (a customer's exact name
    still finds it)."""

    template_name = "core/widgets/picker.html"

    def __init__(self, kind: str, attrs: dict[str, Any] | None = None,
                 params: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.kind = kind
        self.params = params or {}
        self.user: Any = None

    def format_value(self, value: Any) -> str:
        if value is None or value == "":
            return ""
        return str(getattr(value, "pk", value))

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict:
        from django.urls import reverse
        from django.utils.http import urlencode

        from guanxi.core import pickers

        context = super().get_context(name, value, attrs)
        label, raw = "", self.format_value(value)
        obj = value if hasattr(value, "pk") else None
        kind = pickers.get(self.kind)
        if obj is None and raw and kind is not None \
                and (self.user is not None or not kind.scoped):
            obj = pickers.find(self.user, self.kind, raw)
        if obj is not None and kind is not None:
            label = kind.describe(obj).label
        elif raw and not raw.isdigit():
            label = raw  # typed, not picked: shown back as typed
        url = reverse("api:pick", args=[self.kind])
        if self.params:
            url += "?" + urlencode(self.params)
        context["widget"].update({
            "kind": self.kind, "label": label, "url": url,
            "placeholder": (self.attrs.get("placeholder") or (kind.placeholder if kind else "")),
        })
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)


class PickerField(forms.Field):
    """A record of a picker kind the form's user may see; cleans to the record itself.
    Call ``bind_pickers(form, user)`` in the form's ``__init__``."""

    widget = PickerWidget
    default_error_messages = {
        "invalid_choice": "",
    }

    def __init__(self, kind: str, *, params: dict[str, Any] | None = None,
                 not_found: Any = None, **kwargs: Any) -> None:
        self.kind = kind
        self.user: Any = None
        self.not_found = not_found
        kwargs.setdefault("widget", PickerWidget(kind, params=params))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        from django.utils.translation import gettext as _

        from guanxi.core import pickers

        if value in self.empty_values:
            return None
        if hasattr(value, "pk"):
            return value
        kind = pickers.get(self.kind)
        found = pickers.find(self.user, self.kind, value) \
            if self.user is not None or (kind is not None and not kind.scoped) else None
        if found is None:
            raise forms.ValidationError(
                self.not_found or _("Choose one from the list: nothing you can see matches "
                                    "“%(value)s”.") % {"value": str(value)[:100]},
                code="invalid_choice")
        return found


def bind_pickers(form: forms.BaseForm, user: Any) -> None:
    """Give the form's picker fields (and fields shown with a picker widget) their user: they
    offer and accept only what it sees."""
    for f in form.fields.values():
        if isinstance(f, PickerField):
            f.user = user
        if isinstance(f.widget, PickerWidget):
            f.widget.user = user
