"""What a client gets when a request fails: JSON in the API's error shape under /api/ (whoever
refused), the app's own pages elsewhere, and 503 with Retry-After while the database is out
of reach. The pages render without the database (tests without the ``db`` fixture fail on
any query)."""

from __future__ import annotations

import json

import pytest
from django.db import OperationalError
from django.test import Client, RequestFactory

from guanxi.core import error_pages


def api_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert body["code"] == code and body["detail"]
    return body


def page(response, status: int, text: str) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert text in html
    # The app's look, both languages (the reader's may be in the database), no script (the
    # page must work when nothing else does, under a strict content security policy).
    assert "brand-mark" in html and 'lang="zh-hans"' in html and 'lang="en"' in html
    assert "<script" not in html
    return html


@pytest.mark.parametrize(("handler", "status", "text"), [
    (error_pages.bad_request, 400, "Bad request"),
    (error_pages.permission_denied, 403, "Not allowed"),
    (error_pages.page_not_found, 404, "Not found"),
])
def test_error_pages_render_without_the_database(handler, status, text):
    page(handler(RequestFactory().get("/customers/"), Exception()), status, text)


def test_the_server_error_page_tells_an_outage_from_a_bug_without_the_database():
    request = RequestFactory().get("/customers/")
    try:
        raise OperationalError("could not connect to server: Connection refused")
    except OperationalError:
        response = error_pages.server_error(request)
    page(response, 503, "Briefly unavailable")
    assert int(response["Retry-After"]) > 0
    try:
        raise KeyError("a bug")
    except KeyError:
        page(error_pages.server_error(request), 500, "Something went wrong")
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        api_error(error_pages.server_error(RequestFactory().get("/api/customers")), 503,
                  "unavailable")


def test_unknown_addresses_and_methods_under_the_api_answer_json():
    client = Client()
    api_error(client.get("/api/no-such-thing"), 404, "not_found")
    page(client.get("/no-such-page/"), 404, "Not found")
    response = client.get("/api/reviews/1/decide")  # POST only
    api_error(response, 405, "method_not_allowed")
    assert "POST" in response["Allow"]


def test_a_disallowed_host_is_a_400_in_either_shape():
    client = Client()
    api_error(client.get("/api/customers", HTTP_HOST="evil.example"), 400, "bad_request")
    page(client.get("/customers/", HTTP_HOST="evil.example"), 400, "Bad request")


@pytest.mark.django_db
def test_an_oversized_or_unreadable_body_is_refused_in_either_shape(settings,
                                                                    django_user_model):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    client = Client()
    client.force_login(django_user_model.objects.create_user("ling", password="pw-x-2026"))
    big = '{"name": "' + "很" * 2000 + '"}'
    api_error(client.post("/api/customers", big, content_type="application/json"), 413,
              "too_large")
    response = client.post("/accounts/login/", "login=" + "x" * 3000,
                           content_type="application/x-www-form-urlencoded")
    page(response, 413, "Too large")
    response = client.post("/api/customers", "{not json", content_type="application/json")
    assert response.status_code == 400 and response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


@pytest.mark.urls("guanxi.core.tests.error_urls")
def test_a_bug_is_a_500_and_an_outage_a_503_in_either_shape():
    client = Client(raise_request_exception=False)
    body = api_error(client.get("/api/test/boom"), 500, "server_error")
    assert "a bug" not in body["detail"]
    html = page(client.get("/test/boom"), 500, "Something went wrong")
    assert "a bug" not in html and "RuntimeError" not in html

    response = client.get("/api/test/database-gone")
    api_error(response, 503, "unavailable")
    assert int(response["Retry-After"]) > 0
    for path in ("/test/database-gone", "/test/connection-closed"):
        response = client.get(path)
        page(response, 503, "Briefly unavailable")
        assert int(response["Retry-After"]) > 0
        assert "5432" not in response.content.decode()


@pytest.mark.django_db
def test_a_refused_page_says_why_on_the_standalone_page(org):
    client = Client()
    client.force_login(org.rep)
    html = page(client.get("/settings/custom-fields/"), 403, "Not allowed")
    assert "This page is for administrators." in html
    api_error(Client().get("/api/customers"), 401, "not_authenticated")
