"""Service records: a repair or maintenance at a station by a technician, with the parts it
replaced. A warranty claim is checked against the coverage on the date of failure: a part or
the labour claimed outside it is refused with the reason, and nothing is written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.core import audit
from guanxi.core.errors import FieldErrors, Forbidden
from guanxi.core.inputs import UNSET, Input
from guanxi.service import permissions as perms
from guanxi.service.models import Asset, PartLine, ServiceRecord
from guanxi.service.warranty import decide

ZERO = Decimal("0")
CENT = Decimal("0.01")
MAX_MONEY = Decimal("999999999999.99")


@dataclass(frozen=True)
class RecordInput(Input):
    station: Any = UNSET
    technician: Any = UNSET
    performed_on: dt.date | None = UNSET
    failure_on: dt.date | None = UNSET
    mileage: int | None = UNSET
    complaint: str | None = UNSET
    work_done: str | None = UNSET
    labour_hours: Decimal | None = UNSET
    labour_amount: Decimal | None = UNSET
    labour_covered: bool = UNSET
    warranty_claim: bool = UNSET


@dataclass(frozen=True)
class PartInput(Input):
    part_number: str | None = UNSET
    description: str | None = UNSET
    quantity: Decimal | None = UNSET
    unit_price: Decimal | None = UNSET
    covered: bool = UNSET

    @classmethod
    def rows(cls, rows: list[Any]) -> list[PartInput]:
        return cls.parse_rows(rows, "parts[{n}].{field}")


def _clean(asset: Asset, values: dict[str, Any], today: dt.date) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    station, technician = values.get("station"), values.get("technician")
    if not station:
        errors["station"] = [_("This field is required.")]
    elif not station.is_active:
        errors["station"] = [_("This station is no longer active.")]
    if technician and station and technician.station_id != station.pk:
        errors["technician"] = [_("%(name)s works at another station.")
                                % {"name": technician.name}]
    performed = values.get("performed_on")
    if not performed:
        errors["performed_on"] = [_("This field is required.")]
    elif performed > today:
        errors["performed_on"] = [_("Record work once it is done, not in advance.")]
    failure = values.get("failure_on") or performed
    if failure and performed and failure > performed:
        errors["failure_on"] = [_("The failure cannot come after the repair.")]
    if not (values.get("work_done") or "").strip():
        errors["work_done"] = [_("Say what was done.")]
    mileage = values.get("mileage")
    if mileage is not None and performed:
        if mileage < 0:
            errors["mileage"] = [_("Mileage cannot be negative.")]
        else:
            before = asset.records.filter(performed_on__lte=performed).aggregate(
                m=Max("mileage"))["m"]
            if before is not None and mileage < before:
                errors["mileage"] = [_("Lower than the %(km)s km recorded at an earlier "
                                       "visit.") % {"km": before}]
    for key in ("labour_hours", "labour_amount"):
        value = values.get(key)
        if value is not None and not ZERO <= value <= MAX_MONEY:
            errors[key] = [_("Give an amount from 0 to %(max)s.") % {"max": MAX_MONEY}]
    if errors:
        raise FieldErrors(errors)
    return {**values, "failure_on": failure}


def _clean_parts(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    errors: dict[str, list[str]] = {}
    out = []
    for n, part in enumerate(parts):
        number = (part.get("part_number") or "").strip().upper()
        quantity = part.get("quantity")
        price = part.get("unit_price") or ZERO
        if not number:
            errors[f"parts[{n}].part_number"] = [_("This field is required.")]
        if quantity is None or quantity <= 0:
            errors[f"parts[{n}].quantity"] = [_("Give a quantity above zero.")]
        if not ZERO <= price <= MAX_MONEY:
            errors[f"parts[{n}].unit_price"] = [
                _("Give an amount from 0 to %(max)s.") % {"max": MAX_MONEY}]
        if errors or quantity is None:
            continue
        out.append({"part_number": number, "description": (part.get("description") or "")
                    .strip(), "quantity": quantity, "unit_price": price,
                    "amount": (quantity * price).quantize(CENT, ROUND_HALF_UP),
                    "covered": bool(part.get("covered"))})
    if errors:
        raise FieldErrors(errors)
    return out


def _check_claim(asset: Asset, record: dict[str, Any], parts: list[dict[str, Any]]) -> str:
    """The warranty decision of a claim, or FieldErrors naming each item claimed outside the
    coverage and why."""
    claim = bool(record.get("warranty_claim"))
    claimed = [n for n, p in enumerate(parts) if p["covered"]]
    labour = bool(record.get("labour_covered"))
    if not claim:
        errors = {f"parts[{n}].covered": [_("Mark the record as a warranty claim to charge "
                                             "parts to the warranty.")] for n in claimed}
        if labour:
            errors["labour_covered"] = [_("Mark the record as a warranty claim to charge "
                                          "labour to the warranty.")]
        if errors:
            raise FieldErrors(errors)
        return ServiceRecord.Decision.NOT_CLAIMED
    if not claimed and not labour:
        raise FieldErrors({"warranty_claim": [_("A warranty claim charges at least one part or "
                                                "the labour to the warranty.")]})
    coverages = list(asset.coverages.all())
    on, mileage = record["failure_on"], record.get("mileage")
    errors = {}
    for n in claimed:
        decision = decide(coverages, on, part_number=parts[n]["part_number"], mileage=mileage)
        if not decision.covered:
            errors[f"parts[{n}].covered"] = [decision.reason]
    if labour:
        decision = decide(coverages, on, mileage=mileage)
        if not decision.covered:
            errors["labour_covered"] = [decision.reason]
    if errors:
        raise FieldErrors(errors)
    billed = len(claimed) < len(parts) or (not labour and record.get("labour_amount"))
    return ServiceRecord.Decision.PARTLY if billed else ServiceRecord.Decision.APPROVED


def add_record(actor: User, asset: Asset, values: RecordInput,
               parts: list[PartInput] | None = None, *, case: Any = None,
               today: dt.date | None = None) -> ServiceRecord:
    """Record a visit on ``asset`` (on ``case`` when it answers one)."""
    if not perms.can_add_record(actor, asset):
        raise Forbidden(_("You may not add service records to this asset."))
    today = today or timezone.localdate()
    if case is not None and case.account_id and case.account_id != asset.account_id:
        raise FieldErrors({"case": [_("The case is another customer's.")]})
    record = _clean(asset, values.given(), today)
    lines = _clean_parts([p.given() for p in parts or []])
    decision = _check_claim(asset, record, lines)
    labour = record.get("labour_amount") or ZERO
    covered = sum((p["amount"] for p in lines if p["covered"]), ZERO) + (
        labour if record.get("labour_covered") else ZERO)
    billed = sum((p["amount"] for p in lines if not p["covered"]), ZERO) + (
        ZERO if record.get("labour_covered") else labour)
    extra = {"case": case} if case is not None else {}
    with transaction.atomic():
        row = ServiceRecord.objects.create(
            asset=asset, account_id=asset.account_id, warranty_decision=decision,
            covered_amount=covered, billed_amount=billed, created_by=actor,
            **{k: v for k, v in record.items() if v is not None or k == "technician"},
            **extra)
        PartLine.objects.bulk_create([PartLine(record=row, **p) for p in lines])
        if record.get("mileage") is not None and (asset.mileage or 0) < record["mileage"]:
            Asset.objects.filter(pk=asset.pk).update(mileage=record["mileage"])
            asset.mileage = record["mileage"]
        audit.log(actor, "service.record.created", row,
                  data={"asset": str(asset), "station": str(row.station),
                        "case": getattr(case, "number", None),
                        "performed_on": row.performed_on, "decision": decision,
                        "covered": covered, "billed": billed,
                        "parts": [p["part_number"] for p in lines]})
    return row
