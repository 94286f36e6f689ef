"""Pages: imports — upload, map the columns, preview, confirm, follow the progress, read the
result and download the rejected rows; the list of past imports."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from guanxi.core.errors import DomainError, FieldErrors, Forbidden, NotFound
from guanxi.core.forms import add_domain_error
from guanxi.core.views import refusals_as_http
from guanxi.integrations import permissions as perms
from guanxi.integrations.models import ImportJob
from guanxi.integrations.services import imports
from guanxi.integrations.services.imports_kinds import get_kind

S = ImportJob.Status


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("The file holds"))
    file = forms.FileField(label=gettext_lazy("CSV or XLSX file"),
                           help_text=gettext_lazy("UTF-8 or GB18030 text; comma, semicolon, "
                                                  "tab or | between columns; first row = "
                                                  "column names."))
    policy = forms.ChoiceField(label=gettext_lazy("Records already in Guanxi"),
                               choices=ImportJob.Policy.choices)
    template = forms.ChoiceField(label=gettext_lazy("Saved mapping"), required=False)

    def __init__(self, user, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.key, k.label) for k in imports.importable_kinds(user)]
        self.fields["template"].choices = [("", "—")] + [
            (str(t.pk), f"{t.name} ({t.kind})") for t in imports.templates_for(user)]


def _require_importer(request: HttpRequest) -> None:
    if not perms.can_import(request.user):
        raise PermissionDenied(_("Your role cannot import data."))


@login_required
@refusals_as_http
def import_list(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    form = UploadForm(request.user)
    status = 200
    if request.method == "POST":
        form = UploadForm(request.user, request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            template = imports.templates_for(request.user).filter(
                pk=data["template"]).first() if data["template"] else None
            upload = data["file"]
            try:
                job = imports.create_job(request.user, data["kind"], upload.chunks(),
                                         upload.name, policy=data["policy"], template=template)
            except (Forbidden, NotFound):
                raise
            except DomainError as exc:
                add_domain_error(form, exc)
                status = 400
            else:
                return redirect("integrations:import_detail", pk=job.pk)
        else:
            status = 400
    jobs = imports.visible_jobs(request.user)[:50]
    return render(request, "integrations/imports/list.html", {"form": form, "jobs": jobs},
                  status=status)


def _columns(job: ImportJob):
    kind = get_kind(job.kind)
    return [(str(i), header, job.mapping.get(str(i), "")) for i, header in
            enumerate(job.headers)], kind


@login_required
@refusals_as_http
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = imports.get_job(request.user, pk)
    columns, kind = _columns(job)
    context = {"job": job, "columns": columns, "kind": kind,
               "mine": job.created_by_id == request.user.pk,
               "policies": ImportJob.Policy.choices}
    if job.status in (S.DRAFT, S.PREVIEWED) and context["mine"]:
        try:
            context["preview"] = imports.preview(request.user, job)
        except FieldErrors as exc:
            context["mapping_errors"] = exc.errors.get("mapping", [exc.message])
        context["previous"] = imports.previous_run(job)
    return render(request, "integrations/imports/detail.html", context)


@require_POST
@login_required
@refusals_as_http
def import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    job = imports.get_job(request.user, pk)
    mapping = {str(i): request.POST.get(f"col_{i}", "") for i in range(len(job.headers))}
    try:
        imports.set_mapping(request.user, job, mapping, int(request.POST.get("version", 0)),
                            policy=request.POST.get("policy") or None)
        if request.POST.get("template_name", "").strip():
            imports.save_template(request.user, job, request.POST["template_name"])
            messages.success(request, _("Mapping saved as a template."))
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        errors = getattr(exc, "errors", {}) or {"mapping": [exc.message]}
        for msgs in errors.values():
            for msg in msgs:
                messages.error(request, msg)
    return redirect("integrations:import_detail", pk=job.pk)


@require_POST
@login_required
@refusals_as_http
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    job = imports.get_job(request.user, pk)
    try:
        imports.confirm(request.user, job, int(request.POST.get("version", 0)))
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("integrations:import_detail", pk=job.pk)


@require_POST
@login_required
@refusals_as_http
def import_resume(request: HttpRequest, pk: int) -> HttpResponse:
    job = imports.get_job(request.user, pk)
    try:
        imports.resume(request.user, job)
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("integrations:import_detail", pk=job.pk)


@require_GET
@login_required
@refusals_as_http
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = imports.get_job(request.user, pk)
    response = render(request, "integrations/imports/_progress.html", {"job": job})
    if not job.is_busy:
        response["HX-Refresh"] = "true"  # show the mapping or the result
    return response


@require_GET
@login_required
@refusals_as_http
def import_rejected(request: HttpRequest, pk: int) -> HttpResponse:
    job = imports.get_job(request.user, pk)
    response = StreamingHttpResponse(imports.rejected_csv(job),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{imports.rejected_file_name(job)}"'
    return response


urls = [
    path("imports/", import_list, name="imports"),
    path("imports/<int:pk>/", import_detail, name="import_detail"),
    path("imports/<int:pk>/mapping/", import_mapping, name="import_mapping"),
    path("imports/<int:pk>/confirm/", import_confirm, name="import_confirm"),
    path("imports/<int:pk>/resume/", import_resume, name="import_resume"),
    path("imports/<int:pk>/progress/", import_progress, name="import_progress"),
    path("imports/<int:pk>/rejected.csv", import_rejected, name="import_rejected"),
]
