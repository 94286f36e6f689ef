"""Validating a service's input with the model's own field rules: one pass, one error
dictionary keyed by field, so the page and the API show each message at its field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import DecimalField, Model
from django.utils.translation import gettext as _

from guanxi.core import normalize
from guanxi.core.errors import FieldErrors

NORMALIZERS = {
    "phone": normalize.normalize_phone,
    "mobile": normalize.normalize_phone,
    "email": normalize.normalize_email,
    "registration_id": normalize.normalize_uscc,
}


def clean_fields(model: type[Model], data: dict[str, Any], allowed: tuple[str, ...],
                 ) -> dict[str, Any]:
    """Validate ``data`` with the model's own field rules plus our normalisers; unknown keys
    are errors too, so a typo never silently does nothing."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for key, raw in data.items():
        if key not in allowed:
            errors[key] = [_("This field cannot be set here.")]
            continue
        field = model._meta.get_field(key)
        value = raw
        if isinstance(value, str):
            value = value.strip()
        try:
            if key in NORMALIZERS:
                value = NORMALIZERS[key](value or "")
            if key == "registration_id" and not value:
                value = None
            if value in ("", None) and field.null and not isinstance(raw, bool):
                value = None
            if value is None and not field.null:
                value = "" if field.empty_strings_allowed else value
            value = field.clean(value, None) if value not in (None, "") else value
            if isinstance(field, DecimalField) and isinstance(value, Decimal):
                # 5 and 5.00 are the same rate: store and compare them alike.
                value = value.quantize(Decimal(1).scaleb(-field.decimal_places))
            if value in (None, "") and not field.blank:
                raise ValidationError(_("This field is required."))
        except ValueError as exc:
            errors[key] = [str(exc)]
            continue
        except ValidationError as exc:
            errors[key] = [str(m) for m in exc.messages]
            continue
        cleaned[key] = value
    if "discount_rate" in cleaned and cleaned["discount_rate"] is not None:
        limit = settings.GUANXI_MAX_DISCOUNT_RATE
        if cleaned["discount_rate"] > limit:
            errors["discount_rate"] = [
                _("The company allows at most %(limit)s%% discount.") % {"limit": limit}]
    if "credit_limit" in cleaned and cleaned["credit_limit"] is not None \
            and cleaned["credit_limit"] < 0:
        errors["credit_limit"] = [_("A credit limit cannot be negative.")]
    if errors:
        raise FieldErrors(errors)
    return cleaned
