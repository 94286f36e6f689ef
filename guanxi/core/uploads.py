"""Accepting files: the one path every upload takes (imports, tender and contract documents).

- **Size.** At most ``GUANXI_UPLOAD_MAX_MB`` (a feature may set a lower limit); larger is
  refused with 413 at the field ``file``, an empty file with 400.
- **Type by content**, never by the name alone: CSV must be text in UTF-8 (with or without
  BOM) or GB18030; XLSX a zip holding the OOXML parts; documents start with the magic bytes of
  what their extension claims (PDF, OLE for .doc/.xls/.ppt, zip, JPEG, PNG).
- **CSV values** longer than ``MAX_CSV_FIELD`` are refused (the readers say at which line).
- **Zip bombs.** A workbook is opened only after its zip directory says it expands to at most
  ``XLSX_MAX_RATIO`` times its size per part and ``unzipped_max_bytes()`` in all (zipfile
  itself refuses a part that inflates past its declared size).
- **Storage.** Files go through Django's storage API under a generated name (the local folder,
  or an S3-compatible bucket shared by every process: ``guanxi.core.object_storage``);
  whatever fails after the first byte is written removes the file again. Downloads are
  streamed by the app, or handed out as a short-lived signed URL (``signed_url``).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import Storage, default_storage
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from guanxi.core.errors import DomainError

PDF, ZIP, OLE, JPEG, PNG, TEXT = "pdf", "zip", "ole", "jpeg", "png", "text"
MAGIC = {
    PDF: (b"%PDF-",),
    ZIP: (b"PK\x03\x04", b"PK\x05\x06"),
    OLE: (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    JPEG: (b"\xff\xd8\xff",),
    PNG: (b"\x89PNG\r\n\x1a\n",),
}
TEXT_ENCODINGS = ("utf-8", "gb18030")  # utf-8 covers a BOM too
TEXT_SNIFF_BYTES = 1024 * 1024
XLSX_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
XLSX_MAX_RATIO = 100  # XML of real sheets compresses 5–30 times; a bomb, thousands
# One CSV value: a long note fits; a value larger than this is not a list to import. Set for
# the process (the csv module has one limit), refused as an error at "file" by the readers.
MAX_CSV_FIELD = 1024 * 1024
csv.field_size_limit(MAX_CSV_FIELD)


class TooLarge(DomainError):
    status = 413


def max_mb(limit_mb: int | None = None) -> int:
    upload = int(settings.GUANXI_UPLOAD_MAX_MB)
    return min(upload, int(limit_mb)) if limit_mb else upload


def max_bytes(limit_mb: int | None = None) -> int:
    return max_mb(limit_mb) * 1024 * 1024


def unzipped_max_bytes() -> int:
    """What a workbook may expand to in all: room for a full-size, well-compressed one."""
    return 20 * max_bytes()


def too_large(limit_mb: int | None = None) -> TooLarge:
    return TooLarge(_("The file is larger than %(mb)s MB.") % {"mb": max_mb(limit_mb)},
                    field="file", code="too_large")


def check_size(size: int | None, limit_mb: int | None = None) -> None:
    if size is not None and size > max_bytes(limit_mb):
        raise too_large(limit_mb)
    if size == 0:
        raise DomainError(_("The file is empty."), field="file", code="empty")


# --- content -----------------------------------------------------------------------------------

def has_magic(kind: str, head: bytes) -> bool:
    return head.startswith(MAGIC[kind])


def is_text(sample: bytes, final: bool) -> bool:
    """Text in one of TEXT_ENCODINGS, with no NUL byte (a character cut at the sample's end is
    fine unless the sample is the whole file)."""
    if b"\x00" in sample:
        return False
    for encoding in TEXT_ENCODINGS:
        try:
            codecs.getincrementaldecoder(encoding)().decode(sample, final=final)
        except UnicodeDecodeError:
            continue
        return True
    return False


def zip_names(f: IO[bytes]) -> set[str] | None:
    """The member names of a zip file, None when it is not one."""
    try:
        with zipfile.ZipFile(f) as z:
            return set(z.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return None


def not_xlsx() -> DomainError:
    return DomainError(_("This is not a readable XLSX workbook."), field="file",
                       code="file_type")


def check_xlsx(f: IO[bytes]) -> None:
    """A zip with the workbook parts that does not expand beyond the limits; reads only the
    zip's directory."""
    try:
        with zipfile.ZipFile(f) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise not_xlsx() from exc
    names = {i.filename for i in infos}
    if not all(part in names for part in XLSX_PARTS):
        raise not_xlsx()
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > 1024 * 1024 and \
                info.file_size > XLSX_MAX_RATIO * max(info.compress_size, 1):
            raise DomainError(_("This workbook expands to far more than its size (a "
                                "compression bomb?); it is not read."), field="file",
                              code="file_bomb")
    if total > unzipped_max_bytes():
        raise DomainError(_("This workbook expands to more than %(mb)s MB; split it into "
                            "smaller files.") % {"mb": unzipped_max_bytes() // (1024 * 1024)},
                          field="file", code="file_bomb")


def check_csv(f: IO[bytes]) -> None:
    """The start of the file is text we can read (the worker decodes the whole file)."""
    sample = f.read(TEXT_SNIFF_BYTES + 1)
    final = len(sample) <= TEXT_SNIFF_BYTES
    if not is_text(sample[:TEXT_SNIFF_BYTES], final):
        raise DomainError(_("The file is neither UTF-8 nor GB18030 text. Save it as CSV "
                            "UTF-8 and upload it again."), field="file", code="encoding")


# --- storage -----------------------------------------------------------------------------------

@dataclass
class Stored:
    name: str  # the storage name
    size: int
    checksum: str  # SHA-256


class _Counted(io.RawIOBase):
    """Chunks read by the storage as a stream (the local folder asks for chunks, an object
    store reads it like a file), counted and hashed on the way; past the limit it stops."""

    def __init__(self, chunks: Iterable[bytes], limit: int, limit_mb: int | None) -> None:
        super().__init__()
        self._chunks, self.limit, self.limit_mb = iter(chunks), limit, limit_mb
        self.count, self.digest = 0, hashlib.sha256()
        self._pending, self._at = memoryview(b""), 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while self._at >= len(self._pending):
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self.count += len(chunk)
            if self.count > self.limit:
                raise too_large(self.limit_mb)
            self.digest.update(chunk)
            self._pending, self._at = memoryview(chunk), 0
        n = min(len(buffer), len(self._pending) - self._at)
        buffer[:n] = self._pending[self._at:self._at + n]
        self._at += n
        return n


def save(chunks: Iterable[bytes], name: str, limit_mb: int | None = None, *,
         any_size: bool = False) -> Stored:
    """Store an upload under ``name`` (generated by the caller, never the user's file name).
    ``any_size``: a file given by the operator on the command line, not over the web."""
    limit = 1 << 62 if any_size else max_bytes(limit_mb)
    content = _Counted(chunks, limit, limit_mb)
    try:
        stored = default_storage.save(name, File(content, name="upload"))
        # The operator's own file (any_size) is only checked for being empty.
        check_size(min(content.count, 1) if any_size else content.count, limit_mb)
    except BaseException:
        delete(name)
        raise
    return Stored(stored, content.count, content.digest.hexdigest())


def signed_url(storage: Storage, name: str, filename: str, content_type: str) -> str | None:
    """A short-lived URL from which an object store hands out the file itself as an
    attachment (after the caller checked who asks), when GUANXI_S3_SIGNED_DOWNLOADS is on;
    None for the local folder: the app streams it."""
    if not settings.GUANXI_S3_SIGNED_DOWNLOADS or not getattr(storage, "querystring_auth",
                                                                 False):
        return None
    return str(storage.url(name, parameters={
        "ResponseContentDisposition": content_disposition_header(True, filename),
        "ResponseContentType": content_type}, expire=settings.GUANXI_S3_URL_SECONDS))


def open_file(name: str) -> IO[bytes]:
    return default_storage.open(name, "rb")


class _Body(io.RawIOBase):
    """An object's body as it arrives from the store."""

    def __init__(self, body: Any) -> None:
        super().__init__()
        self.body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.body.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        self.body.close()
        super().close()


def open_stream(name: str) -> IO[bytes]:
    """A stored file to read from start to end (CSV rows). From an object store it is streamed
    as it arrives: reading a preview's first rows of a large file does not fetch all of it
    (``open_file`` fetches the whole object first, to a temporary file past a few MB, which
    what seeks needs: workbooks)."""
    bucket = getattr(default_storage, "bucket", None)
    if bucket is None:
        return open_file(name)
    from botocore.exceptions import ClientError
    from storages.utils import clean_name

    key = default_storage._normalize_name(clean_name(name))  # with the prefix, as it saves
    try:
        body = bucket.Object(key).get()["Body"]
    except ClientError as exc:
        if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
            raise FileNotFoundError(name) from exc
        raise
    return io.BufferedReader(_Body(body), 1 << 20)


def exists(name: str) -> bool:
    return bool(name) and default_storage.exists(name)


def delete(name: str) -> None:
    """Remove a stored file; a missing one is fine."""
    if name:
        default_storage.delete(name)
