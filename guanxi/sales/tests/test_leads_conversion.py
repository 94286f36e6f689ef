"""Converting a lead: customer + contact + opportunity in one step, all or nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guanxi.core.errors import Conflict, DomainError, Forbidden
from guanxi.customers.models import Account, Contact, TimelineEvent
from guanxi.sales.models import Activity, Lead, Opportunity, Stage, StageChange, Task
from guanxi.sales.services.conversion import convert_lead
from guanxi.sales.services.leads import create_lead
from guanxi.sales.tests import leads_fixtures

_inline_tasks = leads_fixtures.inline_tasks
rules = leads_fixtures.rules


@pytest.fixture
def lead(org, rules):
    lead = create_lead(org.marketing, {
        "name": "张伟", "company": "苏州精工机械有限公司", "title": "采购经理",
        "phone": "13900001111", "email": "zw@jinggong.cn", "province": "江苏",
        "city": "苏州", "timeframe": "3m", "budget": "480000", "source": "exhibition",
        "interest": "数控机床"}, finder=org.hz_rep)
    Activity.objects.create(kind="call", subject="首次电话", starts_at=timezone.now(),
                            lead=lead, owner=org.rep)
    lead.refresh_from_db()
    return lead


def test_conversion_creates_customer_contact_and_opportunity(org, lead):
    convert_lead(org.rep, lead, lead.version)
    lead.refresh_from_db()
    assert lead.status == Lead.Status.CONVERTED and lead.converted_at is not None
    account = lead.converted_account
    assert account.name == "苏州精工机械有限公司" and account.owner == org.rep
    assert account.source == "exhibition" and account.addresses.get().province == "江苏"
    contact = lead.converted_contact
    assert (contact.name, contact.title, contact.mobile, contact.email) == (
        "张伟", "采购经理", "+8613900001111", "zw@jinggong.cn")
    opp = lead.converted_opportunity
    first = Stage.objects.filter(pipeline__is_default=True).order_by("position").first()
    assert opp.stage == first and opp.pipeline.is_default
    assert opp.amount == Decimal("480000.00") and opp.timeframe == "3m"
    assert opp.source == "exhibition" and opp.lead == lead
    assert opp.owner == org.rep and opp.finder == org.hz_rep and opp.contact == contact
    change = StageChange.objects.get(opportunity=opp)
    assert change.from_stage is None and change.to_stage == first
    assert change.amount == opp.amount
    # History moves along: the call and the pull-forward task now belong to the customer.
    assert Activity.objects.get(lead=lead).account == account
    task = Task.objects.get(lead=lead)
    assert task.account == account and task.opportunity == opp
    event = TimelineEvent.objects.filter(account=account, kind="sales.lead.converted").get()
    assert "Converted from lead" in event.title


def test_a_failure_leaves_nothing(org, lead):
    Stage.objects.update(active=False)  # no stage to open the opportunity on
    accounts, contacts = Account.objects.count(), Contact.objects.count()
    with pytest.raises(DomainError):
        convert_lead(org.rep, lead, lead.version)
    assert Account.objects.count() == accounts and Contact.objects.count() == contacts
    assert not Opportunity.objects.exists()
    lead.refresh_from_db()
    assert lead.status == Lead.Status.ASSIGNED and Activity.objects.get().account is None


def test_duplicate_customer_stops_then_user_picks_it_or_forces(org, lead, make_account):
    existing = make_account(by=org.rep, name="苏州精工机械有限公司")
    with pytest.raises(Conflict) as exc:
        convert_lead(org.rep, lead, lead.version)
    assert exc.value.code == "duplicate" and Account.objects.count() == 1
    convert_lead(org.rep, lead, lead.version, account=existing)
    lead.refresh_from_db()
    assert lead.converted_account == existing
    assert existing.contacts.filter(mobile="+8613900001111").exists()


def test_force_creates_a_second_customer(org, lead, make_account):
    make_account(by=org.rep, name="苏州精工机械有限公司")
    convert_lead(org.rep, lead, lead.version, force=True)
    assert Account.objects.filter(name="苏州精工机械有限公司").count() == 2


def test_customer_of_another_rep_is_refused(org, lead, make_account):
    make_account(by=org.other_rep, name="苏州精工机械有限公司")
    with pytest.raises(Conflict) as exc:
        convert_lead(org.rep, lead, lead.version, force=True)
    assert exc.value.code == "owned_by_other" and not Opportunity.objects.exists()


def test_stale_closed_and_foreign_leads_are_refused(org, lead):
    with pytest.raises(Conflict):
        convert_lead(org.rep, lead, lead.version - 1)
    with pytest.raises(Forbidden):
        convert_lead(org.teammate, lead, lead.version)
    convert_lead(org.rep, lead, lead.version)
    lead.refresh_from_db()
    with pytest.raises(DomainError):
        convert_lead(org.rep, lead, lead.version)


def test_convert_page_shows_duplicates_and_uses_the_chosen_customer(org, lead, make_account):
    existing = make_account(by=org.rep, name="苏州精工机械有限公司")
    client = Client()
    client.force_login(org.rep)
    url = reverse("sales:lead_convert", args=[lead.pk])
    page = client.get(url).content.decode()
    assert "This may be a customer we already have" in page and "Use this customer" in page
    response = client.post(url, {"version": lead.version})
    assert response.status_code == 409 and "Possible duplicate" in response.content.decode()
    # Any other customer one may see can be picked instead (by name, pinyin, phone …); not
    # one of another rep's.
    assert 'data-picker="customer"' in page
    foreign = make_account(by=org.other_rep, name="杭州远方贸易有限公司")
    response = client.post(url, {"version": lead.version, "customer": foreign.pk})
    assert response.status_code == 400
    assert response.context["form"].errors["customer"]
    picked = make_account(by=org.rep, name="无锡精密仪器有限公司")
    response = client.post(url, {"version": lead.version, "customer": picked.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:detail", args=[picked.pk])
    lead.refresh_from_db()
    assert lead.status == Lead.Status.CONVERTED and lead.converted_account_id == picked.pk
    assert existing.opportunities.count() == 0


def test_lead_of_a_customer_writes_to_its_timeline(org, rules, make_account):
    account = make_account(by=org.rep, name="无锡老客户")
    lead = create_lead(org.rep, {"name": "周六", "timeframe": "immediate"}, account=account,
                       today=dt.date(2026, 3, 2))
    kinds = set(TimelineEvent.objects.filter(account=account).values_list("kind", flat=True))
    assert "sales.lead.created" in kinds
    assert lead.account == account
