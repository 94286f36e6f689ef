"""SMS settings pages: the provider account (keys shown masked, the secret never sent back to
the browser), the approved templates with their length check, and a campaign's delivery
receipts and replies. Marketing and administrators change them; managers and executives
read them."""

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

from guanxi.core.errors import DomainError
from guanxi.core.forms import add_domain_error
from guanxi.core.views import refusals_as_http
from guanxi.marketing import permissions as perms
from guanxi.marketing.models import SmsAccount, SmsMessage, SmsTemplate
from guanxi.marketing.selectors import sms as sel
from guanxi.marketing.selectors.campaigns import get_campaign
from guanxi.marketing.services import sms_settings as svc


def _require_view(request: HttpRequest) -> None:
    if not perms.can_view_sms_settings(request.user):
        raise PermissionDenied


def _require_manage(request: HttpRequest) -> None:
    if not perms.can_manage_sms_settings(request.user):
        raise PermissionDenied


class AccountForm(forms.Form):
    provider = forms.ChoiceField(label=gettext_lazy("Provider"),
                                 choices=SmsAccount.Provider.choices)
    key_id = forms.CharField(label=gettext_lazy("AccessKey ID / SecretId"), max_length=100,
                             required=False, help_text=gettext_lazy(
                                 "Empty: keep the one stored."))
    key_secret = forms.CharField(
        label=gettext_lazy("AccessKey secret / SecretKey"), max_length=200, required=False,
        # Never rendered back: the browser gets an empty field whatever is stored.
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("Empty: keep the one stored."))
    sign_name = forms.CharField(
        label=gettext_lazy("Signature"), max_length=40,
        help_text=gettext_lazy("As approved, without 【 】, e.g. 关系科技."))
    app_id = forms.CharField(label=gettext_lazy("SDK AppID (Tencent)"), max_length=40,
                             required=False)
    region = forms.CharField(label=gettext_lazy("Region"), max_length=40, required=False,
                             help_text=gettext_lazy("Empty: cn-hangzhou / ap-guangzhou."))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class TemplateForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Template code"), max_length=40)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    text = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=gettext_lazy("The approved text with its parameters: "
                                                  "${name} (Alibaba Cloud) or {1} (Tencent "
                                                  "Cloud)."))
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def sms_settings(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    view = sel.account_view()
    account: SmsAccount | None = view["account"]
    initial: dict[str, Any] = {"provider": view["provider"], "sign_name": view["sign_name"],
                               "app_id": view["app_id"], "region": view["region"],
                               "version": account.version if account else None}
    form = AccountForm(request.POST or None, initial=initial)
    if request.method == "POST":
        _require_manage(request)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            if not data["key_id"] and account is not None:
                data["key_id"] = account.key_id
            try:
                svc.save_account(request.user, data, version)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("SMS account saved."))
                return redirect("marketing:sms_settings")
    return render(request, "marketing/sms_settings.html", {
        "view": view, "form": form, "templates": sel.templates(),
        "can_manage": perms.can_manage_sms_settings(request.user)},
        status=400 if form.errors else 200)


def _template_form(request: HttpRequest, template: SmsTemplate | None) -> HttpResponse:
    initial = {"code": template.code, "name": template.name, "text": template.text,
               "active": template.active, "version": template.version} if template else {}
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            if template is None:
                svc.create_template(request.user, data)
            else:
                svc.update_template(request.user, template, version, data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("marketing:sms_settings")
    return render(request, "marketing/sms_template_form.html",
                  {"form": form, "template": template}, status=400 if form.errors else 200)


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def sms_template_create(request: HttpRequest) -> HttpResponse:
    _require_manage(request)
    return _template_form(request, None)


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def sms_template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    return _template_form(request, get_object_or_404(SmsTemplate, pk=pk))


@login_required
@refusals_as_http
@require_POST
def sms_template_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    template = get_object_or_404(SmsTemplate, pk=pk)
    try:
        svc.delete_template(request.user, template, int(request.POST.get("version") or 0))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("marketing:sms_settings")


@login_required
@refusals_as_http
def campaign_sms(request: HttpRequest, pk: int) -> HttpResponse:
    """A campaign's SMS: each message with its delivery receipt, and the replies."""
    if not perms.can_view_campaigns(request.user):
        raise PermissionDenied
    campaign = get_campaign(request.user, pk)
    status = request.GET.get("status", "")
    counts = sel.campaign_status_counts(campaign)
    return render(request, "marketing/campaign_sms.html", {
        "c": campaign, "sms": sel.campaign_messages(campaign, status),
        "replies": sel.campaign_replies(campaign), "status": status,
        "statuses": [(v, label, counts[v]) for v, label in SmsMessage.Status.choices]})
