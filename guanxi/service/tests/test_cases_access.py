"""Who may do what on the service pages and endpoints, in each state of a case: a permission
matrix (agents and managers work cases, reps see their own customers' cases read-only, others
see nothing), plus the 4xx JSON bodies naming the field at fault."""

from __future__ import annotations

import pytest
from django.test import Client

from guanxi.core.tests.api_client import as_
from guanxi.service.models import Case
from guanxi.service.services import cases as services
from guanxi.service.tests.cases_fixtures import svc_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(svc, make_account):
    mine = make_account(by=svc.org.rep, name="王芳的客户")
    theirs = make_account(by=svc.org.other_rep, name="别人的客户")
    cases = {
        "new": services.create_case(svc.agent, subject="Open question", account=mine),
        "complaint": services.create_case(svc.agent, subject="投诉", kind="complaint",
                                          account=mine),
        "theirs": services.create_case(svc.agent, subject="Elsewhere", account=theirs),
    }
    closed = services.create_case(svc.agent, subject="Done", account=mine)
    closed = services.change_status(svc.agent, closed, "resolved", closed.version)
    cases["closed"] = services.change_status(svc.agent, closed, "closed", closed.version)
    return svc, cases


def page(user, url: str, method: str = "get", data: dict | None = None) -> int:
    client = Client()
    client.force_login(user)
    return getattr(client, method)(url, data or {}).status_code


def test_page_matrix(world):
    svc, cases = world
    o = svc.org
    case = cases["new"]
    reads = {"/service/cases/": {svc.agent: 200, svc.lead: 200, o.executive: 200, o.admin: 200,
                                 o.rep: 403, o.finance: 403},
             f"/service/cases/{case.pk}/": {svc.agent: 200, o.executive: 200, o.rep: 200,
                                            o.other_rep: 404, o.delivery: 404,
                                            o.finance: 200},
             f"/service/cases/{cases['theirs'].pk}/": {o.rep: 404, o.other_rep: 200},
             "/service/queue/": {svc.agent: 200, o.rep: 403},
             f"/service/queue/{svc.team.pk}/": {svc.agent: 200, o.rep: 403},
             "/service/settings/": {svc.lead: 200, o.admin: 200, svc.agent: 403, o.rep: 403},
             "/service/cases/new/": {svc.agent: 200, o.rep: 403, o.executive: 403}}
    for url, expected in reads.items():
        got = {user: page(user, url) for user in expected}
        assert got == expected, url


def test_read_only_viewers_see_no_work_forms_and_cannot_post(world):
    svc, cases = world
    o = svc.org
    case = cases["new"]
    client = Client()
    client.force_login(o.rep)
    body = client.get(f"/service/cases/{case.pk}/").content.decode()
    assert "Open question" in body and "Send reply" not in body and "Change status" not in body
    assert "Internal note" not in body
    for action in ("status", "assign", "reply", "note"):
        assert page(o.rep, f"/service/cases/{case.pk}/{action}/", "post",
                    {"status": "in_progress", "body": "x", "version": case.version}) == 403
    assert Case.objects.get(pk=case.pk).status == "new"


def test_state_matrix_of_the_work_forms(world):
    svc, cases = world
    # A closed case offers only reopening; a reply to it is refused at the field.
    client = Client()
    client.force_login(svc.agent)
    closed = cases["closed"]
    body = client.get(f"/service/cases/{closed.pk}/").content.decode()
    assert "Send reply" not in body and 'value="in_progress"' in body
    response = client.post(f"/service/cases/{closed.pk}/reply/", {"body": "hello"})
    assert response.status_code == 409 and "Reopen the case" in response.content.decode()
    # A complaint has no delete button, even for a manager, and deleting it is refused.
    complaint = cases["complaint"]
    client.force_login(svc.lead)
    assert "Delete" not in client.get(f"/service/cases/{complaint.pk}/").content.decode()
    assert page(svc.lead, f"/service/cases/{complaint.pk}/delete/", "post",
                {"version": complaint.version}) == 403
    assert Case.objects.filter(pk=complaint.pk).exists()


def test_working_a_case_through_the_pages(world):
    svc, cases = world
    case = cases["new"]
    client = Client()
    client.force_login(svc.agent)
    response = client.post(f"/service/cases/{case.pk}/status/",
                           {"status": "in_progress", "version": case.version, "note": "on it"})
    assert response.status_code == 302
    stale = client.post(f"/service/cases/{case.pk}/status/",
                        {"status": "waiting", "version": case.version})
    assert stale.status_code == 409
    case.refresh_from_db()
    assert case.status == "in_progress"
    body = client.get(f"/service/cases/{case.pk}/").content.decode()
    assert "on it" in body


