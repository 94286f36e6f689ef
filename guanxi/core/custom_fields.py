"""Validating and cleaning values of administrator-defined custom fields."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from guanxi.core.errors import FieldErrors
from guanxi.core.models import CustomFieldDefinition


def definitions(target: str) -> list[CustomFieldDefinition]:
    return list(CustomFieldDefinition.objects.filter(target=target, active=True))


def clean_value(definition: CustomFieldDefinition, raw: Any) -> Any:
    """Return the stored (JSON) form of ``raw`` or raise ValueError with a user message."""
    T = CustomFieldDefinition.Type
    if isinstance(raw, str):
        raw = raw.strip()
    if raw in (None, "", []):
        if definition.required:
            raise ValueError(_("This field is required."))
        return None
    if definition.type == T.TEXT:
        text = str(raw).strip()
        if len(text) > 500:
            raise ValueError(_("At most 500 characters."))
        return text
    if definition.type == T.NUMBER:
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            raise ValueError(_("Enter a number.")) from None
        if not number.is_finite():
            raise ValueError(_("Enter a number."))
        return str(number)
    if definition.type == T.DATE:
        try:
            return dt.date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError:
            raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None
    if definition.type == T.CHOICE:
        if str(raw) not in definition.choices:
            raise ValueError(_("“%(value)s” is not one of the choices.") % {"value": raw})
        return str(raw)
    values = raw if isinstance(raw, list | tuple) else [v for v in str(raw).split(",") if v]
    bad = [v for v in values if str(v) not in definition.choices]
    if bad:
        raise ValueError(_("“%(value)s” is not one of the choices.") % {"value": bad[0]})
    return [str(v) for v in values]


def clean_values(target: str, raw: dict[str, Any], existing: dict[str, Any] | None = None,
                 partial: bool = False) -> dict[str, Any]:
    """Validate ``raw`` against the active definitions; unknown keys are an error.

    Returns the merged ``custom`` dict. With ``partial``, fields absent from ``raw`` keep their
    existing value and are not checked for ``required``.
    """
    defs = {d.key: d for d in definitions(target)}
    errors: dict[str, list[str]] = {}
    result = dict(existing or {})
    for key in raw:
        if key not in defs:
            errors[f"custom.{key}"] = [_("Unknown custom field.")]
    for key, definition in defs.items():
        if partial and key not in raw:
            continue
        try:
            value = clean_value(definition, raw.get(key))
        except ValueError as exc:
            errors[f"custom.{key}"] = [str(exc)]
            continue
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    if errors:
        raise FieldErrors(errors)
    return result
