"""The service settings pages: SLA policies, business hours, holidays, assignment rules, teams."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.core.access import get_visible
from guanxi.core.errors import DomainError
from guanxi.core.forms import add_domain_error
from guanxi.core.views import refusals_as_http
from guanxi.service import forms as f
from guanxi.service import permissions as perms
from guanxi.service.models import AssignmentRule, Holiday, ServiceTeam, SlaPolicy
from guanxi.service.selectors import cases as sel
from guanxi.service.services import sla_settings as services

WEEKDAYS = (_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"),
            _("Saturday"), _("Sunday"))


def _require(request: HttpRequest) -> None:
    if not perms.can_manage_settings(request.user):
        raise PermissionDenied(_("The service settings are for service managers and "
                                 "administrators."))


@login_required
@refusals_as_http
def overview(request: HttpRequest) -> HttpResponse:
    _require(request)
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 1900), 2999)
    return render(request, "service/settings/overview.html", {
        "policies": sel.policies(), "rules": sel.rules(), "teams": sel.teams(),
        "holidays": sel.holidays(year), "year": year, "holiday_form": f.HolidayForm(),
        "settings_row": sel.settings_row()})


def _edit(request: HttpRequest, model: type, form_class: type, pk: int | None,
          title: str) -> HttpResponse:
    _require(request)
    instance = get_visible(model.objects.all(), pk=pk) if pk is not None else None
    initial = {"version": instance.version} if instance is not None else {}
    form = form_class(request.POST or None, instance=instance, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        try:
            services.save_record(request.user, model, instance, data, version)
            messages.success(request, _("Saved."))
            return redirect("service:settings")
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(request, "service/settings/form.html", {"form": form, "title": title})


@require_http_methods(["GET", "POST"])
@login_required
@refusals_as_http
def policy_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return _edit(request, SlaPolicy, f.PolicyForm, pk, _("SLA policy"))


@require_http_methods(["GET", "POST"])
@login_required
@refusals_as_http
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return _edit(request, AssignmentRule, f.RuleForm, pk, _("Assignment rule"))


@require_http_methods(["GET", "POST"])
@login_required
@refusals_as_http
def team_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return _edit(request, ServiceTeam, f.TeamForm, pk, _("Service team"))


@require_POST
@login_required
@refusals_as_http
def holiday_add(request: HttpRequest) -> HttpResponse:
    _require(request)
    form = f.HolidayForm(request.POST)
    if form.is_valid():
        try:
            d = form.cleaned_data
            services.add_holiday(request.user, d["date"], d["kind"], d["name"])
            messages.success(request, _("Holiday calendar updated; due times are being "
                                        "recomputed."))
            return redirect(f"{_settings_url()}?year={d['date'].year}")
        except DomainError as exc:
            add_domain_error(form, exc)
    response = render(request, "service/settings/form.html",
                      {"form": form, "title": _("Holiday")})
    response.status_code = 400
    return response


def _settings_url() -> str:
    from django.urls import reverse
    return reverse("service:settings")


@require_POST
@login_required
@refusals_as_http
def holiday_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    holiday = get_visible(Holiday.objects.all(), pk=pk)
    services.remove_holiday(request.user, holiday)
    messages.success(request, _("Holiday calendar updated; due times are being recomputed."))
    return redirect(f"{_settings_url()}?year={holiday.date.year}")


@require_http_methods(["GET", "POST"])
@login_required
@refusals_as_http
def hours_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require(request)
    team = get_visible(ServiceTeam.objects.all(), pk=pk) if pk is not None else None
    initial: dict[str, Any] = {}
    for row in sel.business_hours(team):
        initial.setdefault(f"start_{row.weekday}", row.start)
        initial[f"end_{row.weekday}"] = row.end
    form = f.HoursForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        spans = {wd: ((d[f"start_{wd}"], d[f"end_{wd}"])
                      if d[f"start_{wd}"] and d[f"end_{wd}"] else None) for wd in range(7)}
        try:
            services.set_hours(request.user, team, spans)
            messages.success(request, _("Business hours saved; due times are being "
                                        "recomputed."))
            return redirect("service:settings")
        except DomainError as exc:
            add_domain_error(form, exc)
    days = [(WEEKDAYS[wd], form[f"start_{wd}"], form[f"end_{wd}"]) for wd in range(7)]
    return render(request, "service/settings/hours.html",
                  {"form": form, "team": team, "days": days})
