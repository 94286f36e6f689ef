"""The service settings pages and the case form, as a service manager and an agent would use
them: what they save, and the message at the field when an input is wrong."""

from __future__ import annotations

import pytest
from django.test import Client

from guanxi.service.models import BusinessHours, Case, Holiday, SlaPolicy
from guanxi.service.tests.cases_fixtures import svc_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_manager_keeps_hours_holidays_and_policies(svc):
    lead = client_for(svc.lead)
    for url in ("/service/settings/", "/service/settings/policies/new/",
                "/service/settings/rules/new/", "/service/settings/teams/new/",
                f"/service/settings/hours/{svc.team.pk}/", "/service/settings/hours/"):
        assert lead.get(url).status_code == 200, url
    week = {f"start_{wd}": "08:00" for wd in range(6)} | {f"end_{wd}": "20:00" for wd in range(6)}
    assert lead.post(f"/service/settings/hours/{svc.team.pk}/", week).status_code == 302
    assert BusinessHours.objects.filter(team=svc.team).count() == 6
    wrong = lead.post(f"/service/settings/hours/{svc.team.pk}/",
                      {"start_0": "18:00", "end_0": "09:00"})
    assert wrong.status_code == 200 and "The end must be after the start." in wrong.content.decode()
    assert BusinessHours.objects.filter(team=svc.team).count() == 6
    added = lead.post("/service/settings/holidays/add/",
                      {"date": "2027-01-01", "kind": "holiday", "name": "元旦"})
    assert added.status_code == 302 and Holiday.objects.filter(date="2027-01-01").exists()
    again = lead.post("/service/settings/holidays/add/",
                      {"date": "2027-01-01", "kind": "holiday", "name": "元旦"})
    assert again.status_code == 400
    assert "already" in again.content.decode()  # at the date field
    saved = lead.post("/service/settings/policies/new/", {
        "name": "VIP", "priority": "urgent", "kind": "", "customer_class": "A",
        "first_response_minutes": "15", "resolution_minutes": "120", "active": "on"})
    assert saved.status_code == 302 and SlaPolicy.objects.filter(name="VIP").exists()
    assert client_for(svc.agent).get("/service/settings/hours/").status_code == 403


def test_an_agent_opens_a_case_from_the_form(svc, make_account):
    account = make_account()
    agent = client_for(svc.agent)
    assert agent.get(f"/service/cases/new/?account={account.pk}").status_code == 200
    response = agent.post("/service/cases/new/", {
        "subject": "退货申请", "kind": "return", "channel": "wechat", "priority": "normal",
        "account": account.pk, "description": "型号不符"})
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == f"/service/cases/{case.pk}/"
    assert case.account == account and case.channel == "wechat"
    missing = agent.post("/service/cases/new/", {
        "subject": "x", "kind": "inquiry", "channel": "phone", "priority": "normal",
        "account": 10 ** 9})
    assert missing.status_code == 200 and "No such customer." in missing.content.decode()
    listed = agent.get("/service/cases/", {"q": case.number}).content.decode()
    assert case.number in listed
    assert "status" in agent.get("/service/cases/", {"status": "bogus"}).content.decode()
    home = agent.get("/").content.decode()
    assert 'id="service-home"' in home
