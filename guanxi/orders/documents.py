"""Files attached to tenders and contracts: what we accept and how we keep it.

An upload is accepted when its size is within ``GUANXI_DOCUMENT_MAX_MB``, its extension is on
the allow-list AND its first bytes say the same thing (an .exe renamed .pdf is refused). The
user's file name is only ever shown (cleaned of path parts and control characters); the file is
stored under a random key, with its size and SHA-256, and served with our own content type,
never the browser's, as an attachment.
"""

from __future__ import annotations

import hashlib
import io
import os
import unicodedata
from typing import Any

from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.core import audit, uploads
from guanxi.core.errors import DomainError, Forbidden
from guanxi.core.uploads import JPEG, OLE, PDF, PNG, TEXT, ZIP
from guanxi.orders import permissions as perms
from guanxi.orders.models import Contract, Document, Tender

# extension → (what its content must be, the content type we serve it with)
ALLOWED: dict[str, tuple[str, str]] = {
    "pdf": (PDF, "application/pdf"),
    "doc": (OLE, "application/msword"),
    "xls": (OLE, "application/vnd.ms-excel"),
    "ppt": (OLE, "application/vnd.ms-powerpoint"),
    "docx": (ZIP, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": (ZIP, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pptx": (ZIP, "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "zip": (ZIP, "application/zip"),
    "ofd": (ZIP, "application/ofd"),
    "jpg": (JPEG, "image/jpeg"),
    "jpeg": (JPEG, "image/jpeg"),
    "png": (PNG, "image/png"),
    "txt": (TEXT, "text/plain; charset=utf-8"),
}
OOXML = {"docx", "xlsx", "pptx"}
NAME_LIMIT = 200


def max_bytes() -> int:
    return uploads.max_bytes(settings.GUANXI_DOCUMENT_MAX_MB)


def clean_name(raw: str) -> str:
    """The name to show: no directories (either slash), no control or format characters,
    at most 200 characters with the extension kept."""
    name = str(raw or "").replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.strip().lstrip(".").strip()
    if len(name) > NAME_LIMIT:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[:NAME_LIMIT - len(ext) - 1] + "." + ext
        else:
            name = name[:NAME_LIMIT]
    return name


def extension(name: str) -> str:
    _stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot else ""


def _read_all(uploaded: Any) -> bytes:
    if hasattr(uploaded, "seek"):
        uploaded.seek(0)
    return b"".join(uploaded.chunks()) if hasattr(uploaded, "chunks") else uploaded.read()


def sniff_matches(ext: str, data: bytes) -> bool:
    """Whether the content is what the extension claims."""
    kind = ALLOWED[ext][0]
    if kind == TEXT:
        sample = data[:uploads.TEXT_SNIFF_BYTES]
        return uploads.is_text(sample, final=len(data) <= uploads.TEXT_SNIFF_BYTES)
    if not uploads.has_magic(kind, data):
        return False
    if ext in OOXML or ext == "ofd":
        names = uploads.zip_names(io.BytesIO(data))
        if names is None:
            return False
        if ext in OOXML:
            return "[Content_Types].xml" in names
        return any(n.lower() == "ofd.xml" for n in names)
    return True


def validate(uploaded: Any) -> tuple[str, str, bytes]:
    """(display name, content type, content) of an acceptable upload, or a DomainError at
    "file"."""
    if uploaded is None:
        raise DomainError(_("Choose a file."), field="file", code="required")
    uploads.check_size(getattr(uploaded, "size", None) or None,
                       settings.GUANXI_DOCUMENT_MAX_MB)
    name = clean_name(getattr(uploaded, "name", ""))
    ext = extension(name)
    if ext not in ALLOWED:
        raise DomainError(_("This kind of file is not accepted. Upload PDF, Word, Excel, "
                            "PowerPoint, OFD, JPEG, PNG, ZIP or text files."), field="file",
                          code="bad_extension")
    data = _read_all(uploaded)
    uploads.check_size(len(data), settings.GUANXI_DOCUMENT_MAX_MB)
    if not sniff_matches(ext, data):
        raise DomainError(_("The file's content is not a .%(ext)s file.") % {"ext": ext},
                          field="file", code="content_mismatch")
    return name, ALLOWED[ext][1], data


# --- Listing ---------------------------------------------------------------------------------

def parent_of(document: Document) -> Tender | Contract:
    return document.tender if document.tender_id else document.contract


def listed(user: User, parent) -> list[Document]:
    """The documents of a tender or contract, each marked ``deletable`` for ``user``."""
    docs = list(parent.documents.select_related("uploaded_by"))
    for doc in docs:
        doc.deletable = perms.can_delete_document(user, doc)
    return docs


# --- Writes --------------------------------------------------------------------------------

def store_upload(actor: User, uploaded_file: Any, *, tender: Tender | None = None,
                 contract: Contract | None = None, kind: str = "") -> Document:
    """Validate ``uploaded_file`` and attach it to ``tender`` or ``contract``."""
    if (tender is None) == (contract is None):
        raise DomainError(_("A document belongs to one tender or one contract."))
    parent = tender or contract
    if not perms.can_attach_document(actor, parent):
        raise Forbidden(_("Only whoever may edit this record can attach documents."))
    name, content_type, data = validate(uploaded_file)
    if not name or name == f".{extension(name)}":
        name = f"document.{extension(name)}"
    document = Document(tender=tender, contract=contract, kind=str(kind or "").strip()[:40],
                        name=name, content_type=content_type, size=len(data),
                        sha256=hashlib.sha256(data).hexdigest(), uploaded_by=actor)
    document.storage_key = os.urandom(16).hex()
    document.file.save(document.storage_key, File(io.BytesIO(data)), save=False)
    try:
        with transaction.atomic():
            document.save()
            audit.log(actor, "orders.document.uploaded", parent,
                      data={"document": document.pk, "name": name, "size": len(data),
                            "sha256": document.sha256, "kind": document.kind})
    except Exception:
        document.file.storage.delete(document.file.name)
        raise
    return document


def delete_document(actor: User, document: Document) -> None:
    """Remove the record and, once that is committed, the stored file."""
    if not perms.can_delete_document(actor, document):
        raise Forbidden(_("Only whoever uploaded it, the record's owner or an administrator "
                          "can delete this document."))
    parent = parent_of(document)
    storage, stored = document.file.storage, document.file.name
    with transaction.atomic():
        audit.log(actor, "orders.document.deleted", parent,
                  data={"document": document.pk, "name": document.name,
                        "sha256": document.sha256})
        document.delete()
        transaction.on_commit(lambda: storage.delete(stored))
