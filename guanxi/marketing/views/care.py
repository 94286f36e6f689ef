"""Customer care pages: greeting rules (list, new, edit, stop and start again, the preview of
who gets the next greeting and when, the history of what was sent) and the holiday calendar
the holiday greetings follow. Marketing and administrators set them up; managers and
executives read them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.core.errors import DomainError, FieldErrors
from guanxi.core.forms import DateInput, add_domain_error
from guanxi.core.views import refusals_as_http
from guanxi.marketing import permissions as perms
from guanxi.marketing.models import GreetingRule, GreetingSent, Holiday, SmsTemplate
from guanxi.marketing.selectors import greetings as sel
from guanxi.marketing.services import greetings as svc


def _require_view(request: HttpRequest) -> None:
    if not perms.can_view_care(request.user):
        raise PermissionDenied


def _require_manage(request: HttpRequest) -> None:
    if not perms.can_manage_care(request.user):
        raise PermissionDenied


class GreetingRuleForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    occasion = forms.ChoiceField(label=gettext_lazy("Occasion"),
                                 choices=GreetingRule.Occasion.choices)
    holiday_key = forms.ChoiceField(label=gettext_lazy("Holiday"), required=False,
                                    help_text=gettext_lazy("For holiday greetings."))
    send_on = forms.DateField(label=gettext_lazy("Send on"), required=False, widget=DateInput(),
                              help_text=gettext_lazy("For notices: the day they go out."))
    days_before = forms.IntegerField(label=gettext_lazy("Days before"), min_value=0,
                                     max_value=365, initial=0)
    channel = forms.ChoiceField(label=gettext_lazy("Channel"),
                                choices=GreetingRule.Channel.choices)
    sms_template = forms.ChoiceField(label=gettext_lazy("SMS template"), required=False,
                                     help_text=gettext_lazy("For SMS: an approved template."))
    subject_zh = forms.CharField(label=gettext_lazy("Subject (Chinese)"), max_length=300,
                                 required=False)
    subject_en = forms.CharField(label=gettext_lazy("Subject (English)"), max_length=300,
                                 required=False)
    body_zh = forms.CharField(label=gettext_lazy("Message (Chinese)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))
    body_en = forms.CharField(label=gettext_lazy("Message (English)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names: dict[str, str] = {}
        for key, zh, en in Holiday.objects.order_by("date").values_list("key", "name_zh",
                                                                          "name_en"):
            names.setdefault(key, f"{zh} / {en}" if en else zh)
        self.fields["holiday_key"].choices = [("", "—"), *names.items()]
        self.fields["sms_template"].choices = [("", "—"), *(
            (t.code, f"{t.code} {t.name}") for t in SmsTemplate.objects.filter(active=True))]


def _rule_data(form: GreetingRuleForm) -> dict[str, Any]:
    data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    data["days_before"] = data.get("days_before") or 0
    return data


@login_required
@refusals_as_http
def greeting_list(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    return render(request, "marketing/greeting_list.html", {
        "rules": sel.visible_rules(request.user).order_by("-active", "name"),
        "can_manage": perms.can_manage_care(request.user)})


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def greeting_create(request: HttpRequest) -> HttpResponse:
    _require_manage(request)
    form = GreetingRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rule = svc.create_rule(request.user, _rule_data(form))
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("marketing:greeting", pk=rule.pk)
    return render(request, "marketing/greeting_form.html", {"form": form, "rule": None},
                  status=400 if form.errors else 200)


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def greeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    rule = get_object_or_404(GreetingRule, pk=pk)
    initial = {f: getattr(rule, f) for f in svc.RULE_FIELDS} | {"version": rule.version}
    form = GreetingRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            svc.update_rule(request.user, rule, form.cleaned_data.get("version"),
                            _rule_data(form) | {"active": rule.active})
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("marketing:greeting", pk=rule.pk)
    return render(request, "marketing/greeting_form.html", {"form": form, "rule": rule},
                  status=400 if form.errors else 200)


@login_required
@refusals_as_http
def greeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_view(request)
    rule = get_object_or_404(GreetingRule, pk=pk)
    status = request.GET.get("status", "")
    counts = sel.history_counts(rule)
    return render(request, "marketing/greeting_detail.html", {
        "rule": rule, "preview": sel.preview(rule), "history": sel.history(rule, status),
        "status": status,
        "statuses": [(v, label, counts[v]) for v, label in GreetingSent.Status.choices],
        "can_manage": perms.can_manage_care(request.user)})


@login_required
@refusals_as_http
@require_POST
def greeting_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    rule = get_object_or_404(GreetingRule, pk=pk)
    try:
        svc.set_rule_active(request.user, rule, int(request.POST.get("version") or 0),
                            request.POST.get("active") == "1")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("marketing:greeting", pk=rule.pk)


# --- The holiday calendar --------------------------------------------------------------------

class HolidayForm(forms.Form):
    key = forms.SlugField(label=gettext_lazy("Key"), max_length=40,
                          help_text=gettext_lazy("Greeting rules name the holiday by it, "
                                                 "e.g. spring_festival."))
    date = forms.DateField(label=gettext_lazy("Date"), widget=DateInput())
    name_zh = forms.CharField(label=gettext_lazy("Name (Chinese)"), max_length=40)
    name_en = forms.CharField(label=gettext_lazy("Name (English)"), max_length=60,
                              required=False)


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def holidays(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    form = HolidayForm(request.POST if request.POST.get("action") == "add" else None)
    errors: dict[int, dict[str, list[str]]] = {}
    if request.method == "POST":
        _require_manage(request)
        action = request.POST.get("action")
        if action == "add" and form.is_valid():
            try:
                d = form.cleaned_data
                svc.set_holiday(request.user, d["key"], d["date"], d["name_zh"], d["name_en"])
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Added to the calendar."))
                return redirect("marketing:holidays")
        elif action in ("rename", "remove"):
            holiday = get_object_or_404(Holiday, pk=request.POST.get("holiday"))
            try:
                if action == "rename":
                    svc.rename_holiday(request.user, holiday, request.POST.get("name_zh", ""),
                                       request.POST.get("name_en", ""))
                else:
                    svc.remove_holiday(request.user, holiday)
            except FieldErrors as exc:
                errors[holiday.pk] = exc.errors
            else:
                return redirect("marketing:holidays")
    status = 400 if form.errors or errors else 200
    return render(request, "marketing/holidays.html", {
        "years": sel.holidays_by_year(), "form": form, "row_errors": errors,
        "can_manage": perms.can_manage_care(request.user)}, status=status)
