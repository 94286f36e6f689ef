"""The worked channels as their users live them: a phone campaign's call list (two agents
never get one member, outcomes are responses, "interested" becomes a lead, "do not call"
withdraws phone consent), an exhibition's registration form and check-in at the door, and a
WeChat campaign's tracked links — with who may do what, and bad input refused with nothing
written."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guanxi.core.errors import Conflict, FieldErrors, Forbidden
from guanxi.customers.services import consent
from guanxi.marketing.models import CampaignLink, CampaignMember, EventRegistration
from guanxi.marketing.services import calls, events
from guanxi.marketing.services import campaigns as svc
from guanxi.marketing.services import segments as seg_svc
from guanxi.marketing.services.sending import send_campaign
from guanxi.sales.selectors.leads import accounts_with_leads_from

JSON = "application/json"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def dealers(org, make_account, settings):
    """Four car dealers' buyers of the rep, one of another team's rep."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mine = [make_account(name=f"上海汽车经销{n}号有限公司", industry="automotive", contacts=[
        {"name": f"采购{n}", "mobile": f"1380013800{n}", "email": f"buyer{n}@dealer.example",
         "wechat": f"wx_buyer{n}"}]) for n in range(4)]
    theirs = make_account(by=org.other_rep, name="深圳汽车经销有限公司", industry="automotive",
                          contacts=[{"name": "采购甲", "mobile": "13900139000",
                                     "email": "jia@sz.example", "wechat": "wx_jia"}])
    segment = seg_svc.create_segment(org.marketing, {"name": "经销商",
                                                     "rules": {"industry": "automotive"}})
    return mine, theirs, segment


def campaign_of(org, segment, channel, **data):
    fields = {"name": f"{channel} 活动", "channel": channel, "control_percent": 0,
              "body_zh": "您好，2026 新车上市，详情 https://www.example.com/new-car"} | data
    return svc.create_campaign(org.marketing, fields, segments=[segment])


def launched(org, campaign):
    return svc.launch_campaign(org.marketing, campaign, campaign.version, seed=1)


# --- Phone -----------------------------------------------------------------------------------

