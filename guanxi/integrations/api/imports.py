"""API: imports — upload a file, set the column mapping, preview, confirm, follow the counts,
resume, download the rejected rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from guanxi.core.errors import Forbidden
from guanxi.core.schemas import Id, Int, Version
from guanxi.integrations import permissions as perms
from guanxi.integrations.models import ImportJob
from guanxi.integrations.services import imports

router = Router(tags=["imports"])


class TargetOut(Schema):
    key: str
    label: str
    required: bool


class KindOut(Schema):
    key: str
    label: str
    fields: list[TargetOut]


class JobOut(Schema):
    id: int
    kind: str
    original_name: str
    status: str
    encoding: str
    delimiter: str
    headers: list[str]
    mapping: dict[str, str] = Field(description="{column index: field key}")
    policy: str
    total: int
    imported: int
    updated: int
    skipped: int = Field(description="rows already in Guanxi, left alone (policy skip)")
    rejected: int
    last_batch: int
    percent: int
    checksum: str
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    version: int


class MappingIn(Schema):
    mapping: dict[str, str] = Field(description="{column index: field key}; '' skips a column")
    policy: str | None = Field(None, description="skip, update or create")
    version: Version
    template_name: str | None = Field(None, description="also save the mapping under this name")


class ImportVersionIn(Schema):
    version: Version


class PreviewRowOut(Schema):
    row: int
    outcome: str
    error: str
    values: list[str]


def _job(request: HttpRequest, job_id: int) -> ImportJob:
    return imports.get_job(request.auth, job_id)


@router.get("/imports/kinds", response=list[KindOut])
def import_kinds(request: HttpRequest):
    """What the user may import, with each kind's fields."""
    return [{"key": k.key, "label": str(k.label),
             "fields": [{"key": t.key, "label": str(t.label), "required": t.required}
                        for t in k.targets]} for k in imports.importable_kinds(request.auth)]


@router.get("/imports", response=list[JobOut])
def list_imports(request: HttpRequest):
    return list(imports.visible_jobs(request.auth)[:100])


@router.post("/imports", response={201: JobOut})
def create_import(request: HttpRequest, file: File[UploadedFile],
                  kind: Form[str], policy: Form[str] = "skip"):
    """Upload a CSV or XLSX file (at most GUANXI_UPLOAD_MAX_MB; 413 when larger, 400 for a file
    that is not what it claims). The job starts as "reading": poll it until it is "draft"
    (with the detected encoding, delimiter, header and suggested mapping) or "failed" (with
    the reason in ``error``; the file is not kept)."""
    if not perms.can_import(request.auth):
        raise Forbidden(_("Your role cannot import data."))
    job = imports.create_job(request.auth, kind, file.chunks(), file.name or "upload.csv",
                             policy=policy)
    return Status(201, job)


@router.get("/imports/{job_id}", response=JobOut)
def get_import(request: HttpRequest, job_id: Id):
    """Status and counts (poll this while the file is read and while the import runs)."""
    return _job(request, job_id)


@router.put("/imports/{job_id}/mapping", response=JobOut)
def set_mapping(request: HttpRequest, job_id: Id, payload: MappingIn):
    job = _job(request, job_id)
    imports.set_mapping(request.auth, job, payload.mapping, payload.version,
                        policy=payload.policy)
    if payload.template_name:
        imports.save_template(request.auth, job, payload.template_name)
    return job


@router.get("/imports/{job_id}/preview", response=list[PreviewRowOut])
def preview_import(request: HttpRequest, job_id: Id, limit: Int = 20):
    """The first rows as they would be imported now, nothing kept."""
    job = _job(request, job_id)
    items = imports.preview(request.auth, job, limit=max(1, min(limit, 200)))
    return [{"row": i.row, "outcome": i.outcome, "error": i.error, "values": i.raw}
            for i in items]


@router.post("/imports/{job_id}/confirm", response={202: JobOut})
def confirm_import(request: HttpRequest, job_id: Id, payload: ImportVersionIn):
    """Queue the import; a background worker runs it in batches."""
    job = _job(request, job_id)
    return Status(202, imports.confirm(request.auth, job, payload.version))


@router.post("/imports/{job_id}/resume", response={202: JobOut})
def resume_import(request: HttpRequest, job_id: Id):
    """Continue a stopped or failed import after its last committed batch."""
    job = _job(request, job_id)
    return Status(202, imports.resume(request.auth, job))


@router.get("/imports/{job_id}/rejected", response={200: Any})
def rejected_rows(request: HttpRequest, job_id: Id):
    """The rejected rows as CSV (UTF-8 with BOM): the original columns, row number, reason."""
    job = _job(request, job_id)
    response = StreamingHttpResponse(imports.rejected_csv(job),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{imports.rejected_file_name(job)}"'
    return response
