"""``Idempotency-Key`` on API writes, with leads: a retried POST creates one lead and answers
the first answer again; the same key with another body is refused; two concurrent requests
with one key create one lead."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from guanxi.accounts.models import ApiToken
from guanxi.core.tests.api_client import as_
from guanxi.core.tests.concurrency import run_together
from guanxi.sales.models import Lead
from guanxi.sales.services import leads as lead_services

LEAD = {"name": "张伟", "company": "苏州精工机械有限公司", "phone": "13900001111",
        "timeframe": "3m"}


def keyed(user, key: str, **kwargs):
    api = as_(user, **kwargs)
    api.headers["Idempotency-Key"] = key
    return api


@pytest.mark.django_db
def test_a_retried_post_creates_one_lead_and_answers_the_same(org):
    api = keyed(org.rep, "lead-2026-001")
    first = api.post("leads", LEAD)
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    again = api.post("leads", LEAD)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Lead.objects.count() == 1
    # Another key, or another person with the same key, is another request.
    assert keyed(org.rep, "lead-2026-002").post("leads", LEAD).status_code == 201
    assert keyed(org.teammate, "lead-2026-001").post("leads", LEAD).status_code == 201
    assert Lead.objects.count() == 3


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_refused(org):
    api = keyed(org.rep, "lead-2026-001")
    assert api.post("leads", LEAD).status_code == 201
    response = api.post("leads", LEAD | {"name": "李强"})
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert response.json()["field"] == "Idempotency-Key"
    assert list(Lead.objects.values_list("name", flat=True)) == ["张伟"]


@pytest.mark.django_db
def test_a_refused_request_leaves_the_key_free_and_tokens_work_too(org):
    api = keyed(org.rep, "lead-2026-001", scope="write")
    response = api.post("leads", LEAD | {"email": "not an address"})
    assert response.status_code == 400 and response.json()["field"] == "email"
    assert api.post("leads", LEAD).status_code == 201
    assert api.post("leads", LEAD).headers["Idempotent-Replayed"] == "true"
    assert Lead.objects.count() == 1
    bad = keyed(org.rep, "x" * 256).post("leads", LEAD)
    assert bad.status_code == 422 and bad.json()["field"] == "Idempotency-Key"


@pytest.mark.django_db
def test_a_new_token_is_created_once_and_its_secret_never_replayed(org):
    api = keyed(org.rep, "token-1")
    first = api.post("tokens", {"name": "ERP", "scope": "write"})
    assert first.status_code == 201 and first.json()["secret"]
    again = api.post("tokens", {"name": "ERP", "scope": "write"})
    assert again.status_code == 409 and "secret" not in again.json()
    assert again.json()["code"] == "idempotency_secret_shown"
    assert ApiToken.objects.filter(user=org.rep).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_with_one_key_create_one_lead(org, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writing transaction at a time")
    create = lead_services.create_lead

    def slow_create(*args, **kwargs):
        lead = create(*args, **kwargs)
        time.sleep(0.5)  # the other request arrives while this one holds the key
        return lead

    monkeypatch.setattr(lead_services, "create_lead", slow_create)
    def send() -> tuple[int, str | None]:
        response = keyed(org.rep, "lead-2026-001").post("leads", LEAD)
        return response.status_code, response.headers.get("Idempotent-Replayed")

    answers = run_together(send, send)
    assert sorted(answers, key=lambda a: a[1] or "") == [(201, None), (201, "true")]
    assert Lead.objects.count() == 1