def test_call_list_worked_by_two_agents(org, dealers):
    mine, theirs, segment = dealers
    campaign = campaign_of(org, segment, "phone", options={"agents": [org.rep.pk]})
    with pytest.raises(Conflict):  # a draft has no call list yet
        calls.take_next(org.marketing, campaign)
    campaign = launched(org, campaign)
    assert CampaignMember.objects.filter(campaign=campaign).count() == 5

    # The rep gets only their own customers; two agents never get the same member.
    by_rep = calls.take_next(org.rep, campaign)
    by_marketing = calls.take_next(org.marketing, campaign)
    assert by_rep.account_id in {a.pk for a in mine}
    assert by_marketing.pk != by_rep.pk
    assert calls.take_next(org.rep, campaign).pk == by_rep.pk  # still holds it
    with pytest.raises(Forbidden):
        calls.take_next(org.other_rep, campaign)

    # An outcome on someone else's member is refused and nothing is written.
    with pytest.raises(Conflict):
        calls.log_call(org.marketing, by_rep, "interested")
    assert not by_rep.responses.exists()
    with pytest.raises(FieldErrors) as bad:
        calls.log_call(org.rep, by_rep, "callback", callback_at="not a time")
    assert "callback_at" in bad.value.errors

    done = calls.log_call(org.rep, by_rep, "interested", notes="想看新款 SUV",
                          make_lead=True)
    assert done["lead"].source == "campaign" and done["member"].sent_at is not None
    assert by_rep.account_id in set(accounts_with_leads_from(f"{campaign.name} (#{campaign.pk})"))
    assert {r.kind for r in by_rep.responses.all()} == {"called", "replied"}

    member = calls.take_next(org.rep, campaign)
    calls.log_call(org.rep, member, "do_not_call")
    person = member.contact
    assert not consent.may_contact(person, "phone", "marketing").allowed
    member.refresh_from_db()
    assert member.unsubscribed_at is not None

    member = calls.take_next(org.rep, campaign)
    later = timezone.now() + dt.timedelta(days=1)
    calls.log_call(org.rep, member, "callback", callback_at=later)
    member.refresh_from_db()
    assert member.state == "pending" and member.agent is None and member.callback_at == later

    # The marketing agent's member: no answer puts it back for a retry in two hours.
    calls.log_call(org.marketing, by_marketing, "no_answer")
    by_marketing.refresh_from_db()
    assert by_marketing.callback_at > timezone.now() and by_marketing.calls == 1

    # API: take the next and log it, the detail page shows the outcomes.
    client = login(org.marketing)
    nxt = client.post(f"/api/marketing/calls/{campaign.pk}/next")
    assert nxt.status_code == 200 and nxt.json()["phone"].startswith("+86")
    logged = client.post(f"/api/marketing/calls/members/{nxt.json()['id']}/outcome",
                         {"outcome": "wrong_number"}, content_type=JSON)
    assert logged.status_code == 200 and logged.json()["member"]["call_outcome"] == \
        "wrong_number"
    again = client.post(f"/api/marketing/calls/members/{nxt.json()['id']}/outcome",
                        {"outcome": "interested"}, content_type=JSON)
    assert again.status_code == 409
    bad_outcome = client.post(f"/api/marketing/calls/members/{nxt.json()['id']}/outcome",
                              {"outcome": "maybe"}, content_type=JSON)
    assert bad_outcome.status_code == 400 and bad_outcome.json()["field"] == "outcome"
    page = client.get(reverse("marketing:campaign", args=[campaign.pk])).content.decode()
    assert "Wrong number: <strong class=\"tabular\">1</strong>" in page

    # The call list page: the call-back time has come, the rep takes it and logs with the form.
    CampaignMember.objects.filter(callback_at=later).update(
        callback_at=timezone.now() - dt.timedelta(minutes=1))
    rep = login(org.rep)
    rep.post(reverse("marketing:calls", args=[campaign.pk]), {"action": "next"})
    page = rep.get(reverse("marketing:calls", args=[campaign.pk]))
    member = CampaignMember.objects.get(campaign=campaign, agent=org.rep, state="pending")
    assert member.address in page.content.decode()
    missing = rep.post(reverse("marketing:calls", args=[campaign.pk]),
                       {"member": member.pk, "outcome": "callback"})
    assert missing.status_code == 400 and "call back" in missing.content.decode().lower()
    ok = rep.post(reverse("marketing:calls", args=[campaign.pk]),
                  {"member": member.pk, "outcome": "not_interested", "notes": "已买车"})
    assert ok.status_code == 302
    member.refresh_from_db()
    assert member.call_outcome == "not_interested" and member.call_notes == "已买车"

    # A rep sees their customers' call responses; a cancelled campaign takes no more calls.
    responses = login(org.rep).get(f"/api/marketing/responses?campaign={campaign.pk}").json()
    assert responses and {r["member_id"] for r in responses} <= set(
        CampaignMember.objects.filter(account__in=mine).values_list("pk", flat=True))
    campaign.refresh_from_db()
    svc.cancel_campaign(org.marketing, campaign, campaign.version)
    assert client.post(f"/api/marketing/calls/{campaign.pk}/next").status_code == 409


def test_two_agents_taking_at_the_same_moment_get_two_members(org, dealers, monkeypatch):
    mine, theirs, segment = dealers
    campaign = launched(org, campaign_of(org, segment, "phone"))
    real = consent.may_contact
    other: list = []

    def racing(person, channel, purpose):
        if not other:  # the manager's claim lands between our read and our update
            other.append(None)
            other.append(calls.take_next(org.manager, campaign))
        return real(person, channel, purpose)

    monkeypatch.setattr(calls.consent, "may_contact", racing)
    taken = calls.take_next(org.marketing, campaign)
    assert other[1] is not None and taken.pk != other[1].pk
    assert CampaignMember.objects.filter(campaign=campaign, agent__isnull=False).count() == 2


# --- Event -----------------------------------------------------------------------------------

