"""Reading import files: storing an upload safely, detecting the CSV encoding and delimiter,
and iterating the data rows of a CSV or XLSX file as lists of strings.

CSV encodings are detected without asking: strict UTF-8 (with or without BOM) first, then
GB18030 (a superset of GBK and GB2312, what Chinese Excel and ERPs write). Values are read as
text and never evaluated: a cell holding ``=1+1`` is the text ``=1+1``.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from guanxi.core.errors import DomainError

DELIMITERS = (",", ";", "\t", "|")
ENCODINGS = ("utf-8-sig", "gb18030")
MAX_BYTES = 512 * 1024 * 1024
csv.field_size_limit(10 * 1024 * 1024)


def storage_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class StoredFile:
    file_name: str
    file_format: str
    checksum: str
    size: int


def store_upload(chunks: Iterator[bytes], original_name: str) -> StoredFile:
    """Write the upload under a generated name (the user's file name never becomes a path)
    and compute its SHA-256 on the way."""
    suffix = Path(original_name or "").suffix.lower()
    if suffix not in (".csv", ".txt", ".tsv", ".xlsx"):
        raise DomainError(_("Upload a CSV or XLSX file."), field="file", code="file_type")
    file_format = "xlsx" if suffix == ".xlsx" else "csv"
    name = f"{uuid.uuid4().hex}.{file_format}"
    digest = hashlib.sha256()
    size = 0
    path = storage_dir() / name
    with path.open("wb") as out:
        for chunk in chunks:
            size += len(chunk)
            if size > MAX_BYTES:
                out.close()
                path.unlink(missing_ok=True)
                raise DomainError(_("The file is larger than 512 MB."), field="file",
                                  code="file_size")
            digest.update(chunk)
            out.write(chunk)
    if size == 0:
        path.unlink(missing_ok=True)
        raise DomainError(_("The file is empty."), field="file", code="file_empty")
    return StoredFile(name, file_format, digest.hexdigest(), size)


def file_path(file_name: str) -> Path:
    return storage_dir() / Path(file_name).name


def detect_encoding(path: Path) -> str:
    """The first encoding of ENCODINGS that decodes the whole file strictly."""
    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        try:
            with path.open("rb") as f:
                while chunk := f.read(1 << 20):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise DomainError(_("The file is neither UTF-8 nor GB18030 text. Save it as CSV UTF-8 "
                        "and upload it again."), field="file", code="encoding")


def detect_delimiter(path: Path, encoding: str) -> str:
    """The delimiter that splits the first lines into the same number (> 1) of columns; the
    one giving most columns wins, comma when nothing splits."""
    with path.open(encoding=encoding, newline="") as f:
        sample = [line for _n, line in zip(range(20), f, strict=False)]
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        widths = [len(r) for r in csv.reader(sample, delimiter=delimiter) if any(r)]
        if not widths or widths[0] < 2:
            continue
        consistent = sum(1 for w in widths if w == widths[0])
        score = (consistent, widths[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _text(value) -> str:
    """A cell as the text a person sees; numbers keep their digits (no 1.38e10)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(Decimal(repr(value))).removesuffix(".0") if value.is_integer() \
            else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _open_csv(path: Path, encoding: str) -> IO[str]:
    return path.open(encoding=encoding, newline="")


def iter_rows(path: Path, file_format: str, encoding: str = "", delimiter: str = ",",
              ) -> Iterator[list[str]]:
    """Every row of the file (header first) as a list of strings, blank rows left out."""
    if file_format == "xlsx":
        yield from _xlsx_rows(path)
        return
    with _open_csv(path, encoding or "utf-8-sig") as f:
        for row in csv.reader(f, delimiter=delimiter or ","):
            if any(cell.strip() for cell in row):
                yield row


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # data_only=False: a formula cell gives its formula text, never a computed value.
        book = load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise DomainError(_("This is not a readable XLSX workbook."), field="file",
                          code="file_type") from exc
    try:
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            row = [_text(v) for v in values]
            while row and row[-1] == "":
                row.pop()
            if any(cell.strip() for cell in row):
                yield row
    finally:
        book.close()


def inspect(path: Path, file_format: str) -> tuple[str, str, list[str]]:
    """(encoding, delimiter, header row) of a stored file."""
    encoding = delimiter = ""
    if file_format == "csv":
        encoding = detect_encoding(path)
        delimiter = detect_delimiter(path, encoding)
    header = next(iter_rows(path, file_format, encoding, delimiter), None)
    if not header:
        raise DomainError(_("The file has no header row."), field="file", code="no_header")
    return encoding, delimiter, [h.strip() for h in header]
