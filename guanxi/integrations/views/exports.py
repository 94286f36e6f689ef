"""Pages: exports — any registered list as CSV (streamed) or XLSX, with the page's filters and
the user's scope."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from guanxi.core.errors import FieldErrors
from guanxi.core.views import refusals_as_http
from guanxi.integrations.services import exports


def export_response(request: HttpRequest, key: str) -> HttpResponse:
    """The file, or 400 with the message for a bad list, format or filter."""
    fmt = request.GET.get("format", "csv")
    try:
        export = exports.start(request.user, key, request.GET, fmt)
    except FieldErrors as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    if fmt == "xlsx":
        return FileResponse(exports.xlsx_file(export), as_attachment=True,
                            filename=export.file_name)
    response = StreamingHttpResponse(exports.csv_chunks(export),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    return response


@require_GET
@login_required
@refusals_as_http
def export_list(request: HttpRequest, key: str) -> HttpResponse:
    return export_response(request, key)


urls = [path("exports/<slug:key>/", export_list, name="export")]
