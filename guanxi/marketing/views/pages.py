"""Marketing's pages: campaigns (list, new, detail with progress, actions, costs and the
response analysis) and segments (list, new with a live count and preview)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.accounts.models import User
from guanxi.core.errors import DomainError, FieldErrors
from guanxi.core.forms import DateTimeInput, add_domain_error
from guanxi.core.views import refusals_as_http
from guanxi.marketing import permissions as perms
from guanxi.marketing.channels import channels
from guanxi.marketing.models import Campaign, Segment
from guanxi.marketing.selectors import segments as seg_sel
from guanxi.marketing.selectors.campaigns import get_campaign, visible_campaigns
from guanxi.marketing.services import analysis
from guanxi.marketing.services import campaigns as svc
from guanxi.marketing.services import segments as seg_svc
from guanxi.marketing.services.sending import progress


def _require_view(request: HttpRequest) -> None:
    if not perms.can_view_campaigns(request.user):
        raise PermissionDenied


class CampaignForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    channel = forms.ChoiceField(label=gettext_lazy("Channel"))
    purpose = forms.ChoiceField(label=gettext_lazy("Purpose"), choices=Campaign.Purpose.choices)
    segments = forms.ModelMultipleChoiceField(label=gettext_lazy("Segments"),
                                              queryset=Segment.objects.none())
    budget = forms.DecimalField(label=gettext_lazy("Budget"), min_value=0, initial=0)
    starts_at = forms.DateTimeField(label=gettext_lazy("Send at"), required=False,
                                    help_text=gettext_lazy("Empty: when launched."))
    control_percent = forms.IntegerField(label=gettext_lazy("Control group (%)"), min_value=0,
                                         max_value=50, initial=10)
    conversion_days = forms.IntegerField(label=gettext_lazy("Conversion window (days)"),
                                         min_value=1, max_value=365, initial=30)
    rate_per_minute = forms.IntegerField(label=gettext_lazy("Sends per minute"), min_value=1,
                                         initial=600)
    subject_zh = forms.CharField(label=gettext_lazy("Subject (Chinese)"), required=False)
    subject_en = forms.CharField(label=gettext_lazy("Subject (English)"), required=False)
    subject_b_zh = forms.CharField(label=gettext_lazy("Subject B (Chinese)"), required=False)
    subject_b_en = forms.CharField(label=gettext_lazy("Subject B (English)"), required=False)
    body_zh = forms.CharField(label=gettext_lazy("Message (Chinese)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 6}))
    body_en = forms.CharField(label=gettext_lazy("Message (English)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 6}))
    event_at = forms.DateTimeField(label=gettext_lazy("Event date and time"), required=False,
                                   widget=DateTimeInput(),
                                   help_text=gettext_lazy("Events and exhibitions only."))
    venue = forms.CharField(label=gettext_lazy("Venue"), max_length=200, required=False)
    capacity = forms.IntegerField(label=gettext_lazy("Capacity"), min_value=1, required=False)
    agents = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Agents"), required=False, queryset=User.objects.none(),
        help_text=gettext_lazy("Phone, event and WeChat campaigns: users besides marketing "
                               "who work it (reps call their own customers)."))

    def options(self) -> dict[str, Any]:
        data = self.cleaned_data
        options: dict[str, Any] = {"venue": data.pop("venue", ""),
                                   "event_at": data.pop("event_at", None),
                                   "capacity": data.pop("capacity", None),
                                   "agents": [u.pk for u in data.pop("agents", [])]}
        return {k: v for k, v in options.items() if v not in (None, "", [])}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [(k, str(c.label)) for k, c in channels().items()]
        self.fields["segments"].queryset = seg_sel.visible_segments(user)
        self.fields["agents"].queryset = User.objects.filter(is_active=True) \
            .order_by("display_name")


@login_required
@refusals_as_http
def campaign_list(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    return render(request, "marketing/campaign_list.html", {
        "campaigns": visible_campaigns(request.user)[:200],
        "can_plan": perms.can_plan(request.user)})


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    if not perms.can_plan(request.user):
        raise PermissionDenied
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        options = form.options()
        data = dict(form.cleaned_data)
        segments = list(data.pop("segments"))
        if options:
            data["options"] = options
        try:
            campaign = svc.create_campaign(request.user, data, segments=segments)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("marketing:campaign", pk=campaign.pk)
    return render(request, "marketing/campaign_form.html", {"form": form})


@login_required
@refusals_as_http
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_view(request)
    campaign = get_campaign(request.user, pk)
    context = {"c": campaign, "progress": progress(campaign),
               "can_edit": perms.can_edit_campaign(request.user, campaign),
               "can_work": perms.can_work_campaign(request.user, campaign),
               "channel_label": getattr(channels().get(campaign.channel), "label", "")}
    if request.htmx and request.GET.get("part") == "progress":
        return render(request, "marketing/_progress.html", context)
    context |= _channel_context(campaign)
    context |= {"summary": analysis.summary(campaign), "costs": campaign.costs.all(),
                "breakdowns": [(label, analysis.breakdown(campaign, key)) for key, label in (
                    ("segment", _("Segment")), ("rfm", _("RFM segment")),
                    ("lifecycle", _("Lifecycle stage")), ("value_type", _("Value type")),
                    ("province", _("Province")))]}
    return render(request, "marketing/campaign_detail.html", context)


def _channel_context(campaign: Campaign) -> dict[str, Any]:
    """What the detail page shows of a worked channel's progress."""
    from guanxi.marketing.selectors import channels as channel_sel
    from guanxi.marketing.services.events import open_url

    if campaign.channel == "phone":
        return {"channel_stats": channel_sel.call_stats(campaign)}
    if campaign.channel == "event":
        return {"channel_stats": channel_sel.event_stats(campaign),
                "open_link": open_url(campaign) if campaign.frozen_at else ""}
    if campaign.channel == "wechat":
        return {"channel_stats": channel_sel.link_stats(campaign)}
    return {}


