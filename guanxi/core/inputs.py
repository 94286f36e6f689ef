"""Typed service inputs: a write's values parsed once, at the boundary, into a dataclass whose
fields are already ``date``, ``Decimal`` or ``int``. The page builds it from its form's cleaned
data, the API from its schema, other callers (imports, commands, tests) with ``parse``; the
service then checks the business rules only.

Every field defaults to ``UNSET``, so one class serves creating (the service says what is
required) and partial edits (``given()`` is what the caller sent)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import sys
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Self

from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import FieldErrors

#: The largest integer both databases take (a signed 64-bit one): a larger id or number is
#: refused where it comes in, naming its field, before a query could fail on it.
MAX_ID = 2**63 - 1
#: The largest value of a plain integer column (a signed 32-bit one on PostgreSQL).
MAX_INT = 2**31 - 1


class _Unset:
    """Not sent: different from None, which clears a value."""

    _instance: ClassVar[_Unset | None] = None

    def __new__(cls) -> _Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


class _Unresolved:
    """A type named only for the type checker (imported under TYPE_CHECKING): values of it
    pass through as they are."""


class _Names(dict):
    def __init__(self, module: Any) -> None:
        super().__init__()
        self.module = module

    def __missing__(self, name: str) -> Any:
        import builtins

        for space in (vars(self.module), vars(builtins)):
            if name in space:
                return space[name]
        return _Unresolved


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    """The field annotations as types, also where a model is imported for the type checker
    only (a lower layer naming a higher one's record)."""
    names = _Names(sys.modules[cls.__module__])
    return {f.name: eval(f.type, {}, names) if isinstance(f.type, str) else f.type  # noqa: S307
            for f in dataclasses.fields(cls)}


def _types_of(annotation: Any) -> tuple[Any, ...]:
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return typing.get_args(annotation)
    return (annotation,)


def parse_decimal(value: Any) -> Decimal:
    """``12.50``, ``"1,200.5"`` or an int as an exact Decimal; a float by its shortest repr."""
    if isinstance(value, float):  # a float has already lost the exact amount
        value = repr(value)
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValueError(_("Enter a number such as 12.50.")) from None
    if not number.is_finite():
        raise ValueError(_("Enter a number such as 12.50."))
    return number


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None


def parse_datetime(value: Any, day_time: dt.time = dt.time(0)) -> dt.datetime:
    """``2026-12-01 10:00`` (or with a ``T``) in the current time zone; a day alone is that
    day at ``day_time``."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, day_time)
    else:
        text = str(value).strip()
        try:
            moment = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
        except ValueError:
            raise ValueError(_("Enter a date and time such as 2026-12-01 10:00.")) from None
        if len(text) == 10:  # a day alone
            moment = dt.datetime.combine(moment.date(), day_time)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _parse_int(value: Any) -> int:
    text = str(value).strip()
    if isinstance(value, bool) or not text.isascii() or not text.lstrip("-").isdigit() \
            or len(text) > 15:
        raise ValueError(_("Enter a whole number."))
    return int(text)


def _parse_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


PARSERS = {Decimal: parse_decimal, dt.date: parse_date, bool: _parse_bool, int: _parse_int}


def _convert(value: Any, annotation: Any, day_time: dt.time = dt.time(0)) -> Any:
    allowed = _types_of(annotation)
    if value is None or value == "":
        return None  # left empty: the service says whether that is allowed
    if dt.datetime in allowed:
        return parse_datetime(value, day_time)
    if any(t is not typing.Any and isinstance(t, type) and type(value) is t for t in allowed):
        return value
    for kind, parser in PARSERS.items():
        if kind in allowed:
            if kind is int and not isinstance(value, int | str):
                continue  # a model instance where an id or the instance is accepted
            return parser(value)
    return value


class Input:
    """Mixin for the ``@dataclass`` inputs of services."""

    #: The time of a date-and-time field given as a day alone.
    day_time: ClassVar[dt.time] = dt.time(0)

    def given(self) -> dict[str, Any]:
        """The values the caller set, by field name."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)  # type: ignore[arg-type]
                if getattr(self, f.name) is not UNSET}

    def replace(self, **changes: Any) -> Self:
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Self:
        """Build from raw values (text from a file or a form, numbers, dates); every value
        that does not parse, and every unknown key, is an error at its field."""
        hints = _hints(cls)
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        errors: dict[str, list[str]] = {}
        values: dict[str, Any] = {}
        for key, raw in data.items():
            if key not in names:
                errors[key] = [_("This field cannot be set here.")]
                continue
            try:
                values[key] = _convert(raw.strip() if isinstance(raw, str) else raw,
                                       hints[key], cls.day_time)
            except ValueError as exc:
                errors[key] = [str(exc)]
        if errors:
            raise FieldErrors(errors)
        return cls(**values)

    @classmethod
    def parse_rows(cls, rows: Iterable[Any], key: str,
                   where: Callable[[int], str] | None = None,
                   not_a_row: str | None = None) -> list[Self]:
        """Parse each row; errors are named by ``key`` (``"lines[{n}].{field}"``, ``n``
        counted from 0) and start with ``where(n)`` when given. All rows, then all errors."""
        out: list[Self] = []
        errors: dict[str, list[str]] = {}
        for n, row in enumerate(rows):
            prefix = f"{where(n)}: " if where else ""
            if not isinstance(row, Mapping):
                errors[key.split("{field}")[0].format(n=n).rstrip(".")] = [
                    prefix + (not_a_row or _("This field cannot be set here."))]
                continue
            try:
                out.append(cls.parse(row))
            except FieldErrors as exc:
                for field, messages in exc.errors.items():
                    errors[key.format(n=n, field=field)] = [prefix + m for m in messages]
        if errors:
            raise FieldErrors(errors)
        return out
