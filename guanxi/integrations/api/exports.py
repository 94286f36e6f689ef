"""API: exports — any registered list as CSV or XLSX, with the user's scope; the list's filters
are passed as query parameters, as on its page."""

from __future__ import annotations

from typing import Any, Literal

from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from ninja import Router, Schema

from guanxi.integrations.services import exports

router = Router(tags=["exports"])


class ListOut(Schema):
    key: str
    label: str
    columns: list[str]


@router.get("/exports", response=list[ListOut])
def export_lists(request: HttpRequest):
    return [{"key": e.key, "label": str(e.label), "columns": [str(c.header) for c in e.columns]}
            for e in exports.lists_for(request.auth).values()]


@router.get("/exports/{key}", response={200: Any})
def export_list(request: HttpRequest, key: str, format: Literal["csv", "xlsx"] = "csv"):  # noqa: A002
    """The list as a file. Other query parameters filter it as on the list's page (customers:
    q, owner, industry, size, source, approval, tag, pool, below, team, province, cf_<key>)."""
    export = exports.start(request.auth, key, request.GET, format)
    if format == "xlsx":
        return FileResponse(exports.xlsx_file(export), as_attachment=True,
                            filename=export.file_name)
    response = StreamingHttpResponse(exports.csv_chunks(export),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    return response
