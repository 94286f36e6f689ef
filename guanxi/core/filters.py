"""List filters read once from a query string (or an API schema dump) into cleaned values.

Each list declares its parameters (``Param``); ``parse`` turns the raw values of the page's
query string, the API's query parameters or the export's query string into one dict of typed
values, and refuses what it cannot read with ``FieldErrors`` naming the parameter. The list's
``filter_<list>(user, filters)`` selector parses with it, so page, API and export read the
same names the same way. Empty values are absent; unknown parameters (``page``, ``sort``,
``cursor``, ``format``) are ignored. Parsing a parsed dict again gives the same dict.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from django.utils.translation import gettext as _

from guanxi.core.errors import FieldErrors
from guanxi.core.inputs import MAX_ID, parse_date

Kind = Literal["text", "int", "bool", "choice", "date", "decimal", "float", "user"]
TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off")


@dataclass(frozen=True)
class Param:
    """One filter: its query-string name, the older names it also answers to, and its type.
    ``user`` takes a user id, ``me`` or one of ``choices``."""

    name: str
    kind: Kind = "text"
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    default: Any = None


def _raw(params: Mapping[str, Any], p: Param) -> Any:
    for key in (p.name, *p.aliases):
        value = params.get(key)
        if value not in (None, ""):
            return value
    return None


def _whole(value: Any) -> int:
    """An id or a count: ASCII digits, no larger than the databases take."""
    text = str(value).strip()
    if isinstance(value, bool) or not (isinstance(value, int)
                                       or (text.isascii() and text.isdigit())):
        raise ValueError(_("Enter a whole number."))
    number = int(text)
    if not 0 <= number <= MAX_ID:
        raise ValueError(_("Enter a whole number up to %(max)s.") % {"max": MAX_ID})
    return number


def _clean(p: Param, value: Any) -> Any:
    if p.kind == "text":
        text = str(value).strip()
        return text[:200] or None
    if p.kind == "int":
        return _whole(value)
    if p.kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise ValueError(_("Give true or false."))
    if p.kind == "choice":
        text = str(value).strip()
        if text not in p.choices:
            raise ValueError(_("Choose one of: %(choices)s.") % {"choices": ", ".join(p.choices)})
        return text
    if p.kind == "user":
        text = str(value).strip()
        if isinstance(value, int) or (text.isascii() and text.isdigit()):
            return _whole(value)
        if text == "me" or text in p.choices:
            return text
        names = ", ".join(("me", *p.choices))
        raise ValueError(_("Give a user id or one of: %(choices)s.") % {"choices": names})
    if p.kind == "date":
        return parse_date(value)
    try:
        number = Decimal(str(value).strip()) if p.kind == "decimal" else float(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(_("Enter a number.")) from None
    if not math.isfinite(number):
        raise ValueError(_("Enter a number."))
    return number


def parse(params: Mapping[str, Any], spec: Iterable[Param]) -> dict[str, Any]:
    """The cleaned values of ``spec`` found in ``params`` (names or aliases); empty ones
    take the parameter's default (absent when None). Bad ones raise ``FieldErrors``."""
    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for p in spec:
        value = _raw(params, p)
        if value is None:
            if p.default is not None:
                out[p.name] = p.default
            continue
        try:
            cleaned = _clean(p, value)
        except ValueError as exc:
            errors[p.name] = [str(exc)]
            continue
        if cleaned is not None:
            out[p.name] = cleaned
    if errors:
        raise FieldErrors(errors)
    return out


def choices(*groups: Iterable[Any]) -> tuple[str, ...]:
    """Choice values from TextChoices classes, value lists or single strings."""
    out: list[str] = []
    for group in groups:
        if isinstance(group, str):
            out.append(group)
        else:
            out.extend(str(getattr(v, "value", v)) for v in
                       (group.values if hasattr(group, "values") else group))
    return tuple(out)
