"""Pages: administering pipelines and their stages (administrators)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.core.access import get_visible
from guanxi.core.errors import DomainError
from guanxi.core.forms import add_domain_error
from guanxi.core.pages import done, page_template, posted
from guanxi.core.views import refusals_as_http
from guanxi.sales import permissions as perms
from guanxi.sales.models import Pipeline, Stage
from guanxi.sales.services import pipelines as svc


class PipelineForm(forms.Form):
    name_en = forms.CharField(label=gettext_lazy("Name (English)"), max_length=80)
    name_zh = forms.CharField(label=gettext_lazy("Name (Chinese)"), max_length=80,
                              required=False)
    is_default = forms.BooleanField(label=gettext_lazy("Default pipeline"), required=False)
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class StageForm(forms.Form):
    name_en = forms.CharField(label=gettext_lazy("Name (English)"), max_length=80)
    name_zh = forms.CharField(label=gettext_lazy("Name (Chinese)"), max_length=80,
                              required=False)
    probability = forms.IntegerField(label=gettext_lazy("Probability (%)"), min_value=0,
                                     max_value=100)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Stage.Kind.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def _admin(request: HttpRequest) -> None:
    if not perms.can_configure(request.user):
        raise PermissionDenied(_("This page is for administrators."))


@login_required
@refusals_as_http
def pipeline_list(request: HttpRequest) -> HttpResponse:
    _admin(request)
    pipelines = Pipeline.objects.annotate(
        open_count=Count("opportunities", filter=Q(opportunities__is_active=True,
                                                   opportunities__closed_at__isnull=True)))
    return render(request, "sales/opportunities/pipelines.html", {
        "pipelines": pipelines.prefetch_related("stages")})


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def pipeline_create(request: HttpRequest) -> HttpResponse:
    _admin(request)
    form = PipelineForm(posted(request))
    del form.fields["active"]
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            pipeline = svc.create_pipeline(request.user, data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Pipeline created."))
            return done(request, reverse("sales:pipeline", args=[pipeline.pk]))
    return render(request, "sales/opportunities/small_form.html", {
        "base": page_template(request), "form": form, "title": _("New pipeline"),
        "submit": _("Create"), "action": reverse("sales:pipeline_create"),
        "back": reverse("sales:pipelines")})


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def pipeline_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    pipeline = get_visible(Pipeline.objects.all(), pk=pk)
    form = PipelineForm(posted(request), initial={
        "name_en": pipeline.name_en, "name_zh": pipeline.name_zh,
        "is_default": pipeline.is_default, "active": pipeline.active,
        "version": pipeline.version})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            svc.update_pipeline(request.user, pipeline, version, data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("sales:pipeline", pk=pipeline.pk)
    stages = pipeline.stages.annotate(
        open_count=Count("opportunities", filter=Q(opportunities__is_active=True)))
    return render(request, "sales/opportunities/pipeline.html", {
        "pipeline": pipeline, "form": form, "stages": stages,
        "stage_form": StageForm(initial={"probability": 50, "kind": Stage.Kind.OPEN})})


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def stage_form(request: HttpRequest, pk: int | None = None,
               pipeline: int | None = None) -> HttpResponse:
    _admin(request)
    stage = get_visible(Stage.objects.select_related("pipeline"), pk=pk) if pk else None
    owner = stage.pipeline if stage else get_visible(Pipeline.objects.all(), pk=pipeline)
    initial = {"name_en": stage.name_en, "name_zh": stage.name_zh, "kind": stage.kind,
               "probability": stage.probability, "version": stage.version} if stage \
        else {"probability": 50, "kind": Stage.Kind.OPEN}
    form = StageForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            if stage is None:
                svc.add_stage(request.user, owner, data)
            else:
                svc.update_stage(request.user, stage, version, data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Stage saved."))
            return done(request, reverse("sales:pipeline", args=[owner.pk]))
    action = reverse("sales:stage_edit", args=[stage.pk]) if stage \
        else reverse("sales:stage_create", args=[owner.pk])
    return render(request, "sales/opportunities/small_form.html", {
        "base": page_template(request), "form": form,
        "title": _("Edit stage") if stage else _("New stage"), "submit": _("Save"),
        "action": action, "back": reverse("sales:pipeline", args=[owner.pk])})


@login_required
@refusals_as_http
@require_POST
def stage_action(request: HttpRequest, pk: int) -> HttpResponse:
    """Move up or down, deactivate, activate or delete a stage."""
    _admin(request)
    stage = get_visible(Stage.objects.select_related("pipeline"), pk=pk)
    pipeline = stage.pipeline
    action = request.POST.get("action")
    try:
        if action in ("up", "down"):
            ids = list(pipeline.stages.values_list("pk", flat=True))
            i = ids.index(stage.pk)
            j = i - 1 if action == "up" else i + 1
            if 0 <= j < len(ids):
                ids[i], ids[j] = ids[j], ids[i]
                svc.reorder_stages(request.user, pipeline, ids)
        elif action in ("deactivate", "activate"):
            svc.update_stage(request.user, stage, stage.version,
                             {"active": action == "activate"})
        elif action == "delete":
            svc.delete_stage(request.user, stage)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("sales:pipeline", pk=pipeline.pk)


urls: list = [
    path("pipelines/", pipeline_list, name="pipelines"),
    path("pipelines/new/", pipeline_create, name="pipeline_create"),
    path("pipelines/<int:pk>/", pipeline_edit, name="pipeline"),
    path("pipelines/<int:pipeline>/stages/new/", stage_form, name="stage_create"),
    path("stages/<int:pk>/", stage_form, name="stage_edit"),
    path("stages/<int:pk>/action/", stage_action, name="stage_action"),
]
