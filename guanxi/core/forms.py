"""Showing service errors on Django forms, at the field they name."""

from __future__ import annotations

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
