"""The public web form, lead scoring and the notification bell."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from guanxi.core.notifications import notify
from guanxi.sales.models import Lead, Timeframe
from guanxi.sales.services.leads import create_lead, create_web_form, update_web_form
from guanxi.sales.services.scoring import score_lead
from guanxi.sales.tests import leads_fixtures
from guanxi.sales.views.webforms import make_stamp

_inline_tasks = leads_fixtures.inline_tasks
rules = leads_fixtures.rules


@pytest.fixture
def web_form(org, rules):
    cache.clear()
    yield create_web_form(org.admin, {"name": "官网询价", "source": "website",
                                      "team": org.team_a, "thank_you": "谢谢，我们会尽快联系您。",
                                      "allowed_origins": "https://www.acme.cn"})
    cache.clear()


def submit(client, form, **fields):
    data = {"name": "王小明", "phone": "13800138000", "timeframe": "immediate",
            "stamp": make_stamp(form.key, time.time() - 30), "website": ""} | fields
    return client.post(reverse("sales:public_form", args=[form.key]), data,
                       REMOTE_ADDR=fields.pop("ip", "203.0.113.9"))


def frame_ancestors(response) -> str:
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy  # the page's own policy, framing aside
    return next(d.strip().removeprefix("frame-ancestors ") for d in policy.split(";")
                if d.strip().startswith("frame-ancestors "))


def test_public_form_renders_without_login_and_may_be_framed(org, web_form):
    response = Client().get(reverse("sales:public_form", args=[web_form.key]))
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert frame_ancestors(response) == "'self' https://www.acme.cn"
    page = response.content.decode()
    assert 'name="website"' in page and 'name="stamp"' in page and "官网询价" in page
    zh = Client().get(reverse("sales:public_form", args=[web_form.key]), {"lang": "zh-hans"})
    assert '<html lang="zh-hans">' in zh.content.decode() and '<html lang="en">' in page


def test_sites_of_the_setting_may_frame_every_form_and_any_site_when_none_is_named(
        org, web_form, settings):
    settings.GUANXI_FORM_FRAME_ANCESTORS = ["https://partner.example.com"]
    response = Client().get(reverse("sales:public_form", args=[web_form.key]))
    assert "X-Frame-Options" not in response
    assert frame_ancestors(response) == "'self' https://partner.example.com https://www.acme.cn"

    update_web_form(org.admin, web_form, {"allowed_origins": ""}, web_form.version)
    response = Client().get(reverse("sales:public_form", args=[web_form.key]))
    assert frame_ancestors(response) == "'self' https://partner.example.com"
    settings.GUANXI_FORM_FRAME_ANCESTORS = []
    response = Client().get(reverse("sales:public_form", args=[web_form.key]))
    assert frame_ancestors(response) == "*" and "X-Frame-Options" not in response


def test_other_pages_still_refuse_frames(org, web_form, settings):
    settings.GUANXI_FORM_FRAME_ANCESTORS = ["https://partner.example.com"]
    client = Client()
    client.force_login(org.rep)
    response = client.get(reverse("sales:lead_list"))
    assert response["X-Frame-Options"] == "DENY" and frame_ancestors(response) == "'none'"


def test_submission_creates_a_routed_lead_with_the_forms_source(org, web_form):
    response = submit(Client(enforce_csrf_checks=True), web_form, company="明星电子",
                      interest="变压器")
    assert response.status_code == 200 and "谢谢" in response.content.decode()
    lead = Lead.objects.get()
    assert lead.source == "website" and lead.web_form == web_form
    assert lead.phone == "+8613800138000" and lead.created_by is None
    assert lead.owner == org.rep and lead.status == Lead.Status.ASSIGNED
    assert org.rep.notifications.filter(kind="sales.lead.assigned").exists()


@pytest.mark.parametrize(("fields", "message"), [
    ({"website": "http://spam.example"}, "could not be sent"),
    ({"stamp": None}, "very fast"),
    ({"stamp": "forged"}, "expired"),
    ({"phone": "", "email": ""}, "phone number or an e-mail"),
    ({"phone": "12345"}, "not a valid phone number"),
    ({"name": ""}, "required"),
])
def test_spam_and_bad_input_are_refused(org, web_form, fields, message):
    if fields.get("stamp", "") is None:
        fields["stamp"] = make_stamp(web_form.key)  # just shown: a robot's speed
    response = submit(Client(), web_form, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Lead.objects.exists()


def test_rate_limit_per_address(org, web_form, settings):
    settings.GUANXI_WEBFORM_RATE = 2
    client = Client()
    assert submit(client, web_form).status_code == 200
    assert submit(client, web_form, phone="13800138001").status_code == 200
    third = submit(client, web_form, phone="13800138002")
    assert third.status_code == 429 and "Too many" in third.content.decode()
    assert submit(client, web_form, phone="13800138003", ip="198.51.100.7").status_code == 200
    assert Lead.objects.count() == 3


def test_inactive_or_unknown_form_is_404(org, web_form):
    update_web_form(org.admin, web_form, {"active": False}, web_form.version)
    assert Client().get(reverse("sales:public_form", args=[web_form.key])).status_code == 404
    assert submit(Client(), web_form).status_code == 404
    assert Client().get(reverse("sales:public_form", args=["nope"])).status_code == 404


# --- Scoring ------------------------------------------------------------------------------

def test_score_explains_itself(org, rules):
    lead = create_lead(org.marketing, {
        "name": "张伟", "company": "苏州精工", "phone": "13900001111", "email": "z@jg.cn",
        "timeframe": "immediate", "budget": "1500000", "source": "referral",
        "interest": "数控机床", "province": "江苏", "title": "厂长"})
    assert lead.score_detail == [
        ["Buys immediately", 30], ["Budget of 1,000,000 or more", 20],
        ["Came through a referral", 15], ["Company named", 10], ["Phone number given", 8],
        ["E-mail given", 4], ["Job title given", 3], ["Says what they are interested in", 5],
        ["Region given", 2]]
    assert lead.score == 97


def test_score_follows_the_lead_and_stays_within_bounds(org, rules):
    lead = Lead(name="x", timeframe=Timeframe.MONTHS_12, source="manual")
    assert score_lead(lead) == (5, [["Buys within a year", 5]])
    lead.budget, lead.timeframe = 5000, Timeframe.MONTHS_6
    score, detail = score_lead(lead)
    assert score == 18 and ["Budget given", 8] in detail


# --- Notification bell --------------------------------------------------------------------

def test_bell_shows_the_unread_count_and_the_menu(org):
    client = Client()
    client.force_login(org.rep)
    page = client.get(reverse("core:notifications")).content.decode()
    assert 'id="notification-bell"' in page and 'id="notification-count"' not in page
    for i in range(3):
        notify(org.rep, "Lead for you: %(lead)s", {"lead": f"客户{i}"}, kind="sales.lead.assigned",
               url="/sales/leads/")
    notify(org.teammate, "Lead for you: %(lead)s", {"lead": "别人的"}, kind="x")
    page = client.get(reverse("customers:home")).content.decode()
    assert 'id="notification-count">3<' in page
    menu = client.get(reverse("core:notification_menu")).content.decode()
    assert "客户2" in menu and "别人的" not in menu
    client.post(reverse("core:notification_read"),
                {"id": [org.rep.notifications.first().pk]})
    page = client.get(reverse("customers:home")).content.decode()
    assert 'id="notification-count">2<' in page
    client.post(reverse("core:notification_read"))
    page = client.get(reverse("core:notifications")).content.decode()
    assert 'id="notification-count"' not in page and "客户0" in page


def test_opening_a_notification_marks_it_read_and_follows_its_link(org):
    note = notify(org.rep, "Lead for you: %(lead)s", {"lead": "x"}, kind="k",
                  url="/sales/leads/")
    client = Client()
    client.force_login(org.rep)
    response = client.get(reverse("core:notification_open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == "/sales/leads/"
    note.refresh_from_db()
    assert note.read_at is not None
