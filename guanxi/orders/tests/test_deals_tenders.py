"""Tenders: entering and editing them, the bond, the result and what it does to the
opportunity, who may do what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.core.errors import Conflict, DomainError, Forbidden, NotFound
from guanxi.core.models import AuditEntry
from guanxi.customers.models import TimelineEvent
from guanxi.orders import permissions as perms
from guanxi.orders.models import Tender
from guanxi.orders.selectors import deals as sel
from guanxi.orders.services import tenders as svc
from guanxi.orders.services.tenders import TenderInput
from guanxi.orders.tests import deals_world

world, media = deals_world.world, deals_world.media
NOW = timezone.make_aware(dt.datetime(2026, 11, 20, 10, 0))


def data(**changes):
    return {"number": "ZB-1", "title": "电缆采购", "issuer": "国网", "bond_amount": "5000",
            "bond_status": "to_pay", "deadline": "2026-11-27 10:00", **changes}


def test_create_moves_the_opportunity_forward_to_the_tender_stage(world):
    assert world.opp.stage.key == "tender"
    assert world.tender.owner == world.org.rep and world.tender.team == world.org.team_a
    assert world.tender.bond_amount == Decimal("20000.00")
    assert AuditEntry.objects.filter(action="orders.tender.created",
                                     object_id=str(world.tender.pk)).exists()
    assert TimelineEvent.objects.filter(account=world.account, kind="orders.tender").exists()


def test_linking_never_moves_an_opportunity_backwards(world):
    from guanxi.sales.services import opportunities

    opportunities.move_stage(world.org.rep, world.opp, None, "contract_review")
    svc.create_tender(world.org.rep, world.account,
                      TenderInput.parse(data(opportunity=world.opp.pk)), now=NOW)
    world.opp.refresh_from_db()
    assert world.opp.stage.key == "contract_review"


def test_a_deadline_given_as_a_day_is_at_five_in_the_afternoon(world):
    tender = svc.create_tender(world.org.rep, world.account,
                               TenderInput.parse(data(deadline="2026-11-27")), now=NOW)
    assert timezone.localtime(tender.deadline) == timezone.make_aware(
        dt.datetime(2026, 11, 27, 17, 0))


@pytest.mark.parametrize("changes, field", [
    ({"bond_amount": "-1"}, "bond_amount"),
    ({"bond_amount": "0"}, "bond_amount"),           # a bond to pay has an amount
    ({"bond_amount": "abc"}, "bond_amount"),
    ({"deadline": "2026-11-19 10:00"}, "deadline"),  # already past
    ({"deadline": ""}, "deadline"),
    ({"deadline": "tomorrow"}, "deadline"),
    ({"opening_at": "2026-11-26 10:00"}, "opening_at"),  # before the deadline
    ({"bond_status": "lost"}, "bond_status"),
    ({"title": ""}, "title"),
    ({"currency": "元元"}, "currency"),
    ({"colour": "red"}, "colour"),
])
def test_bad_input_is_refused_at_the_field_and_nothing_changes(world, changes, field):
    count = Tender.objects.count()
    with pytest.raises(DomainError) as exc:
        svc.create_tender(world.org.rep, world.account, TenderInput.parse(data(**changes)), now=NOW)
    assert exc.value.field == field
    assert Tender.objects.count() == count


def test_a_past_tender_can_be_recorded_with_its_result(world):
    tender = svc.create_tender(world.org.rep, world.account, TenderInput.parse(data(
        deadline="2026-10-01 10:00", result="lost", winner="某某电气", bond_status="returned")),
        now=NOW)
    assert tender.result == "lost" and tender.winner == "某某电气"


def test_a_bond_of_none_needs_no_amount(world):
    tender = svc.create_tender(world.org.rep, world.account,
                               TenderInput.parse(data(bond_status="not_required",
                                                      bond_amount="")), now=NOW)
    assert tender.bond_amount == 0


def test_unknown_or_invisible_customer_is_not_found(world, make_account):
    theirs = make_account(by=world.org.other_rep, name="深圳某公司")
    with pytest.raises(NotFound):
        svc.create_tender(world.org.rep, theirs, TenderInput.parse(data()), now=NOW)


def test_roles_that_only_read_cannot_enter_tenders(world):
    for persona in ("finance", "executive", "delivery"):
        with pytest.raises(Forbidden):
            svc.create_tender(getattr(world.org, persona), world.account,
                              TenderInput.parse(data()), now=NOW)


def test_update_is_versioned_and_audited(world):
    tender = world.tender
    version = tender.version
    svc.update_tender(world.org.rep, tender, version,
                      TenderInput.parse({"title": "变电站设备采购（二次）"}))
    assert tender.version == version + 1
    with pytest.raises(Conflict):
        svc.update_tender(world.org.manager, Tender.objects.get(pk=tender.pk), version,
                          TenderInput.parse({"title": "旧"}))
    tender.refresh_from_db()
    assert tender.title == "变电站设备采购（二次）"
    assert AuditEntry.objects.filter(action="orders.tender.updated").count() == 1


def test_who_may_edit(world):
    tender = world.tender
    for persona in ("rep", "manager", "assistant", "admin"):
        assert perms.can_write_tender(getattr(world.org, persona), tender), persona
    for persona in ("teammate", "hz_rep", "finance", "executive", "other_manager"):
        assert not perms.can_write_tender(getattr(world.org, persona), tender), persona
    with pytest.raises(Forbidden):
        svc.update_tender(world.org.finance, tender, None, TenderInput.parse({"title": "x"}))
    with pytest.raises(Forbidden):
        svc.update_tender(world.org.executive, tender, None, TenderInput.parse({"title": "x"}))


def test_finance_changes_the_bond_and_nothing_else(world):
    tender = world.tender
    svc.set_bond(world.org.finance, tender, tender.version, "paid")
    tender.refresh_from_db()
    assert tender.bond_status == "paid"
    with pytest.raises(Forbidden):
        svc.record_result(world.org.finance, tender, tender.version, "won")
    with pytest.raises(Forbidden):
        svc.set_bond(world.org.executive, tender, tender.version, "returned")
    with pytest.raises(DomainError) as exc:
        svc.set_bond(world.org.finance, tender, tender.version, "paid", amount=Decimal("-5"))
    assert exc.value.field == "bond_amount"
    with pytest.raises(Conflict):
        svc.set_bond(world.org.finance, tender, tender.version - 1, "returned")
    tender.refresh_from_db()
    assert tender.bond_status == "paid" and tender.bond_amount == Decimal("20000.00")


def test_lost_tender_closes_the_opportunity_as_lost_for_the_tender(world):
    tender = world.tender
    svc.record_result(world.org.rep, tender, tender.version, "lost", winner="某某电气",
                      note="价格高 3%", close_opportunity=True)
    world.opp.refresh_from_db()
    assert world.opp.stage.kind == "lost" and world.opp.loss_reason == "tender"
    assert AuditEntry.objects.filter(action="orders.tender.result").exists()


def test_lost_tender_without_closing_leaves_the_opportunity(world):
    tender = world.tender
    svc.record_result(world.org.rep, tender, tender.version, "lost", winner="某某电气")
    world.opp.refresh_from_db()
    assert world.opp.stage.key == "tender"


def test_won_tender_leaves_the_stage_and_notes_the_timeline(world):
    tender = world.tender
    svc.record_result(world.org.rep, tender, tender.version, "won")
    world.opp.refresh_from_db()
    assert world.opp.stage.key == "tender"
    assert TimelineEvent.objects.filter(account=world.account,
                                        title__contains="can move on").exists()


def test_result_refuses_unknown_values_and_stale_versions(world):
    tender = world.tender
    with pytest.raises(DomainError) as exc:
        svc.record_result(world.org.rep, tender, tender.version, "pending")
    assert exc.value.field == "result"
    with pytest.raises(Conflict):
        svc.record_result(world.org.rep, tender, tender.version - 1, "won")
    tender.refresh_from_db()
    assert tender.result == "pending"


def test_tender_list_filters_and_deadline_order(world):
    rep = world.org.rep
    later = svc.create_tender(rep, world.account, TenderInput.parse(data(
        number="ZB-2", deadline=timezone.now() + dt.timedelta(days=30))))
    rows = list(sel.filter_tenders(rep, {}))
    assert rows == [world.tender, later]
    assert list(sel.filter_tenders(rep, {"upcoming": True})) == [world.tender]
    assert list(sel.filter_tenders(rep, {"bond": "to_pay"})) == [world.tender, later]
    assert not list(sel.filter_tenders(rep, {"result": "won"}))
    assert sel.deadline_soon(world.tender) and not sel.deadline_soon(later)
    assert not list(sel.filter_tenders(world.org.other_rep, {}))