def test_exhibition_registration_and_check_in(org, dealers):
    mine, theirs, segment = dealers
    campaign = campaign_of(org, segment, "event", name="2026 上海国际车展", subject_zh="车展邀请",
                           options={"venue": "国家会展中心（上海）", "capacity": 5,
                                    "event_at": "2026-04-23T09:00:00+08:00"})
    with pytest.raises(FieldErrors) as no_venue:
        launched(org, campaign_of(org, segment, "event", subject_zh="x"))
    assert {"venue", "capacity", "event_at"} <= set(no_venue.value.errors)

    # A draft refuses registrations.
    draft_open = Client().post(reverse("marketing:register",
                                       args=[events.open_token(campaign)]),
                               {"name": "路人", "phone": "13700137000"})
    assert draft_open.status_code == 400 and not EventRegistration.objects.exists()

    campaign = launched(org, campaign)
    assert send_campaign(campaign.pk, sleep=lambda s: None) == 5
    invitation = next(m for m in mail.outbox if "buyer0@" in m.to[0])
    link = re.search(r"https?://\S+/marketing/e/\S+/", invitation.body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    invitation_member = CampaignMember.objects.get(campaign=campaign,
                                                   address="buyer0@dealer.example")

    public = Client()
    form = public.get("/" + path)
    assert form.status_code == 200 and "+8613800138000" in form.content.decode()
    mail.outbox.clear()
    done = public.post("/" + path, {"name": "采购0", "phone": "13800138000",
                                    "email": "buyer0@dealer.example", "consent": "on"})
    page = done.content.decode()
    code = EventRegistration.objects.get(member=invitation_member).code
    assert done.status_code == 200 and code in page and "<svg" in page
    invitation_member.refresh_from_db()
    assert invitation_member.registered_at is not None
    assert len(mail.outbox) == 1 and "/consent/confirm/" in mail.outbox[0].body  # double opt-in

    reused = public.post("/" + path, {"name": "采购0", "phone": "13800138000"})
    assert reused.status_code == 400 and code in reused.content.decode()
    assert EventRegistration.objects.count() == 1

    # Bad input names the field, nothing written.
    open_path = reverse("marketing:register", args=[events.open_token(campaign)])
    for data, field in (({"name": "张先生"}, "phone"),
                        ({"name": "张先生", "phone": "12345"}, "phone"),
                        ({"name": "张先生", "phone": "13700137000", "email": "nope"}, "email"),
                        ({"name": "张先生", "phone": "13700137000", "consent": "on"}, "email")):
        refused = public.post(open_path, data)
        assert refused.status_code == 400
        assert f'id="field-{field}"' in refused.content.decode()
        assert 'has-error" id="field-' + field in refused.content.decode()
    assert EventRegistration.objects.count() == 1
    assert public.get(reverse("marketing:register", args=["forged"])).status_code == 404

    # Walk-ins through the open link become leads with the campaign as source.
    for n in range(4):
        walk_in = public.post(open_path, {"name": f"观众{n}", "phone": f"1370013700{n}",
                                          "company": f"个体{n}"})
        assert walk_in.status_code == 200
    walk = EventRegistration.objects.filter(member__isnull=True)
    assert walk.count() == 4 and all(r.lead_id for r in walk)
    full = public.post(open_path, {"name": "迟到者", "phone": "13600136000"})
    assert full.status_code == 400 and "full" in full.content.decode()
    assert EventRegistration.objects.count() == 5

    # Check-in at the door: search by code, name or mobile; one click.
    staff = login(org.marketing)
    url = reverse("marketing:checkin", args=[campaign.pk])
    for q in (code.lower(), "采购0", "138 0013 8000"):
        found = staff.get(url, {"q": q}).content.decode()
        assert code in found, q
    registration = EventRegistration.objects.get(code=code)
    staff.post(url, {"registration": registration.pk, "q": code})
    registration.refresh_from_db()
    assert registration.checked_in_at is not None
    invitation_member.refresh_from_db()
    assert invitation_member.responses.filter(kind="attended").count() == 1
    twice = staff.post(url, {"registration": registration.pk}, follow=True)
    assert "checked in already" in twice.content.decode()
    assert invitation_member.responses.filter(kind="attended").count() == 1

    api = staff.post(f"/api/marketing/events/{campaign.pk}/check-in", {"code": "ZZZZ9999"},
                     content_type=JSON)
    assert api.status_code == 400 and api.json()["field"] == "code"
    walk_code = walk.first().code
    api = staff.post(f"/api/marketing/events/{campaign.pk}/check-in", {"code": walk_code},
                     content_type=JSON)
    assert api.status_code == 200 and api.json()["checked_in_at"]
    assert "2</strong> / <span class=\"tabular\">5" in staff.get(url).content.decode()
    listed = staff.get(f"/api/marketing/events/{campaign.pk}/registrations?q=观众").json()
    assert len(listed) == 4
    full_api = staff.post(f"/api/marketing/events/{campaign.pk}/registrations",
                          {"name": "展台登记", "phone": "13500135000"}, content_type=JSON)
    assert full_api.status_code == 409
    detail = staff.get(reverse("marketing:campaign", args=[campaign.pk])).content.decode()
    assert "5 registered (4 through the open link), 2 checked in" in detail

    campaign.refresh_from_db()
    svc.cancel_campaign(org.marketing, campaign, campaign.version)
    other = EventRegistration.objects.filter(checked_in_at__isnull=True).first()
    cancelled = staff.post(f"/api/marketing/events/{campaign.pk}/check-in",
                           {"code": other.code}, content_type=JSON)
    assert cancelled.status_code == 409


# --- WeChat ----------------------------------------------------------------------------------

def test_wechat_links_and_clicks(org, dealers):
    mine, theirs, segment = dealers
    with pytest.raises(FieldErrors) as no_link:
        launched(org, campaign_of(org, segment, "wechat", body_zh="没有链接"))
    assert "body_zh" in no_link.value.errors
    campaign = launched(org, campaign_of(org, segment, "wechat", name="社群试驾报名"))
    link = CampaignLink.objects.get(campaign=campaign)
    members = list(CampaignMember.objects.filter(campaign=campaign).order_by("id"))
    assert {m.state for m in members} == {"sent"} and members[0].address.startswith("wx_")

    page = login(org.marketing).get(reverse("marketing:links", args=[campaign.pk]))
    # One shared link for the group post and one per member, all signed redirects.
    assert len(re.findall(r'value="http://[^"]+/marketing/r/[^"/]+/"', page.content.decode())) \
        == 1 + len(members)
    api = login(org.marketing).get(f"/api/marketing/wechat/{campaign.pk}/links").json()
    first = next(m for m in api["members"] if m["member_id"] == members[0].pk)

    visitor = Client()
    path = "/" + first["links"][0].split("://", 1)[1].split("/", 1)[1]
    answer = visitor.get(path)
    assert answer.status_code == 302 and answer["Location"] == link.url
    members[0].refresh_from_db()
    assert members[0].clicked_at is not None
    shared = "/" + api["links"][0]["shared_url"].split("://", 1)[1].split("/", 1)[1]
    assert visitor.get(shared)["Location"] == link.url
    visitor.get(shared)
    link.refresh_from_db()
    assert link.shared_clicks == 2
    assert visitor.get(path[:-3] + "xx/").status_code == 404  # forged: never an open redirect

    api = login(org.marketing).get(f"/api/marketing/wechat/{campaign.pk}/links").json()
    assert api["links"][0]["shared_clicks"] == 2 and len(api["members"]) == 5
    detail = login(org.marketing).get(reverse("marketing:campaign", args=[campaign.pk]))
    assert "1 of 5 members clicked (1 clicks); 2 clicks on the shared links" in \
        detail.content.decode()


# --- Who may ---------------------------------------------------------------------------------

def test_who_works_the_channels(org, dealers):
    mine, theirs, segment = dealers
    phone = launched(org, campaign_of(org, segment, "phone",
                                      options={"agents": [org.hz_rep.pk]}))
    event = launched(org, campaign_of(org, segment, "event", subject_zh="邀请", options={
        "venue": "会展中心", "capacity": 100, "event_at": "2026-04-23T09:00:00+08:00"}))
    wechat = launched(org, campaign_of(org, segment, "wechat"))
    pages = [reverse("marketing:calls", args=[phone.pk]),
             reverse("marketing:checkin", args=[event.pk]),
             reverse("marketing:links", args=[wechat.pk])]
    apis = [("post", f"/api/marketing/calls/{phone.pk}/next"),
            ("get", f"/api/marketing/events/{event.pk}/registrations"),
            ("get", f"/api/marketing/wechat/{wechat.pk}/links")]
    expected = {"marketing": 200, "manager": 200, "admin": 200, "executive": 403,
                "rep": 404, "teammate": 404, "assistant": 404, "finance": 404,
                "other_rep": 404, "other_manager": 200, "delivery": 404, "collection": 404}
    for who, status in expected.items():
        client = login(getattr(org, who))
        for url in pages:
            assert client.get(url).status_code == status, (who, url)
        for method, url in apis:
            answer = getattr(client, method)(url)
            assert answer.status_code in ((200, 204) if status == 200 else (status,)), \
                (who, url, answer.status_code)
    # The rep named as the phone campaign's agent works its call list (none of its members
    # are their customers: nothing to call), and only that.
    agent = login(org.hz_rep)
    assert pages[0] in agent.get(reverse("customers:home")).content.decode()
    assert pages[0] not in login(org.teammate).get(reverse("customers:home")).content.decode()
    assert agent.get(pages[0]).status_code == 200
    assert agent.post(apis[0][1]).status_code == 204
    assert agent.get(pages[1]).status_code == 404
    assert agent.get(reverse("marketing:campaign", args=[phone.pk])).status_code == 403
