"""Marketing's pages as people use them: who may open them, a segment saved from the list's
filters with its live count (a rule on a field that does not exist is named), a campaign
drafted and shown, the customer's 360° card with campaigns and consent."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from guanxi.customers.services import consent
from guanxi.marketing.models import Campaign, Segment
from guanxi.marketing.services import campaigns as svc
from guanxi.marketing.services import segments as seg_svc


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def customers(org, make_account):
    return [make_account(name=f"广东能源{n}", industry="energy",
                         contacts=[{"name": f"联系人{n}", "email": f"e{n}@energy.example"}])
            for n in range(3)]


def test_marketing_pages_are_for_marketing_and_managers(org, customers):
    assert login(org.marketing).get(reverse("marketing:campaigns")).status_code == 200
    assert login(org.manager).get(reverse("marketing:segments")).status_code == 200
    assert login(org.rep).get(reverse("marketing:campaigns")).status_code == 403
    assert login(org.rep).get(reverse("marketing:segment_create")).status_code == 403
    page = login(org.marketing).get(reverse("customers:home"))
    assert reverse("marketing:campaigns") in page.content.decode()  # menu and home section


def test_segment_from_the_list_filters_with_live_count(org, customers):
    client = login(org.marketing)
    form = client.get(reverse("marketing:segment_create") + "?industry=energy&sort=name")
    assert "industry=energy" in form.content.decode()
    count = client.get(reverse("marketing:segment_count"),
                       {"rules": "/customers/?industry=energy&page=2"})
    assert "<strong class=\"tabular\">3</strong>" in count.content.decode()
    bad = client.get(reverse("marketing:segment_count"), {"rules": "cf_gone=1&lifestage=x"})
    text = bad.content.decode()
    assert "lifestage" in text and "does not exist" in text
    answer = client.post(reverse("marketing:segment_create"),
                         {"name": "能源", "kind": "dynamic", "rules": "industry=energy&sort=x"})
    assert answer.status_code == 302
    assert Segment.objects.get().rules == {"industry": "energy"}
    refused = client.post(reverse("marketing:segment_create"),
                          {"name": "坏", "kind": "dynamic", "rules": "removed_metric=3"})
    assert refused.status_code == 400 and Segment.objects.count() == 1


def test_campaign_drafted_and_shown_with_its_analysis(org, customers):
    segment = seg_svc.create_segment(org.marketing, {"name": "能源",
                                                     "rules": {"industry": "energy"}})
    client = login(org.marketing)
    answer = client.post(reverse("marketing:campaign_create"), {
        "name": "年终促销", "channel": "email", "purpose": "marketing", "segments": [segment.pk],
        "budget": "3000", "control_percent": "10", "conversion_days": "30",
        "rate_per_minute": "600", "subject_zh": "{{ contact.name }}，年终促销",
        "body_zh": "您好 {{ contact.unknown }}"})
    assert answer.status_code == 200 and "contact.unknown" in answer.content.decode()
    assert not Campaign.objects.exists()
    campaign = svc.create_campaign(org.marketing, {"name": "年终促销", "subject_zh": "促销",
                                                   "body_zh": "您好"}, segments=[segment])
    page = client.get(reverse("marketing:campaign", args=[campaign.pk]))
    assert page.status_code == 200 and "年终促销" in page.content.decode()
    client.post(reverse("marketing:campaign_action", args=[campaign.pk, "cost"]),
                {"description": "展位", "amount": "800"})
    assert campaign.costs.get().amount == 800


def test_customer_card_shows_campaigns_and_consent_to_the_rep(org, customers, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    account = customers[0]
    segment = seg_svc.create_segment(org.marketing, {"name": "能源",
                                                     "rules": {"industry": "energy"}})
    campaign = svc.create_campaign(org.marketing, {"name": "春季新品", "subject_zh": "新品",
                                                   "body_zh": "您好", "control_percent": 0},
                                   segments=[segment])
    svc.launch_campaign(org.marketing, campaign, campaign.version)
    consent.record(org.rep, account.contacts.get(), channel="sms", purpose="care",
                   granted=True, source="staff", evidence="电话确认")
    page = login(org.rep).get(reverse("customers:detail", args=[account.pk])).content.decode()
    assert "春季新品" in page and "SMS" in page
