"""Opportunities: creation rules, stage moves with their history, versions, the selling team
and who sees what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from guanxi.core.errors import Conflict, DomainError, Forbidden
from guanxi.core.models import AuditEntry, Notification
from guanxi.customers.models import TimelineEvent
from guanxi.sales.models import Opportunity, Pipeline, Stage, StageChange
from guanxi.sales.selectors.opportunities import my_work, visible_opportunities
from guanxi.sales.services import opportunities as svc
from guanxi.sales.services import pipelines
from guanxi.sales.services.opportunities import OpportunityInput

NOW = timezone.make_aware(dt.datetime(2026, 11, 20, 10, 0))


@pytest.fixture
def account(org, make_account):
    return make_account(by=org.rep, name="上海明珠机电有限公司")


def new(org, account, **data):
    return svc.create_opportunity(org.rep, account, OpportunityInput.parse(
        {"name": "变压器项目", "amount": "120000", **data}), now=NOW)


def test_create_sets_probability_from_stage_first_history_row_team_and_timeline(org, account):
    opp = new(org, account, stage="quotation", expected_close="2026-12-31")
    assert opp.stage.key == "quotation" and opp.probability == 50
    assert opp.amount == Decimal("120000.00") and opp.owner == org.rep
    assert opp.team == org.team_a and opp.weighted_amount == Decimal("60000.00")
    change = StageChange.objects.get(opportunity=opp)
    assert change.from_stage is None and change.to_stage == opp.stage and change.at == NOW
    assert change.amount == Decimal("120000.00")
    assert TimelineEvent.objects.filter(account=account, kind="sales.opportunity").exists()
    assert AuditEntry.objects.filter(action="sales.opportunity.created",
                                     object_id=str(opp.pk)).exists()


@pytest.mark.parametrize("data, field", [
    ({"amount": "-1"}, "amount"),
    ({"amount": "abc"}, "amount"),
    ({"stage": "no_such_stage"}, "stage"),
    ({"stage": "won"}, "stage"),
    ({"expected_close": "2026-11-19"}, "expected_close"),
    ({"currency": "元"}, "currency"),
    ({"name": ""}, "name"),
])
def test_create_refuses_bad_input_at_the_field_and_changes_nothing(org, account, data, field):
    with pytest.raises(DomainError) as exc:
        new(org, account, **data)
    assert exc.value.field == field
    assert not Opportunity.objects.exists() and not StageChange.objects.exists()


def test_stage_of_another_pipeline_is_refused(org, account):
    other = pipelines.create_pipeline(org.admin, {"name_en": "Service contracts"})
    with pytest.raises(DomainError) as exc:
        new(org, account, stage=other.stages.get(key="open").pk)
    assert exc.value.field == "stage"
    with pytest.raises(DomainError) as exc:
        new(org, account, pipeline=other.pk, stage="quotation")
    assert exc.value.field == "stage"
    assert not Opportunity.objects.exists()


def test_rejected_or_invisible_customer_is_refused(org, account, make_account):
    account.approval = "rejected"
    account.save()
    with pytest.raises(DomainError) as exc:
        new(org, account)
    assert exc.value.field == "account"
    theirs = make_account(by=org.other_rep)
    with pytest.raises(DomainError) as exc:
        new(org, theirs)
    assert exc.value.status == 404
    with pytest.raises(Forbidden):
        svc.create_opportunity(org.finance, account, OpportunityInput.parse({"name": "x"}))


def test_move_writes_history_timeline_and_closes_won(org, account):
    opp = new(org, account)
    later = NOW + dt.timedelta(days=3)
    svc.move_stage(org.rep, opp, opp.version, "tender", now=later)
    assert opp.probability == 65 and opp.stage_changed_at == later
    svc.move_stage(org.rep, opp, opp.version, "won", now=later)
    opp.refresh_from_db()
    assert opp.stage.kind == Stage.Kind.WON and opp.probability == 100
    assert opp.closed_at == later
    rows = list(StageChange.objects.filter(opportunity=opp).values_list(
        "from_stage__key", "to_stage__key"))
    assert rows == [(None, "discovery"), ("discovery", "tender"), ("tender", "won")]
    assert TimelineEvent.objects.filter(account=account, kind="sales.stage").count() == 2
    # Reopening clears the close date.
    svc.move_stage(org.rep, opp, opp.version, "contract_review", now=later)
    opp.refresh_from_db()
    assert opp.closed_at is None and opp.probability == 80


def test_lost_needs_a_reason(org, account):
    opp = new(org, account)
    with pytest.raises(DomainError) as exc:
        svc.move_stage(org.rep, opp, opp.version, "lost")
    assert exc.value.field == "loss_reason"
    opp.refresh_from_db()
    assert opp.stage.key == "discovery" and StageChange.objects.count() == 1
    svc.move_stage(org.rep, opp, opp.version, "lost", loss_reason="price",
                   loss_note="对手低价 15%", now=NOW)
    opp.refresh_from_db()
    assert (opp.loss_reason, opp.probability, opp.closed_at) == ("price", 0, NOW)


def test_unknown_stage_is_an_error_at_stage(org, account):
    opp = new(org, account)
    other = pipelines.create_pipeline(org.admin, {"name_en": "Other"})
    for bad in ("nope", 999999, other.stages.get(key="open")):
        with pytest.raises(DomainError) as exc:
            svc.move_stage(org.rep, opp, opp.version, bad)
        assert exc.value.field == "stage"


def test_stale_version_is_a_conflict(org, account):
    opp = new(org, account)
    stale = opp.version
    svc.update_opportunity(org.rep, opp, stale, OpportunityInput.parse({"amount": "150000"}))
    with pytest.raises(Conflict):
        svc.update_opportunity(org.rep, opp, stale, OpportunityInput.parse({"next_step": "拜访"}))
    with pytest.raises(Conflict):
        svc.move_stage(org.rep, opp, stale, "tracking")
    opp.refresh_from_db()
    assert opp.stage.key == "discovery" and opp.amount == Decimal("150000.00")


def test_stale_version_is_a_conflict_even_when_nothing_would_change(org, account):
    opp = new(org, account)
    stale = opp.version
    svc.update_opportunity(org.rep, opp, stale, OpportunityInput.parse({"amount": "150000"}))
    with pytest.raises(Conflict):
        svc.move_stage(org.rep, opp, stale, opp.stage)
    with pytest.raises(Conflict):
        svc.set_team_role(org.rep, opp, stale, "owner", opp.owner)


def test_team_members_see_it_in_my_work_and_others_do_not_see_it(org, account):
    opp = new(org, account)
    svc.set_team_role(org.rep, opp, opp.version, "finder", org.hz_rep)
    svc.set_team_role(org.rep, opp, opp.version, "delivery_owner", org.other_rep)
    svc.set_team_role(org.rep, opp, opp.version, "collection_owner", org.finance)
    svc.add_member(org.rep, opp, org.marketing, "技术支持")
    cases = {org.hz_rep: "finder", org.other_rep: "delivery_owner",
             org.finance: "collection_owner", org.marketing: "member", org.rep: "owner"}
    for person, role in cases.items():
        assert opp in visible_opportunities(person), person
        assert [o.pk for o in my_work(person)[role]] == [opp.pk], (person, role)
        if person != org.rep:
            assert Notification.objects.filter(recipient=person).exists()
    assert my_work(org.marketing)["member"][0].member_role == "技术支持"
    assert opp not in visible_opportunities(org.other_manager)
    assert opp not in visible_opportunities(org.teammate)
    assert opp in visible_opportunities(org.manager)
    # Team members read; only the owner side edits.
    with pytest.raises(Forbidden):
        svc.move_stage(org.hz_rep, opp, opp.version, "tracking")
    svc.move_stage(org.manager, opp, opp.version, "tracking")
    svc.remove_member(org.rep, opp, org.marketing)
    assert opp not in visible_opportunities(org.marketing)


def test_new_owner_brings_the_opportunity_into_their_team(org, account):
    opp = new(org, account)
    svc.set_team_role(org.rep, opp, opp.version, "owner", org.other_rep)
    assert opp.team == org.team_b
    assert opp in visible_opportunities(org.other_manager)
    assert AuditEntry.objects.filter(action="sales.opportunity.team_changed").exists()


def test_pipeline_admin_rules(org, account):
    default = Pipeline.objects.get(is_default=True)
    with pytest.raises(Forbidden):
        pipelines.create_pipeline(org.manager, {"name_en": "X"})
    second = pipelines.create_pipeline(org.admin, {"name_en": "Projects", "is_default": True})
    default.refresh_from_db()
    assert second.is_default and not default.is_default
    assert Pipeline.objects.filter(is_default=True).count() == 1
    stage = pipelines.add_stage(org.admin, second, {"name_en": "Survey", "probability": 30})
    assert [s.key for s in second.stages.all()] == ["open", "survey", "won", "lost"]
    pipelines.reorder_stages(org.admin, second, [stage.pk, *second.stages.exclude(
        pk=stage.pk).values_list("pk", flat=True)])
    assert second.stages.first() == stage
    opp = new(org, account, pipeline=second.pk, stage="survey")
    with pytest.raises(Conflict):
        pipelines.delete_stage(org.admin, stage)
    with pytest.raises(Conflict):
        pipelines.update_stage(org.admin, stage, stage.version, {"active": False})
    svc.move_stage(org.rep, opp, opp.version, "open")
    stage.refresh_from_db()
    pipelines.update_stage(org.admin, stage, stage.version, {"active": False,
                                                             "name_zh": "勘察"})
    assert not Stage.objects.get(pk=stage.pk).active
    with pytest.raises(DomainError):
        pipelines.update_stage(org.admin, second.stages.get(key="won"),
                               1, {"active": False})


def test_stage_names_on_the_timeline_read_in_the_readers_language(org, account):
    opp = new(org, account)
    with translation.override("en"):
        svc.move_stage(org.rep, opp, opp.version, "tender", now=NOW)
    entry = TimelineEvent.objects.get(account=account, kind="sales.stage")
    discovery = Stage.objects.get(pipeline=opp.pipeline, key="discovery")
    tender = Stage.objects.get(pipeline=opp.pipeline, key="tender")
    with translation.override("zh-hans"):
        assert discovery.name_zh in entry.display_title and tender.name_zh in entry.display_title
        assert discovery.name_en not in entry.display_title
    with translation.override("en"):
        assert tender.name_en in entry.display_title
    assert entry.title == (f"Opportunity “变压器项目”: stage changed from {discovery.name_en} "
                           f"to {tender.name_en}")
