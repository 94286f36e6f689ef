"""Answers when a request cannot be served: the error pages, the API's JSON errors, and 503
while the database is out of reach.

The pages render without the database or a signed-in user (no context processors, no
session): they must work exactly when everything else fails. Under ``/api/`` every error is
the API's JSON shape ``{"detail": ..., "code": ...}``, whoever produced it (Django's URL
resolver, a method not allowed, an oversized body, an uncaught exception).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger("guanxi.unavailable")

API_PREFIX = "/api/"
# Seconds a client should wait before trying again while the database is out of reach.
RETRY_AFTER = 5
# What a database outage looks like from a request: the server refuses or drops the
# connection (psycopg's OperationalError, wrapped by Django), the persistent connection is
# already closed (InterfaceError), or a socket is refused outright.
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError,
                                                       ConnectionRefusedError)


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def is_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, UNAVAILABLE_ERRORS)


def _messages(status: int) -> tuple[str, str]:
    """(detail, code) of the API's error for ``status``."""
    known = {
        400: (_("The request could not be understood."), "bad_request"),
        403: (_("You may not do this."), "forbidden"),
        404: (_("There is nothing at this address."), "not_found"),
        405: (_("This address does not accept this method."), "method_not_allowed"),
        413: (_("The request is too large."), "too_large"),
        500: (_("Something went wrong on our side; it has been logged."), "server_error"),
        503: (_("Guanxi is briefly unavailable. Try again in a few seconds."), "unavailable"),
    }
    if status in known:
        return known[status]
    return (_("The request could not be served."), "error")


def json_error(status: int, detail: str | None = None, code: str | None = None) -> JsonResponse:
    default_detail, default_code = _messages(status)
    response = JsonResponse({"detail": detail or default_detail, "code": code or default_code},
                            status=status, json_dumps_params={"ensure_ascii": False})
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER)
    return response


def _languages() -> list[str]:
    """The current language first, then the others: the reader's preference may live in the
    database that is out of reach, so the pages speak every language the site has."""
    current = translation.get_language() or settings.LANGUAGE_CODE
    codes = [code for code, _name in settings.LANGUAGES]
    return sorted(codes, key=lambda code: code != current)


def render_page(template: str, status: int, context: dict | None = None) -> HttpResponse:
    """Render an error page without a request: no context processors, so no session, user or
    database query."""
    body = loader.render_to_string(template, {"status": status, "languages": _languages(),
                                              **(context or {})})
    response = HttpResponse(body, status=status)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER)
    return response


def unavailable(request: HttpRequest, exc: BaseException | None = None) -> HttpResponse:
    """503 while the database is out of reach: logged once per request, without a traceback
    (an outage would otherwise fill the log with identical ones)."""
    logger.warning("Database unavailable for %s %s: %s", request.method, request.path,
                   str(exc).strip().splitlines()[0] if exc and str(exc).strip() else exc)
    if is_api(request):
        return json_error(503)
    return render_page("503.html", 503)


# --- handler400 / 403 / 404 / 500 (named in guanxi/urls.py) -----------------------------

def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    status = 413 if isinstance(exception, RequestDataTooBig) else 400
    if is_api(request):
        return json_error(status)
    return render_page("400.html", status)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception is not None and str(exception) else ""
    if is_api(request):
        return json_error(403, message or None)
    return render_page("403.html", 403, {"exception": message})


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return json_error(404)
    return render_page("404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django calls this while handling the uncaught exception, so ``sys.exc_info()`` tells a
    database outage (503, raised anywhere: a middleware reading the session, a view) from a
    bug (500)."""
    exc = sys.exc_info()[1]
    if is_unavailable(exc):
        if is_api(request):
            return json_error(503)
        return render_page("503.html", 503)
    if is_api(request):
        return json_error(500)
    return render_page("500.html", 500)


# --- The middleware ----------------------------------------------------------------------

class ErrorAnswerMiddleware:
    """Outermost middleware. A view that fails because the database is out of reach answers
    503 (HTML, or JSON under /api/) with Retry-After instead of a 500; any other error answer
    under /api/ that is not JSON (405 from the router, Django's own 400/404/500) becomes the
    API's JSON error of the same status."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code >= 400 and is_api(request) and not _is_json(response):
            replacement = json_error(response.status_code)
            for header in ("Allow", "Retry-After"):
                if header in response:
                    replacement[header] = response[header]
            return replacement
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_unavailable(exception):
            return unavailable(request, exception)
        return None


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip() == "application/json"


__all__ = ["ErrorAnswerMiddleware", "bad_request", "is_unavailable", "json_error",
           "page_not_found", "permission_denied", "server_error", "unavailable"]
