"""The permission-matrix runner itself: it reports every wrong status by persona, leaves the
world as it found it, and its coverage check cannot pass on a tag that names nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guanxi.core.tests.api_client import as_
from guanxi.core.tests.matrix import (
    api_clients,
    assert_api_case,
    documented,
    page_clients,
    run_api_case,
    run_page_case,
)
from guanxi.customers.models import Account

PERSONAS = ["rep", "anon", "readonly"]


def _body(world):
    return {"name": "杭州西湖电器有限公司", "industry": "manufacturing", "force": True}


def test_api_case_passes_and_every_write_is_rolled_back(org):
    before = Account.objects.count()
    clients = api_clients(org, PERSONAS)
    # The same create as two signed-in personas: both 201, so the first was rolled back.
    assert run_api_case(clients | {"manager": as_(org.manager)}, None, "post",
                        lambda w: "customers", _body, "201 401 403 201") == []
    assert Account.objects.count() == before


def test_api_case_names_each_persona_with_a_wrong_status(org):
    clients = api_clients(org, PERSONAS)
    wrong = run_api_case(clients, None, "get", lambda w: "customers", None, "200 200 403")
    assert [line.split(" (")[0] for line in wrong] == ["anon: 401", "readonly: 200"]
    with pytest.raises(AssertionError, match="list customers:\nanon: 401"):
        assert_api_case("list customers", clients, None, "get", lambda w: "customers", None,
                        "200 200 200")


def test_page_case_sends_the_anonymous_to_the_login_page(org):
    clients = page_clients(org, ["rep", "anon"])
    url = reverse("customers:list")
    assert run_page_case(clients, None, "get", url, None, "200 302") == []
    assert run_page_case(clients, None, "get", url, None, "403 302") == [
        "rep: 200 (expected 403)"]
    refused = run_page_case(clients, None, "get", url, None, "200 302",
                            check=lambda persona, response: f"seen by {persona}")
    assert refused == ["rep: seen by rep"]


def test_documented_endpoints_of_a_tag(org):
    found = documented(as_(org.rep), {"customers"})
    assert ("get", "/api/customers") in found and ("post", "/api/customers") in found
    with pytest.raises(AssertionError, match="no endpoint tagged"):
        documented(as_(org.rep), {"customers", "No such tag"})
