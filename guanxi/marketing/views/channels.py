"""Pages of the channels that are worked by people: a phone campaign's call list, an event's
public registration form and its check-in page (made for a phone at the door), and a WeChat
campaign's links to copy."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from guanxi.core.errors import DomainError, FieldErrors
from guanxi.core.forms import DateTimeInput, add_domain_error
from guanxi.core.views import refusals_as_http
from guanxi.marketing import permissions as perms
from guanxi.marketing.models import CampaignMember, EventRegistration
from guanxi.marketing.selectors import channels as sel
from guanxi.marketing.services import calls, events
from guanxi.marketing.services.links import shared_url


def _campaign(request: HttpRequest, pk: int, channel: str) -> Any:
    campaign = sel.get_workable_campaign(request.user, pk)
    if campaign.channel != channel:
        raise Http404
    return campaign


# --- Phone: the call list --------------------------------------------------------------------

class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), widget=forms.RadioSelect,
                                choices=list(calls.OUTCOMES.items()))
    callback_at = forms.DateTimeField(label=gettext_lazy("Call back at"), required=False,
                                      widget=DateTimeInput())
    notes = forms.CharField(label=gettext_lazy("Notes"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    make_lead = forms.BooleanField(label=gettext_lazy("Interested: create a lead for sales"),
                                   required=False, initial=True)


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def call_list(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk, "phone")
    if not perms.can_work_campaign(request.user, campaign):
        raise PermissionDenied
    form = OutcomeForm()
    member = None
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "next":
                calls.take_next(request.user, campaign)
                return redirect("marketing:calls", pk=campaign.pk)
            form = OutcomeForm(request.POST)
            member = CampaignMember.objects.select_related("campaign", "account", "contact") \
                .filter(campaign=campaign, pk=request.POST.get("member") or 0).first()
            if member is None:
                raise Http404
            if form.is_valid():
                done = calls.log_call(request.user, member, form.cleaned_data["outcome"],
                                      notes=form.cleaned_data["notes"],
                                      callback_at=form.cleaned_data["callback_at"],
                                      make_lead=form.cleaned_data["make_lead"])
                messages.success(request, _("Call logged.") + (
                    " " + _("A lead was made for sales.") if done["lead"] else ""))
                return redirect("marketing:calls", pk=campaign.pk)
            status = 400
        except FieldErrors as exc:
            add_domain_error(form, exc)
            status = 400
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("marketing:calls", pk=campaign.pk)
    if member is None:
        member = sel.call_queue(request.user, campaign).filter(agent=request.user).first()
    return render(request, "marketing/call_list.html", {
        "c": campaign, "member": member, "form": form, "stats": sel.call_stats(campaign),
        "running": campaign.status in calls.RUNNING}, status=status)


# --- Event: registration (public) and check-in ----------------------------------------------

class RegistrationForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    phone = forms.CharField(label=gettext_lazy("Mobile"), max_length=30,
                            widget=forms.TextInput(attrs={"inputmode": "tel",
                                                          "autocomplete": "tel"}))
    email = forms.CharField(label=gettext_lazy("E-mail"), max_length=254, required=False,
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    company = forms.CharField(label=gettext_lazy("Company"), max_length=200, required=False)
    consent = forms.BooleanField(
        label=gettext_lazy("Send me news and offers by e-mail (you confirm by the link we "
                           "send; you can unsubscribe at any time)."), required=False)


@never_cache
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, token: str) -> HttpResponse:
    """The public registration form: no login; the link is signed (an invited member's own,
    or the campaign's open link)."""
    invitation = events.read_token(token)
    if invitation is None:
        raise Http404
    campaign = invitation.campaign
    member = invitation.member
    initial = {}
    if member is not None:
        person = member.contact
        initial = {"name": person.name if person else member.account.name,
                   "phone": (person.mobile if person else member.account.phone) or "",
                   "email": (person.email if person else member.account.email) or "",
                   "company": "" if member.account.kind == "person" else member.account.name}
    form = RegistrationForm(request.POST or None, initial=initial)
    registration = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                registration = events.register(invitation, form.cleaned_data,
                                               language=get_language() or "")
            except DomainError as exc:
                add_domain_error(form, exc)
        if registration is None:
            status = 400
    return render(request, "marketing/register.html", {
        "c": campaign, "form": form, "registration": registration, "invited": member,
        "options": campaign.options or {}, "event_at": _event_at(campaign),
        "open": campaign.status in calls.RUNNING,
        "qr": _qr_svg(registration.code) if registration else ""}, status=status)


def _event_at(campaign: Any) -> Any:
    from django.utils.dateparse import parse_datetime

    value = (campaign.options or {}).get("event_at")
    return parse_datetime(value) if value else None


def _qr_svg(code: str) -> str:
    """The registration code as an inline SVG QR code, scanned at the door."""
    try:
        import qrcode
        import qrcode.image.svg
    except ImportError:  # pragma: no cover - the code itself is shown anyway
        return ""
    image = qrcode.make(code, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk, "event")
    if not perms.can_work_campaign(request.user, campaign):
        raise PermissionDenied
    query = (request.POST.get("q") if request.method == "POST" else request.GET.get("q")) or ""
    if request.method == "POST":
        found = EventRegistration.objects.select_related("campaign").filter(
            campaign=campaign, pk=request.POST.get("registration") or 0).first()
        if found is None:
            raise Http404
        try:
            done = events.check_in(request.user, found)
            messages.success(request, _("%(name)s is checked in.") % {"name": done.name})
        except DomainError as exc:
            messages.error(request, exc.message)
        url = reverse("marketing:checkin", args=[campaign.pk])
        return redirect(f"{url}?q={query}" if query else url)
    rows = list(sel.registrations(campaign, query)[:50]) if query else []
    return render(request, "marketing/check_in.html", {
        "c": campaign, "q": query, "rows": rows, "stats": sel.event_stats(campaign),
        "searched": bool(query)})


# --- WeChat: links to copy -------------------------------------------------------------------

@login_required
@refusals_as_http
def links(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk, "wechat")
    if not perms.can_work_campaign(request.user, campaign):
        raise PermissionDenied
    stats = sel.link_stats(campaign)
    return render(request, "marketing/links.html", {
        "c": campaign, "stats": stats,
        "shared": [(link, shared_url(link)) for link in stats["links"]],
        "members": sel.member_links(campaign) if campaign.frozen_at else []})
