"""Exporting a list as CSV or XLSX, with the user's scope and the list's filters applied.

The lists come from the registry in ``guanxi.core.exports``, filled by each app in
``ready()``: every entry names the list's filter selector (the one its page and API call, with
the same query-string parameters) and its columns. This module writes the files.

**Formula injection.** A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return would be run by a spreadsheet as a formula; such a value gets a leading single quote
(OWASP's advice) in CSV and XLSX alike. That includes phone numbers in E.164 form
(``+8613812345678`` → ``'+8613812345678``): the digits stay readable and searchable, and a
phone number can never turn into a formula. Our import takes the quote off again, so an
exported file re-imports unchanged.

Every export is recorded in the audit trail: who, which list, which filters, how many rows.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any

from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.core import exports as registry
from guanxi.core.errors import FieldErrors, Forbidden
from guanxi.core.exports import ListExport
from guanxi.core.models import AuditEntry

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would evaluate, made inert with a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def restore(value: str) -> str:
    """The inverse, for imports: a quote our export added comes off."""
    if value.startswith("'") and value[1:2] and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def _text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if hasattr(value, "isoformat"):
        if hasattr(value, "hour"):
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        return value.isoformat()
    if isinstance(value, Model | Promise):
        return str(value)
    return value


def lists_for(user: User) -> dict[str, ListExport]:
    """The registered lists ``user`` may export."""
    return {k: e for k, e in registry.lists().items() if e.may_export(user)}


def get_list(key: str, user: User) -> ListExport:
    entry = registry.get(key)
    if entry is None:
        raise FieldErrors({"list": [_("There is no list “%(key)s” to export.") % {"key": key}]})
    if not entry.may_export(user):
        raise Forbidden(_("You may not export this list."))
    return entry


# --- writing -----------------------------------------------------------------------------------

@dataclass
class Export:
    entry: ListExport
    queryset: QuerySet
    rows: int
    file_name: str


def start(user: User, key: str, params: Mapping[str, Any], fmt: str) -> Export:
    """Check, count and record the export; the caller streams ``csv_chunks`` or
    ``xlsx_file``."""
    if fmt not in ("csv", "xlsx"):
        raise FieldErrors({"format": [_("Choose CSV or XLSX.")]})
    entry = get_list(key, user)
    qs = entry.rows(user, params)
    count = qs.count()
    filters = {k: v for k, v in params.items() if k not in ("format", "page", "sort") and v}
    AuditEntry.objects.create(
        actor=user, action="integrations.exported",
        object_type=f"{entry.model._meta.app_label}.{entry.model._meta.model_name}",
        object_id="", object_repr=str(entry.label)[:200],
        data={"list": key, "filters": filters, "format": fmt, "rows": count})
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return Export(entry, qs, count, f"{key}-{stamp}.{fmt}")


def _values(export: Export) -> Iterator[list[Any]]:
    columns = export.entry.columns
    for obj in export.queryset.iterator(chunk_size=CHUNK):
        yield [neutralise(_text(c.value(obj))) for c in columns]


def csv_chunks(export: Export) -> Iterator[str]:
    """UTF-8 with BOM (Excel then reads Chinese correctly), a few hundred rows per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    writer.writerow([str(c.header) for c in export.entry.columns])
    for n, row in enumerate(_values(export), 1):
        writer.writerow(row)
        if n % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_file(export: Export) -> IO[bytes]:
    """An XLSX workbook written row by row in constant memory to a temporary file (deleted
    when closed); strings are written as strings, never as formulas."""
    import xlsxwriter

    out = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it)
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                     "strings_to_numbers": False, "strings_to_urls": False})
    sheet = book.add_worksheet(str(export.entry.label)[:31])
    bold = book.add_format({"bold": True})
    for col, column in enumerate(export.entry.columns):
        sheet.write_string(0, col, str(column.header), bold)
    for r, row in enumerate(_values(export), 1):
        for col, value in enumerate(row):
            if isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, str(value) if value is not None else "")
    book.close()
    out.seek(0)
    return out