@login_required
@refusals_as_http
@require_POST
def campaign_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _require_view(request)
    campaign = get_campaign(request.user, pk)
    version = int(request.POST.get("version") or 0)
    actions = {"launch": svc.launch_campaign, "pause": svc.pause_campaign,
               "resume": svc.resume_campaign, "cancel": svc.cancel_campaign}
    try:
        if action == "cost":
            svc.add_cost(request.user, campaign, request.POST.get("description", ""),
                         request.POST.get("amount", ""), None)
        elif action == "conversions":
            analysis.attribute_conversions(campaign)
        elif action in actions:
            actions[action](request.user, campaign, version)
        else:
            raise PermissionDenied
    except FieldErrors as exc:
        messages.error(request, "; ".join(m for ms in exc.errors.values() for m in ms))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("marketing:campaign", pk=campaign.pk)


# --- Segments --------------------------------------------------------------------------------

def _rules_from(text: str) -> dict[str, str]:
    """A customer-list address or its query string → the rules."""
    query = text.split("?", 1)[1] if "?" in text else text
    return dict(parse_qsl(query.strip()))


@login_required
@refusals_as_http
def segment_list(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    return render(request, "marketing/segment_list.html", {
        "segments": seg_sel.visible_segments(request.user),
        "can_plan": perms.can_plan(request.user)})


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def segment_create(request: HttpRequest) -> HttpResponse:
    if not perms.can_plan(request.user):
        raise PermissionDenied
    # Arriving from the customer list with its filters: they are the rules.
    initial_rules = request.GET.urlencode()
    data = request.POST if request.method == "POST" else None
    errors: dict[str, list[str]] = {}
    if data is not None:
        kind = data.get("kind", "dynamic")
        try:
            seg_svc.create_segment(request.user, {
                "name": data.get("name", ""), "kind": kind, "description":
                data.get("description", ""),
                "rules": _rules_from(data.get("rules", "")) if kind == "dynamic" else {}})
        except FieldErrors as exc:
            errors = exc.errors
        except DomainError as exc:
            errors = {"rules": [exc.message]}
        else:
            return redirect("marketing:segments")
    return render(request, "marketing/segment_form.html", {
        "rules": data.get("rules", "") if data is not None else initial_rules,
        "name": data.get("name", "") if data is not None else "", "errors": errors},
        status=400 if errors else 200)


@login_required
@refusals_as_http
def segment_count(request: HttpRequest) -> HttpResponse:
    """The live count and preview while the rules are edited (htmx)."""
    if not perms.can_plan(request.user):
        raise PermissionDenied
    rules = _rules_from(request.GET.get("rules", ""))
    try:
        count = seg_sel.count(request.user, rules)
        preview = seg_sel.preview(request.user, rules, 10)
        error = ""
    except FieldErrors as exc:
        count, preview = None, []
        error = "; ".join(f"{k}: {m}" for k, ms in exc.errors.items() for m in ms)
    return render(request, "marketing/_segment_count.html",
                  {"count": count, "preview": preview, "error": error})
