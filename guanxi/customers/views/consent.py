"""Public consent pages: unsubscribe (one click, RFC 8058) and the double opt-in confirmation.

Both answer people who are not signed in. A GET only shows a button (link scanners in mail
filters follow links); the POST acts. The unsubscribe POST takes no CSRF token: RFC 8058 mail
clients post ``List-Unsubscribe=One-Click`` straight to the link.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from guanxi.core.errors import DomainError
from guanxi.customers.services import consent


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        payload = consent.read_unsubscribe_token(token)
    except DomainError as exc:
        return render(request, "customers/consent/unsubscribe.html",
                      {"error": exc.message}, status=400)
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        consent.unsubscribe(token, evidence=("One-click unsubscribe (RFC 8058) from the mail "
                                             "client." if one_click else ""))
        return render(request, "customers/consent/unsubscribe.html", {"done": True})
    return render(request, "customers/consent/unsubscribe.html",
                  {"purpose": payload["p"], "channel": payload["ch"]})


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        try:
            consent.confirm_opt_in(token)
        except DomainError as exc:
            return render(request, "customers/consent/confirm.html", {"error": exc.message},
                          status=400)
        return render(request, "customers/consent/confirm.html", {"done": True})
    return render(request, "customers/consent/confirm.html", {})
