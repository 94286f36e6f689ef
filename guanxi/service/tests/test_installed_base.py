"""The installed base: VINs checked as GB 16735 requires, assets with coverages, warranty
decisions that say why, service records that refuse a claim outside coverage and write
nothing, and delivered order lines that become assets once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.core.errors import DomainError, FieldErrors, Forbidden
from guanxi.core.models import AuditEntry
from guanxi.service.models import Asset, PartLine, ServiceRecord, WarrantyTerm
from guanxi.service.services import assets as svc
from guanxi.service.services import records as rec
from guanxi.service.tests import assets_fixtures as fx
from guanxi.service.tests.assets_fixtures import VIN
from guanxi.service.vin import check_digit, validate_vin, with_check_digit
from guanxi.service.warranty import decide

world = fx.world


def test_vin_check_digit_as_the_standard_computes_it():
    # The worked example of ISO 3779 / FMVSS 565: check digit X.
    assert check_digit("1M8GDM9AXKP042788") == "X"
    assert validate_vin(with_check_digit("LSGPC52U0AF102030").lower()) == \
        with_check_digit("LSGPC52U0AF102030")
    good = with_check_digit("LSGPC52U0AF102030")
    wrong = good[:8] + ("1" if good[8] != "1" else "2") + good[9:]
    with pytest.raises(DomainError) as exc:
        validate_vin(wrong)
    assert exc.value.field == "vin" and exc.value.code == "vin_check_digit"
    assert f"should be {good[8]}" in exc.value.message
    with pytest.raises(DomainError) as exc:
        validate_vin("LSGPC52U0AF1020")
    assert "17 characters" in exc.value.message
    with pytest.raises(DomainError) as exc:
        validate_vin("LSGPC52UOAF102030")
    assert "O" in exc.value.message and exc.value.code == "vin_characters"


def test_wrong_vin_registers_nothing(world):
    bad = VIN[:8] + ("1" if VIN[8] != "1" else "2") + VIN[9:]
    before = Asset.objects.count()
    with pytest.raises(FieldErrors) as exc:
        svc.create_asset(world.agent, svc.AssetInput(
            account=world.other, product=world.car, vin=bad.replace("LSG", "LSH")),
            svc.CoverageInput.rows([{"kind": "whole_unit", "starts_on": "2025-01-01",
                                     "ends_on": "2027-12-31"}]))
    assert "check digit" in exc.value.errors["vin"][0]
    with pytest.raises(FieldErrors) as exc:
        svc.create_asset(world.agent, svc.AssetInput(account=world.other, product=world.car,
                                                     vin=VIN))
    assert "Another asset" in exc.value.errors["vin"][0]
    assert Asset.objects.count() == before


def test_warranty_says_why_it_does_not_cover(world):
    coverages = list(world.asset.coverages.all())
    assert decide(coverages, dt.date(2025, 5, 1), part_number="ENG-001").covered
    expired = decide(coverages, dt.date(2026, 6, 1), part_number="ENG-001")
    assert not expired.covered and "expired on" in expired.reason and "2026" in expired.reason
    battery = decide(coverages, dt.date(2026, 6, 1), part_number="bat-60ah")
    assert battery.covered and battery.coverage.kind == "parts"
    labour = decide(coverages, dt.date(2026, 6, 1))
    assert not labour.covered and "expired on" in labour.reason
    only_parts = [c for c in coverages if c.kind == "parts"]
    assert "labour is not covered" in decide(only_parts, dt.date(2025, 5, 1)).reason
    assert "Part ENG-001 is not covered" in decide(only_parts, dt.date(2025, 5, 1),
                                                   part_number="ENG-001").reason
    miles = decide(coverages, dt.date(2025, 5, 1), part_number="ENG-001", mileage=120000)
    assert not miles.covered and "mileage limit of 100000" in miles.reason
    assert "no warranty coverage" in decide([], dt.date(2025, 5, 1)).reason
    early = decide(coverages, dt.date(2023, 1, 1), part_number="ENG-001")
    assert "starts only on" in early.reason


def _visit(world, **values):
    data = {"station": world.dealer, "technician": world.tech, "performed_on": "2026-06-02",
            "failure_on": "2026-06-01", "mileage": "45000", "work_done": "更换发动机水泵",
            "labour_hours": "2", "labour_amount": "300", "warranty_claim": True,
            "labour_covered": False} | values
    return rec.RecordInput.parse({k: v for k, v in data.items()
                                  if k not in ("station", "technician")}).replace(
        station=data["station"], technician=data["technician"])


def test_claim_outside_coverage_is_refused_with_the_reason_and_nothing_written(world):
    parts = rec.PartInput.rows([
        {"part_number": "BAT-60AH", "quantity": "1", "unit_price": "800", "covered": True},
        {"part_number": "WP-2201", "quantity": "1", "unit_price": "650", "covered": True}])
    with pytest.raises(FieldErrors) as exc:
        rec.add_record(world.agent, world.asset, _visit(world, labour_covered=True), parts,
                       today=dt.date(2026, 6, 2))
    assert "expired on" in exc.value.errors["parts[1].covered"][0]
    assert "expired on" in exc.value.errors["labour_covered"][0]
    assert "parts[0].covered" not in exc.value.errors
    assert not ServiceRecord.objects.exists() and not PartLine.objects.exists()
    world.asset.refresh_from_db()
    assert world.asset.mileage == 12000
    assert not AuditEntry.objects.filter(action="service.record.created").exists()


def test_claim_inside_coverage_records_parts_labour_and_amounts(world):
    parts = rec.PartInput.rows([
        {"part_number": "BAT-60AH", "quantity": "1", "unit_price": "800", "covered": True},
        {"part_number": "WP-2201", "quantity": "2", "unit_price": "325.50"}])
    record = rec.add_record(world.agent, world.asset, _visit(world), parts,
                            today=dt.date(2026, 6, 2))
    assert record.warranty_decision == ServiceRecord.Decision.PARTLY
    assert record.covered_amount == Decimal("800.00")
    assert record.billed_amount == Decimal("951.00")  # 651 parts + 300 labour
    assert [p.part_number for p in record.parts.all()] == ["BAT-60AH", "WP-2201"]
    world.asset.refresh_from_db()
    assert world.asset.mileage == 45000
    approved = rec.add_record(world.agent, world.asset, _visit(
        world, performed_on="2025-01-10", failure_on="2025-01-09", mileage="30000",
        labour_covered=True), [], today=dt.date(2026, 6, 2))
    assert approved.warranty_decision == ServiceRecord.Decision.APPROVED
    assert approved.covered_amount == Decimal("300.00") and approved.billed_amount == 0
    from guanxi.customers.models import TimelineEvent
    entries = TimelineEvent.objects.filter(account=world.account, kind="service.record")
    assert entries.count() == 2 and "上海通用浦东4S店" in entries.first().display_title


def test_record_input_mistakes_name_their_field(world):
    with pytest.raises(FieldErrors) as exc:
        rec.add_record(world.agent, world.asset, _visit(
            world, technician=None, station=world.station, performed_on="2026-07-01",
            failure_on="2026-07-02", work_done="", warranty_claim=False, labour_covered=True),
            [], today=dt.date(2026, 6, 2))
    assert set(exc.value.errors) >= {"performed_on", "work_done"}
    rec.add_record(world.agent, world.asset, _visit(world, warranty_claim=False), [],
                   today=dt.date(2026, 6, 2))
    with pytest.raises(FieldErrors) as exc:
        rec.add_record(world.agent, world.asset, _visit(world, warranty_claim=False,
                                                        mileage="40000"),
                       [], today=dt.date(2026, 6, 3))
    assert "45000 km" in exc.value.errors["mileage"][0]
    other_tech = world.tech.__class__.objects.create(station=world.station, name="李师傅")
    with pytest.raises(FieldErrors) as exc:
        rec.add_record(world.agent, world.asset, _visit(world, warranty_claim=False,
                                                        technician=other_tech),
                       [], today=dt.date(2026, 6, 3))
    assert "another station" in exc.value.errors["technician"][0]


def test_who_may_write(world):
    org = world.org
    for user in (org.rep, org.manager, org.finance, org.executive):
        with pytest.raises(Forbidden):
            rec.add_record(user, world.asset, _visit(world, warranty_claim=False), [],
                           today=dt.date(2026, 6, 2))
    rec.add_record(org.admin, world.asset, _visit(world, warranty_claim=False), [],
                   today=dt.date(2026, 6, 2))
    svc.update_asset(world.agent, world.asset, svc.AssetInput(status="retired"), None)
    with pytest.raises(Forbidden):  # a retired asset takes no new visits
        rec.add_record(world.agent, world.asset, _visit(world, warranty_claim=False), [],
                       today=dt.date(2026, 6, 2))
    with pytest.raises(Forbidden):
        svc.update_asset(world.agent, world.asset, svc.AssetInput(status="in_use"), None)
    svc.update_asset(org.admin, world.asset, svc.AssetInput(status="in_use"), None)


def test_delivered_order_lines_become_assets_once(world, django_capture_on_commit_callbacks):
    from guanxi.orders.services import execution as ex
    from guanxi.orders.services import orders as orders_svc
    from guanxi.orders.services.execution import ShipmentInput, ShipmentLineInput
    from guanxi.orders.services.orders import OrderInput
    from guanxi.orders.tests.fulfilment_fixtures import make_quote

    org = world.org
    WarrantyTerm.objects.create(product=world.transformer, kind="whole_unit", months=24)
    WarrantyTerm.objects.create(product=world.transformer, kind="parts", months=60,
                                parts="BUSH-")
    from guanxi.customers.models import Account
    Account.objects.filter(pk=world.account.pk).update(credit_limit=Decimal("10000000"))
    world.account.refresh_from_db()
    quote = make_quote(world.account, org.rep, [(world.transformer, "3")])
    today = dt.date(2026, 6, 1)
    order = orders_svc.order_from_quote(org.rep, quote, OrderInput.parse({
        "delivery_owner": org.delivery.pk, "promised_date": "2026-06-20"}), today=today)
    line = order.lines.get()
    ex.add_shipment(org.delivery, order, ShipmentInput.parse({"shipped_on": "2026-06-05"}),
                    ShipmentLineInput.rows([{"order_line": line.pk, "quantity": "3"}]),
                    order.version, today=dt.date(2026, 6, 5))
    order.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        ex.mark_delivered(org.delivery, order, dt.date(2026, 6, 8), version=order.version,
                          today=dt.date(2026, 6, 8))
    made = Asset.objects.filter(product=world.transformer).order_by("unit_index")
    assert [a.unit_index for a in made] == [1, 2, 3]
    first = made[0]
    assert first.account == world.account and first.purchase_date == dt.date(2026, 6, 8)
    kinds = {(c.kind, c.starts_on, c.ends_on) for c in first.coverages.all()}
    assert kinds == {("whole_unit", dt.date(2026, 6, 8), dt.date(2028, 6, 7)),
                     ("parts", dt.date(2026, 6, 8), dt.date(2031, 6, 7))}
    assert svc.assets_from_delivery(order.pk) == []  # reported again: nothing new
    assert Asset.objects.filter(product=world.transformer).count() == 3
