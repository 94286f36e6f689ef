"""API tokens and the signed-in user, through the API."""

from __future__ import annotations

import pytest

from guanxi.accounts.models import ApiToken
from guanxi.core.models import AuditEntry
from guanxi.core.tests.api_client import Api, as_


def test_me_tells_who_i_am(org):
    body = as_(org.manager).get("me").json()
    assert body == {"id": org.manager.pk, "username": "manager", "name": "陈经理",
                    "email": "manager@example.com", "roles": ["manager"],
                    "team": {"id": org.east.pk, "name": "华东区"}, "language": "en"}
    assert as_(None).get("me").status_code == 401


def test_token_secret_is_shown_once_and_signs_in(org):
    client = as_(org.rep)
    created = client.post("tokens", {"name": "ERP 同步", "scope": "write", "days": 30})
    assert created.status_code == 201
    secret = created.json()["secret"]
    assert secret.startswith("gx_") and created.json()["key_prefix"] == secret[:10]
    assert not ApiToken.objects.filter(key_hash=secret).exists()  # only its hash is stored
    listed = client.get("tokens").json()
    assert [t["name"] for t in listed] == ["ERP 同步"] and "secret" not in listed[0]
    assert listed[0]["active"] is True and listed[0]["expires_at"]
    assert Api(token=secret).get("me").json()["username"] == "rep"
    assert AuditEntry.objects.filter(action="accounts.token.created").count() == 1


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"name": ""}, 400, "name"),
    ({"name": "x" * 101}, 400, "name"),
    ({"name": "ok", "scope": "admin"}, 400, "scope"),
    ({"name": "ok", "days": -1}, 400, "days"),
    ({"name": "ok", "days": 0}, 400, "days"),
    ({"name": "ok", "days": None}, 400, "days"),
    ({"name": "ok", "days": 366}, 400, "days"),
    ({"name": "ok", "days": "soon"}, 422, "days"),
    ({"name": "ok", "owner": 3}, 422, "owner"),
])
def test_bad_token_input_names_the_field_and_creates_nothing(org, body, status, field):
    response = as_(org.rep).post("tokens", body)
    assert response.status_code == status
    assert response.json()["field"] == field
    assert not ApiToken.objects.exists()


def test_revoked_token_stops_working_and_only_own_tokens_are_revoked(org):
    client = as_(org.rep)
    secret = client.post("tokens", {"name": "脚本", "scope": "read"}).json()["secret"]
    token = ApiToken.objects.get(user=org.rep)
    assert as_(org.teammate).delete(f"tokens/{token.pk}").status_code == 404
    assert Api(token=secret).get("customers").status_code == 200
    assert Api(token=secret).delete(f"tokens/{token.pk}").status_code == 403  # read-only
    assert client.delete(f"tokens/{token.pk}").status_code == 204
    assert Api(token=secret).get("customers").status_code == 401
    assert client.delete(f"tokens/{token.pk}").status_code == 409
    assert client.get("tokens").json()[0]["active"] is False
