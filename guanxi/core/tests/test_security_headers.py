"""Every response carries a Content-Security-Policy with a fresh script nonce and the other
protective headers, and the templates hold to what the policy allows: no inline event
handlers, no inline script without the nonce, Alpine expressions its CSP build can read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import Client, RequestFactory

from guanxi.core.security_headers import ContentSecurityPolicyMiddleware, allow_framing

ROOT = Path(__file__).resolve().parents[2]  # guanxi/


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {name: value for name, _sep, value in
            (d.strip().partition(" ") for d in policy.split(";"))}


def assert_protected(response) -> str:
    """The headers every page sends; returns the nonce."""
    csp = directives(response)
    nonce = re.fullmatch(r"'self' 'nonce-([A-Za-z0-9_-]{20,})'", csp["script-src"]).group(1)
    assert csp["default-src"] == "'self'"
    assert csp["object-src"] == "'none'" and csp["base-uri"] == "'self'"
    assert csp["form-action"] == "'self'" and csp["img-src"] == "'self' data:"
    assert "unsafe" not in csp["script-src"] and "unsafe-eval" not in response[
        "Content-Security-Policy"]
    assert csp["frame-ancestors"] == "'none'" and response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    return nonce


@pytest.mark.parametrize(("path", "who", "status"), [
    ("/accounts/login/", None, 200),
    ("/", "rep", 200),
    ("/customers/", "rep", 200),
    ("/api/docs", "rep", 200),
    ("/api/openapi.json", "rep", 200),
    ("/admin/", "admin", 200),
    ("/no-such-page/", "rep", 404),
])
def test_pages_send_the_policy_and_the_protective_headers(org, path, who, status):
    client = Client()
    if who:
        user = getattr(org, who)
        user.is_staff = user.is_superuser = who == "admin"  # the Django admin's own rule
        user.save()
        client.force_login(user)
    response = client.get(path)
    assert response.status_code == status
    assert_protected(response)


def test_each_request_gets_a_fresh_nonce_that_the_page_can_use(org):
    client = Client()
    client.force_login(org.rep)
    first, second = client.get("/"), client.get("/")
    assert assert_protected(first) != assert_protected(second)
    assert first.wsgi_request.csp_nonce == assert_protected(first)


def test_a_response_with_its_own_policy_keeps_it():
    def download(request):
        response = HttpResponse(b"%PDF")
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response

    response = ContentSecurityPolicyMiddleware(download)(RequestFactory().get("/doc"))
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_only_the_debug_page_of_an_error_goes_without(settings):
    settings.DEBUG = True
    middleware = ContentSecurityPolicyMiddleware(lambda request: HttpResponse(status=500))
    assert "Content-Security-Policy" not in middleware(RequestFactory().get("/"))
    settings.DEBUG = False
    assert "Content-Security-Policy" in middleware(RequestFactory().get("/"))


def test_framing_follows_the_setting_and_drops_what_is_not_an_origin(settings):
    def embeddable(request):
        response = HttpResponse("form")
        allow_framing(response, ["https://www.acme.cn/", "https://x; script-src *", "acme.cn"])
        return response

    response = ContentSecurityPolicyMiddleware(embeddable)(RequestFactory().get("/f/1/"))
    assert directives(response)["frame-ancestors"] == "'self' https://www.acme.cn"
    assert response.xframe_options_exempt is True

    settings.GUANXI_FORM_FRAME_ANCESTORS = ["https://partner.example.com:8443"]
    response = ContentSecurityPolicyMiddleware(embeddable)(RequestFactory().get("/f/1/"))
    assert directives(response)["frame-ancestors"] == (
        "'self' https://partner.example.com:8443 https://www.acme.cn")


@pytest.mark.parametrize("origin", ["javascript:", "https://a.example; script-src *", "*"])
def test_a_bad_frame_ancestor_setting_stops_the_server_from_starting(settings, origin):
    settings.GUANXI_FORM_FRAME_ANCESTORS = [origin]
    with pytest.raises(ImproperlyConfigured, match="GUANXI_FORM_FRAME_ANCESTORS"):
        ContentSecurityPolicyMiddleware(lambda request: HttpResponse())


# --- Templates ----------------------------------------------------------------------------

DJANGO = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.S)
TAG = re.compile(r"""<[a-zA-Z](?:[^<>"']|"[^"]*"|'[^']*')*>""", re.S)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
SCRIPT = re.compile(r"<script\b[^>]*>", re.I)
ALPINE_ATTR = re.compile(r"""\s(x-[a-z:.-]+|@[a-z.:-]+|:[a-z-]+)\s*=\s*(["'])(.*?)\2""", re.S)
# What Alpine's CSP build cannot evaluate (or what belongs in a component method anyway).
NOT_IN_EXPRESSIONS = re.compile(r"=>|\?\.|\?\?|;|\b(new|if)\b|\b(JSON|String|Number|navigator|"
                                r"location|window|document|console)\b|\$el\.\w+\s*=[^=]")


def templates():
    """Each template's name, text, and text with its template tags and variables read as
    "T" (so quotes inside them do not end an attribute)."""
    for path in sorted(ROOT.glob("**/templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        yield path.relative_to(ROOT), text, DJANGO.sub("T", text)


def test_templates_have_no_inline_handlers_or_scripts_without_the_nonce():
    found = []
    for name, raw, text in templates():
        for tag in TAG.findall(text):
            if HANDLER.search(tag) or re.search(r"""=\s*["']?\s*javascript:""", tag, re.I):
                found.append(f"{name}: {tag[:80]}")
        for tag in SCRIPT.findall(raw):
            if not re.search(r"""\ssrc=|\snonce="\{\{ request.csp_nonce \}\}"|"""
                             r"""\stype="application/(ld\+)?json\"""", tag):
                found.append(f"{name}: {tag}")
    assert found == []


def test_alpine_expressions_stay_within_the_csp_build():
    found = []
    for name, _raw, text in templates():
        for tag in TAG.findall(text):
            for attr, _quote, value in ALPINE_ATTR.findall(tag):
                if attr == "x-data" and not re.fullmatch(r"[A-Za-z]\w*", value):
                    found.append(f"{name}: x-data must name a registered component: {value}")
                elif NOT_IN_EXPRESSIONS.search(value):
                    found.append(f"{name}: {attr}={value}")
    assert found == []
