"""Lead pages: every URL against every persona, and what a user sees and does on them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from guanxi.core.notifications import notify
from guanxi.sales import urls as sales_urls
from guanxi.sales.models import Lead, LeadRoutingRule, WebForm
from guanxi.sales.services.leads import create_lead, create_web_form
from guanxi.sales.tests import leads_fixtures

_inline_tasks = leads_fixtures.inline_tasks
rules = leads_fixtures.rules

PERSONAS = ["rep", "teammate", "manager", "other_manager", "finance", "admin", "anon"]


@pytest.fixture
def world(org, rules):
    lead = create_lead(org.marketing, {"name": "张伟", "company": "苏州精工机械有限公司",
                                       "phone": "13900001111", "timeframe": "immediate"})
    assert lead.owner == org.rep
    form = create_web_form(org.admin, {"name": "官网询价"})
    note = notify(org.rep, "Lead for you: %(lead)s", {"lead": "x"}, kind="sales.lead.assigned",
                  url=f"/sales/leads/{lead.pk}/")
    return SimpleNamespace(lead=lead, form=form, rule=rules["team"], note=note, org=org)


def _pk(w):
    return w.lead.pk


#      name, method, url(w), data(w) or None, statuses in PERSONAS order
EDIT = "200 404 200 404 404 200 302"
ADMIN = "403 403 403 403 403 200 302"
CASES = [
    ("lead_list", "get", lambda w: reverse("sales:lead_list"), None,
     "200 200 200 200 200 200 302"),
    ("lead_create", "get", lambda w: reverse("sales:lead_create"), None,
     "200 200 200 200 403 200 302"),
    ("lead_detail", "get", lambda w: reverse("sales:lead_detail", args=[_pk(w)]), None, EDIT),
    ("lead_edit", "get", lambda w: reverse("sales:lead_edit", args=[_pk(w)]), None, EDIT),
    ("lead_assign", "get", lambda w: reverse("sales:lead_assign", args=[_pk(w)]), None,
     "403 404 200 404 404 200 302"),
    ("lead_disqualify", "get", lambda w: reverse("sales:lead_disqualify", args=[_pk(w)]),
     None, EDIT),
    ("lead_convert", "get", lambda w: reverse("sales:lead_convert", args=[_pk(w)]), None,
     EDIT),
    ("routing_rules", "get", lambda w: reverse("sales:routing_rules"), None, ADMIN),
    ("routing_rule_create", "get", lambda w: reverse("sales:routing_rule_create"), None,
     ADMIN),
    ("routing_rule_edit", "get", lambda w: reverse("sales:routing_rule_edit",
                                                   args=[w.rule.pk]), None, ADMIN),
    ("routing_rule_delete", "post", lambda w: reverse("sales:routing_rule_delete",
                                                      args=[w.rule.pk]),
     lambda w: {"version": w.rule.version}, "403 403 403 403 403 302 302"),
    ("web_forms", "get", lambda w: reverse("sales:web_forms"), None, ADMIN),
    ("web_form_create", "get", lambda w: reverse("sales:web_form_create"), None, ADMIN),
    ("web_form_edit", "get", lambda w: reverse("sales:web_form_edit", args=[w.form.pk]),
     None, ADMIN),
    ("web_form_active", "post", lambda w: reverse("sales:web_form_active", args=[w.form.pk]),
     lambda w: {"version": w.form.version, "active": "0"}, "403 403 403 403 403 302 302"),
    ("public_form", "get", lambda w: reverse("sales:public_form", args=[w.form.key]), None,
     "200 200 200 200 200 200 200"),
    ("notifications", "get", lambda w: reverse("core:notifications"), None,
     "200 200 200 200 200 200 302"),
    ("notification_menu", "get", lambda w: reverse("core:notification_menu"), None,
     "200 200 200 200 200 200 302"),
    ("notification_open", "get", lambda w: reverse("core:notification_open",
                                                   args=[w.note.pk]), None,
     "302 404 404 404 404 404 302"),
    ("notification_read", "post", lambda w: reverse("core:notification_read"),
     lambda w: {}, "302 302 302 302 302 302 302"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_page_permission_matrix(case, org, world):
    name, method, url, data, expected = case
    wrong = []
    for persona, status in zip(PERSONAS, expected.split(), strict=True):
        client = Client()
        if persona != "anon":
            client.force_login(getattr(org, persona))
        with transaction.atomic():
            kwargs = {"data": data(world)} if data else {}
            response = getattr(client, method)(url(world), **kwargs)
            transaction.set_rollback(True)
        if response.status_code != int(status):
            wrong.append(f"{persona}: {response.status_code} (expected {status})")
        if persona == "anon" and status == "302":
            assert "/accounts/login/" in response["Location"]
    assert not wrong, f"{name}:\n" + "\n".join(wrong)


def test_every_lead_page_is_in_the_matrix():
    from guanxi.core import urls as core_urls
    from guanxi.sales.views import lead_settings, leads, webforms

    pages = {p.name for module in (leads, lead_settings, webforms) for p in module.urls}
    assert {p.name for p in sales_urls.urlpatterns} >= pages
    pages |= {p.name for p in core_urls.urlpatterns if p.name.startswith("notification")}
    assert pages == {c[0] for c in CASES}


def test_list_filters_and_search(org, world):
    create_lead(org.rep, {"name": "李雷", "company": "杭州西湖软件", "timeframe": "6m",
                          "source": "exhibition"})
    client = Client()
    client.force_login(org.rep)
    page = client.get(reverse("sales:lead_list"), {"timeframe": "6m"}).content.decode()
    assert "李雷" in page and "张伟" not in page
    page = client.get(reverse("sales:lead_list"), {"q": "苏州"}).content.decode()
    assert "张伟" in page and "李雷" not in page
    page = client.get(reverse("sales:lead_list"), {"owner": "me", "source": "exhibition"})
    assert "李雷" in page.content.decode()
    # Another team's rep sees neither.
    client.force_login(org.other_rep)
    page = client.get(reverse("sales:lead_list")).content.decode()
    assert "张伟" not in page and "李雷" not in page


def test_detail_explains_the_score_and_the_routing(org, world):
    client = Client()
    client.force_login(org.rep)
    page = client.get(reverse("sales:lead_detail", args=[world.lead.pk])).content.decode()
    assert "Why this score" in page and "Buys immediately" in page and "+30" in page
    assert "Assigned to 王芳 by the routing rule “上海一组轮流”" in page


def test_score_reasons_read_in_the_readers_language(org, world):
    org.rep.language = "zh-hans"
    org.rep.save()
    client = Client()
    client.force_login(org.rep)
    page = client.get(reverse("sales:lead_detail", args=[world.lead.pk])).content.decode()
    assert world.lead.score_detail[0][0] == "Buys immediately"
    assert "+30" in page


def test_create_edit_disqualify_through_the_pages(org, world):
    client = Client()
    client.force_login(org.teammate)
    response = client.post(reverse("sales:lead_create"), {
        "name": "韩梅梅", "phone": "0571-8888 1234", "source": "referral", "timeframe": "3m",
        "budget": "250000"})
    assert response.status_code == 302
    lead = Lead.objects.get(name="韩梅梅")
    assert lead.owner == org.teammate and lead.phone == "+8657188881234"
    assert response["Location"] == reverse("sales:lead_detail", args=[lead.pk])
    response = client.post(reverse("sales:lead_edit", args=[lead.pk]), {
        "name": "韩梅梅", "phone": "+8657188881234", "source": "referral", "timeframe": "3m",
        "budget": "250000", "company": "杭州梅花贸易", "version": lead.version})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.company == "杭州梅花贸易" and ["Company named", 10] in lead.score_detail
    response = client.post(reverse("sales:lead_disqualify", args=[lead.pk]),
                           {"reason": "", "version": lead.version})
    assert response.status_code == 400 and "Say why" in response.content.decode()
    response = client.post(reverse("sales:lead_disqualify", args=[lead.pk]),
                           {"reason": "预算取消", "version": lead.version})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.status == Lead.Status.DISQUALIFIED and lead.disqualify_reason == "预算取消"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("phone", "12", "is not a valid phone number"),
    ("email", "not-an-email", "is not a valid e-mail address"),
    ("name", "", "required"),
    ("budget", "-5", "cannot be negative"),
    ("timeframe", "soon", "Select a valid choice"),
])
def test_bad_input_shows_at_the_field_and_changes_nothing(org, world, field, value, message):
    client = Client()
    client.force_login(org.rep)
    lead = world.lead
    data = {"name": lead.name, "phone": lead.phone, "source": lead.source,
            "timeframe": lead.timeframe, "version": lead.version} | {field: value}
    response = client.post(reverse("sales:lead_edit", args=[lead.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert f'has-error" id="field-{field}"' in response.content.decode()
    before = lead.version
    lead.refresh_from_db()
    assert lead.version == before
    count = Lead.objects.count()
    response = client.post(reverse("sales:lead_create"), {k: v for k, v in data.items()
                                                          if k != "version"})
    assert response.status_code == 400 and Lead.objects.count() == count


def test_stale_edit_is_refused(org, world):
    client = Client()
    client.force_login(org.rep)
    response = client.post(reverse("sales:lead_edit", args=[world.lead.pk]), {
        "name": "张伟伟", "source": "manual", "timeframe": "immediate", "version": 0})
    assert response.status_code == 409 and "Someone else changed" in response.content.decode()
    world.lead.refresh_from_db()
    assert world.lead.name == "张伟"


def test_manager_hands_a_lead_to_another_rep(org, world):
    client = Client()
    client.force_login(org.manager)
    response = client.post(reverse("sales:lead_assign", args=[world.lead.pk]),
                           {"owner": org.hz_rep.pk, "version": world.lead.version})
    assert response.status_code == 302
    world.lead.refresh_from_db()
    assert world.lead.owner == org.hz_rep and world.lead.team == org.team_a2
    assert org.hz_rep.notifications.filter(kind="sales.lead.assigned").exists()


def test_routing_rule_settings_create_edit_delete(org, world):
    client = Client()
    client.force_login(org.admin)
    response = client.post(reverse("sales:routing_rule_create"), {
        "name": "杭州", "position": 0, "province": "浙江", "user": org.hz_rep.pk,
        "active": "on"})
    assert response.status_code == 302
    rule = LeadRoutingRule.objects.get(name="杭州")
    response = client.post(reverse("sales:routing_rule_create"), {
        "name": "两者", "position": 0, "user": org.hz_rep.pk, "team": org.team_a.pk})
    assert response.status_code == 400 and "either a user or a team" in response.content.decode()
    response = client.post(reverse("sales:routing_rule_edit", args=[rule.pk]), {
        "name": "杭州", "position": 0, "province": "火星", "user": org.hz_rep.pk,
        "version": rule.version})
    assert response.status_code == 400 and "not a Chinese province" in response.content.decode()
    response = client.post(reverse("sales:routing_rule_edit", args=[rule.pk]), {
        "name": "杭州", "position": 0, "province": "浙江", "user": org.hz_rep.pk,
        "version": 0})
    assert response.status_code == 409
    page = client.get(reverse("sales:routing_rules")).content.decode()
    assert "杭州" in page and "Round robin in 上海一组" in page
    client.post(reverse("sales:routing_rule_delete", args=[rule.pk]),
                {"version": rule.version})
    assert not LeadRoutingRule.objects.filter(pk=rule.pk).exists()


def test_web_form_settings_show_the_embed_snippets(org, world):
    client = Client()
    client.force_login(org.admin)
    response = client.post(reverse("sales:web_form_create"), {
        "name": "展会登记", "source": "exhibition", "team": org.team_a.pk,
        "allowed_origins": "https://www.acme.cn/"})
    assert response.status_code == 302
    form = WebForm.objects.get(name="展会登记")
    assert form.allowed_origins == "https://www.acme.cn"
    page = client.get(reverse("sales:web_forms")).content.decode()
    assert f"/sales/f/{form.key}/" in page and "&lt;iframe" in page and "&lt;script" in page
    response = client.post(reverse("sales:web_form_create"), {
        "name": "坏", "source": "website", "allowed_origins": "acme.cn"})
    assert response.status_code == 400 and "not a website origin" in response.content.decode()


def test_nav_shows_leads_and_admin_settings(org, world):
    client = Client()
    client.force_login(org.admin)
    page = client.get(reverse("sales:lead_list")).content.decode()
    for url in (reverse("sales:lead_list"), reverse("sales:routing_rules"),
                reverse("sales:web_forms")):
        assert f'href="{url}"' in page


def test_list_queries_do_not_grow_with_rows_and_htmx_gets_the_table(org, world,
                                                                     django_assert_max_num_queries):
    client = Client()
    client.force_login(org.admin)
    client.get(reverse("sales:lead_list"))
    for i in range(15):
        create_lead(org.manager, {"name": f"批量{i}", "timeframe": "6m"}, owner=org.teammate)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("sales:lead_list")).content.decode()
    assert page.count('href="/sales/leads/') >= 16
    partial = client.get(reverse("sales:lead_list"), {"timeframe": "6m"},
                         headers={"HX-Request": "true", "HX-Target": "lead-table"})
    body = partial.content.decode()
    assert body.lstrip().startswith("<div id=\"lead-table\"") and "批量3" in body


def test_rep_logs_a_call_and_a_task_from_the_lead_page(org, world):
    client = Client()
    client.force_login(org.rep)
    page = client.get(reverse("sales:lead_detail", args=[world.lead.pk])).content.decode()
    activity_url = f"{reverse('sales:activity_create')}?lead={world.lead.pk}"
    assert activity_url in page and f"{reverse('sales:task_create')}?lead={world.lead.pk}" in page
    response = client.post(activity_url, {"kind": "call", "subject": "首次电话沟通",
                                          "status": "done", "starts_at": "2026-11-20 10:00"})
    assert response.status_code in (200, 204, 302), response.content[:500]
    assert world.lead.activities.get().subject == "首次电话沟通"
    page = client.get(reverse("sales:lead_detail", args=[world.lead.pk])).content.decode()
    assert "首次电话沟通" in page
