"""The Content-Security-Policy of every response, with a fresh script nonce per request.

Scripts run only from our own static files or from an inline block carrying this request's
nonce (``<script nonce="{{ request.csp_nonce }}">``); no inline event handlers, no eval
(Alpine's CSP build, htmx with ``allowEval`` off). Styles keep ``'unsafe-inline'``: style
attributes are common in our templates, and Bootstrap, ECharts, Sortable and Swagger UI set
them too. Pages refuse to be framed, except those a view lets in with ``allow_framing`` (the
public lead form). A response that already has a policy (a download's sandbox) keeps it.
``X-Content-Type-Options`` and ``Referrer-Policy`` come from Django's SecurityMiddleware
(``SECURE_CONTENT_TYPE_NOSNIFF``, ``SECURE_REFERRER_POLICY``).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponseBase

HEADER = "Content-Security-Policy"
# An origin (https://www.example.com, https://*.example.com:8443) or 'self': nothing that
# could end the directive or add another one.
SOURCE = re.compile(r"^(?:'self'|https?://(?:\*\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
                    r"(?::\d{1,5})?)$")


def valid_sources(sources: Iterable[str]) -> list[str]:
    """The sources that are origins or 'self', without a trailing slash."""
    cleaned = (s.strip().rstrip("/") for s in sources)
    return [s for s in cleaned if SOURCE.match(s)]


def allow_framing(response: HttpResponseBase, origins: Iterable[str] = ()) -> None:
    """Let the sites in GUANXI_FORM_FRAME_ANCESTORS and ``origins`` frame this response (any
    site when neither names one); X-Frame-Options stays off so it does not contradict."""
    response.csp_frame_ancestors = valid_sources(origins)  # type: ignore[attr-defined]
    response.xframe_options_exempt = True  # type: ignore[attr-defined]


def build_policy(nonce: str, frame_ancestors: str = "'none'") -> str:
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        f"frame-ancestors {frame_ancestors}",
    ])


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        configured = list(getattr(settings, "GUANXI_FORM_FRAME_ANCESTORS", []))
        bad = [s for s in configured if not valid_sources([s])]
        if bad:
            raise ImproperlyConfigured(
                f"GUANXI_FORM_FRAME_ANCESTORS: {bad[0]!r} is not an origin like "
                "https://www.example.com")
        self.form_frame_ancestors = valid_sources(configured)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        nonce = secrets.token_urlsafe(18)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        if settings.DEBUG and response.status_code >= 500:
            return response  # Django's debug page of an error runs inline script
        if HEADER not in response:
            response[HEADER] = build_policy(nonce, self._frame_ancestors(response))
        return response

    def _frame_ancestors(self, response: HttpResponseBase) -> str:
        allowed = getattr(response, "csp_frame_ancestors", None)
        if allowed is None:
            return "'none'"
        origins = [*self.form_frame_ancestors, *allowed]
        if not origins:
            return "*"
        return " ".join(dict.fromkeys(["'self'", *origins]))
