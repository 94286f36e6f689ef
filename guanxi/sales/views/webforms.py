"""The public lead form (no login), embeddable on the company's websites.

It is exempt from CSRF on purpose: it runs inside other sites' frames, where our cookies are
not sent, and it only ever creates a lead. Spam is kept out instead by a honeypot field, a
signed time stamp (a form sent within seconds of being shown is a robot, a day-old one is
stale) and a per-address rate limit.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from guanxi.core.access import get_visible
from guanxi.core.client_ip import client_ip
from guanxi.core.errors import DomainError
from guanxi.core.forms import add_domain_error
from guanxi.core.security_headers import allow_framing
from guanxi.core.views import refusals_as_http
from guanxi.customers.services import consent
from guanxi.sales.models import WebForm
from guanxi.sales.services.leads import create_lead
from guanxi.sales.views.lead_forms import PublicLeadForm

MIN_SECONDS = 3
MAX_AGE = 24 * 3600
RATE_WINDOW = 600


def make_stamp(key: str, at: float | None = None) -> str:
    return signing.dumps({"k": key, "t": at if at is not None else time.time()},
                         salt="sales.webform")


def _stamp_error(key: str, stamp: str) -> str | None:
    try:
        data = signing.loads(stamp, salt="sales.webform", max_age=MAX_AGE)
    except signing.BadSignature:
        return _("This form has expired. Reload the page and send it again.")
    if data.get("k") != key:
        return _("This form has expired. Reload the page and send it again.")
    if time.time() - float(data.get("t", 0)) < MIN_SECONDS:
        return _("That was very fast. Please check your entries and send the form again.")
    return None


def _over_rate(request: HttpRequest) -> bool:
    """Count submissions per client address in the shared cache (works across web servers
    when the cache is Redis)."""
    limit = getattr(settings, "GUANXI_WEBFORM_RATE", 5)
    key = f"sales:webform:ip:{client_ip(request)}"
    cache.add(key, 0, RATE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW)
        count = 1
    return count > limit


def _language(request: HttpRequest) -> str:
    wanted = request.GET.get("lang", "")
    codes = [code for code, _name in settings.LANGUAGES]
    if wanted in codes:
        return wanted
    return translation.get_language_from_request(request)


@csrf_exempt
@require_http_methods(["GET", "POST"])
@refusals_as_http
def public_form(request: HttpRequest, key: str) -> HttpResponse:
    web_form = get_visible(WebForm.objects.filter(active=True).select_related("team"), key=key)
    language = _language(request)
    with translation.override(language):
        response = _handle(request, web_form)
    # The form's websites (and those of GUANXI_FORM_FRAME_ANCESTORS) may frame it.
    allow_framing(response, web_form.allowed_origins.split())
    return response


def _handle(request: HttpRequest, web_form: WebForm) -> HttpResponse:
    status, sent = 200, False
    if request.method == "POST":
        form = PublicLeadForm(request.POST)
        status = 400
        if _over_rate(request):
            form.add_error(None, _("Too many submissions from your network. Please try again "
                                   "in a few minutes."))
            status = 429
        elif request.POST.get("website"):
            form.add_error(None, _("Your message could not be sent."))
        elif (error := _stamp_error(web_form.key, request.POST.get("stamp", ""))) is not None:
            form.add_error(None, error)
        elif form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items()
                    if k not in ("website", "stamp", "subscribe")}
            try:
                lead = create_lead(None, data, web_form=web_form)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                status, sent = 200, True
                if form.cleaned_data.get("subscribe") and lead.email:
                    # Double opt-in: the consent counts once the e-mailed link is followed.
                    consent.request_opt_in(lead.email, evidence=_("Web form “%(form)s”")
                                           % {"form": web_form.name},
                                           language=translation.get_language())
        form.data = form.data.copy()
        form.data["stamp"] = make_stamp(web_form.key)
    else:
        form = PublicLeadForm(initial={"stamp": make_stamp(web_form.key)})
    return render(request, "sales/leads/public_form.html", {
        "web_form": web_form, "form": form, "sent": sent,
        "languages": settings.LANGUAGES, "current": translation.get_language()},
        status=status)


urls: list = [path("f/<str:key>/", public_form, name="public_form")]
