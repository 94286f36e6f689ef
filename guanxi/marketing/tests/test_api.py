"""The marketing API's permission matrix and its round trip: marketing and managers plan,
a rep reads only their customers' members and responses, bad rules and merge fields are
422/400 naming the field, consents are recorded and listed."""

from __future__ import annotations

import pytest
from django.test import Client

from guanxi.marketing.models import Campaign


def api(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def base(org, make_account, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mine = make_account(name="王芳的客户", industry="energy",
                        contacts=[{"name": "甲", "email": "a@mine.example"}])
    theirs = make_account(by=org.other_rep, name="别组客户", industry="energy",
                          contacts=[{"name": "乙", "email": "b@theirs.example"}])
    return mine, theirs


@pytest.mark.parametrize("who,status", [("marketing", 201), ("manager", 201), ("admin", 201),
                                        ("rep", 403), ("finance", 403), ("executive", 403)])
def test_who_creates_segments(org, base, who, status):
    answer = api(getattr(org, who)).post("/api/marketing/segments", {
        "name": "能源", "rules": {"industry": "energy"}}, content_type="application/json")
    assert answer.status_code == status


def test_round_trip_and_rep_sees_only_their_customers(org, base):
    mine, theirs = base
    client = api(org.marketing)
    bad = client.post("/api/marketing/segments/count", {"rules": {"gone_metric": "1"}},
                      content_type="application/json")
    assert bad.status_code == 400 and bad.json()["field"] == "gone_metric"
    count = client.post("/api/marketing/segments/count", {"rules": {"industry": "energy"}},
                        content_type="application/json").json()
    assert count["count"] == 2
    segment = client.post("/api/marketing/segments", {"name": "能源", "rules": {
        "industry": "energy"}}, content_type="application/json").json()
    wrong = client.post("/api/marketing/campaigns", {
        "name": "x", "subject_zh": "{{ foo }}", "body_zh": "hi", "segment_ids": [segment["id"]]},
        content_type="application/json")
    assert wrong.status_code == 400 and wrong.json()["field"] == "subject_zh"
    campaign = client.post("/api/marketing/campaigns", {
        "name": "夏季", "subject_zh": "你好 {{ contact.name }}", "body_zh": "hi",
        "control_percent": 0, "segment_ids": [segment["id"]]},
        content_type="application/json").json()
    launched = client.post(f"/api/marketing/campaigns/{campaign['id']}/launch",
                           {"version": campaign["version"]}, content_type="application/json")
    assert launched.status_code == 200 and launched.json()["status"] == "sending"
    assert Campaign.objects.get().status == "sending"
    assert len(client.get("/api/marketing/members").json()["items"]) == 2
    rep_members = api(org.rep).get("/api/marketing/members").json()["items"]
    assert [m["account_id"] for m in rep_members] == [mine.pk]
    assert api(org.rep).get("/api/marketing/campaigns").status_code == 403
    analysis = client.get(f"/api/marketing/campaigns/{campaign['id']}/analysis").json()
    assert analysis["progress"]["total"] == 2


def test_consents_recorded_and_listed(org, base):
    mine, theirs = base
    contact = mine.contacts.get()
    answer = api(org.rep).post("/api/marketing/consents", {
        "contact_id": contact.pk, "channel": "email", "purpose": "marketing", "granted": True,
        "source": "staff", "evidence": "签字同意书"}, content_type="application/json")
    assert answer.status_code == 201
    listed = api(org.rep).get(f"/api/marketing/consents?account={mine.pk}").json()
    assert listed[0]["evidence"] == "签字同意书"
    assert api(org.rep).get(f"/api/marketing/consents?account={theirs.pk}").status_code == 404
    missing = api(org.rep).post("/api/marketing/consents", {
        "contact_id": contact.pk, "channel": "email", "purpose": "marketing", "granted": True,
        "source": "staff"}, content_type="application/json")
    assert missing.status_code == 400 and missing.json()["field"] == "evidence"