def test_api_matrix(world):
    svc, cases = world
    o = svc.org
    case = cases["new"]
    assert as_(svc.agent).get("service/cases").status_code == 200
    numbers = {c["number"] for c in as_(o.rep).get("service/cases").json()["items"]}
    assert cases["theirs"].number not in numbers and case.number in numbers
    assert as_(o.delivery).get("service/cases").json()["items"] == []
    assert as_(o.rep).get(f"service/cases/{cases['theirs'].pk}").status_code == 404
    detail = as_(o.rep).get(f"service/cases/{case.pk}").json()
    assert detail["number"] == case.number and detail["history"][0]["kind"] == "created"
    refused = as_(o.rep).post(f"service/cases/{case.pk}/status",
                              {"status": "in_progress", "version": case.version})
    assert refused.status_code == 403
    ok = as_(svc.agent, scope="write").post(f"service/cases/{case.pk}/status",
                                            {"status": "in_progress", "version": case.version})
    assert ok.status_code == 200 and ok.json()["status"] == "in_progress"
    assert as_(svc.agent, scope="read").post(
        f"service/cases/{case.pk}/notes", {"body": "x"}).status_code in (401, 403)


def test_api_errors_name_the_field(world):
    svc, cases = world
    agent = as_(svc.agent)
    complaint = cases["complaint"]
    resolved = agent.post(f"service/cases/{complaint.pk}/status",
                          {"status": "resolved", "version": complaint.version}).json()
    refused = agent.post(f"service/cases/{complaint.pk}/status",
                         {"status": "closed", "version": resolved["version"]})
    assert refused.status_code == 400
    assert set(refused.json()["errors"]) == {"resolution", "root_cause"}
    stale = agent.post(f"service/cases/{complaint.pk}/status",
                       {"status": "closed", "version": 1, "resolution": "x",
                        "root_cause": "other"})
    assert stale.status_code == 409 and stale.json()["field"] == "version"
    bad = agent.post("service/cases", {"subject": "", "kind": "nonsense"})
    assert bad.status_code == 422
    assert agent.get("service/cases", status="nonsense").json()["field"] == "status"
    missing = agent.post("service/cases", {"subject": "Q", "account_id": 10 ** 12})
    assert missing.status_code == 400 and missing.json()["field"] == "account_id"
    deleted = agent.delete(f"service/cases/{complaint.pk}", version=resolved["version"])
    assert deleted.status_code == 403


def test_api_opens_a_case_and_replies(world, mailoutbox):
    svc, _cases = world
    agent = as_(svc.agent)
    created = agent.post("service/cases", {"subject": "Need a manual", "kind": "inquiry",
                                           "requester_email": "buyer@example.cn"})
    assert created.status_code == 201
    case_id = created.json()["id"]
    replied = agent.post(f"service/cases/{case_id}/replies", {"body": "Attached."})
    assert replied.status_code == 201 and replied.json()["kind"] == "reply"
    policies = agent.get("service/sla-policies").json()
    assert {p["name"] for p in policies} >= {"Standard", "Top customers"}
    assert agent.post("service/sla-policies", {
        "name": "x", "first_response_minutes": 1, "resolution_minutes": 2}).status_code == 403
    assert as_(svc.lead).post("service/sla-policies", {
        "name": "VIP", "customer_class": "A", "priority": "urgent",
        "first_response_minutes": 15, "resolution_minutes": 120}).status_code == 201


def test_search_and_360_cards(world):
    svc, cases = world
    case = cases["complaint"]
    found = as_(svc.org.rep).get("search", q=case.number.lower()).json()
    assert any(h.get("name") == case.number for h in _hits(found))
    client = Client()
    client.force_login(svc.org.rep)
    body = client.get(f"/customers/{case.account_id}/").content.decode()
    assert 'id="service-cases"' in body and 'id="service-open-items"' in body
    assert case.number in body


def _hits(found: list[dict]) -> list[dict]:
    return found


def test_the_export_holds_what_the_list_shows(world):
    from django.urls import reverse
    svc, cases = world
    client = Client()
    client.force_login(svc.agent)
    url = reverse("integrations:export", args=["cases"])
    response = client.get(url, {"format": "csv", "kind": "complaint"})
    body = b"".join(response.streaming_content).decode("utf-8-sig") \
        if response.streaming else response.content.decode("utf-8-sig")
    assert response.status_code == 200
    assert cases["complaint"].number in body and cases["new"].number not in body
    client.force_login(svc.org.rep)
    assert client.get(url, {"format": "csv"}).status_code == 403
