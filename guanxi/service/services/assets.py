"""The installed base: register and edit assets (VIN checked), their warranty coverages, and
the assets delivered order lines make (once, however often the delivery is reported)."""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.core import audit
from guanxi.core.audit import diff
from guanxi.core.errors import DomainError, FieldErrors, Forbidden
from guanxi.core.events import Event
from guanxi.core.inputs import UNSET, Input
from guanxi.core.locking import save_versioned
from guanxi.orders.selectors.orders import delivered_lines
from guanxi.service import permissions as perms
from guanxi.service.models import (
    Asset,
    CoverageKind,
    ServiceStation,
    WarrantyCoverage,
    WarrantyTerm,
)
from guanxi.service.vin import validate_vin

log = logging.getLogger(__name__)

ASSET_FIELDS = ("account", "contact", "product", "serial_number", "vin", "engine_number",
                "plate", "mileage", "quantity", "purchase_date", "selling_dealer", "status",
                "notes")
#: A delivered line of more units than this is one asset with a quantity (bulk goods), not one
#: asset per unit.
MAX_UNITS_PER_LINE = 100


@dataclass(frozen=True)
class AssetInput(Input):
    account: Any = UNSET
    contact: Any = UNSET
    product: Any = UNSET
    serial_number: str | None = UNSET
    vin: str | None = UNSET
    engine_number: str | None = UNSET
    plate: str | None = UNSET
    mileage: int | None = UNSET
    quantity: int | None = UNSET
    purchase_date: dt.date | None = UNSET
    selling_dealer: Any = UNSET
    status: str | None = UNSET
    notes: str | None = UNSET


@dataclass(frozen=True)
class CoverageInput(Input):
    kind: str | None = UNSET
    starts_on: dt.date | None = UNSET
    ends_on: dt.date | None = UNSET
    max_mileage: int | None = UNSET
    parts: str | None = UNSET
    description: str | None = UNSET

    @classmethod
    def rows(cls, rows: list[Any]) -> list[CoverageInput]:
        return cls.parse_rows(rows, "coverages[{n}].{field}")


def _clean_asset(values: dict[str, Any], asset: Asset | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out = dict(values)
    for key in ("serial_number", "engine_number", "plate", "notes"):
        if key in out:
            out[key] = (out[key] or "").strip()
    if "serial_number" in out:
        out["serial_number"] = out["serial_number"].upper()
    if "engine_number" in out:
        out["engine_number"] = out["engine_number"].upper()
    if "vin" in out:
        if out["vin"]:
            try:
                out["vin"] = validate_vin(out["vin"])
            except DomainError as exc:
                errors["vin"] = [exc.message]
        else:
            out["vin"] = ""
    if asset is None:
        for key in ("account", "product"):
            if not out.get(key):
                errors[key] = [_("This field is required.")]
    for key in ("account", "product"):
        if key in out and not out[key]:
            errors[key] = [_("This field is required.")]
    if "status" in out and out["status"] not in Asset.Status.values:
        errors["status"] = [_("Choose one of the offered values.")]
    if out.get("quantity") is not None and out["quantity"] < 1:
        errors["quantity"] = [_("At least one.")]
    if out.get("mileage") is not None and out["mileage"] < 0:
        errors["mileage"] = [_("Mileage cannot be negative.")]
    if out.get("purchase_date") and out["purchase_date"] > timezone.localdate():
        errors["purchase_date"] = [_("A purchase date cannot be in the future.")]
    dealer = out.get("selling_dealer")
    if dealer and dealer.kind == ServiceStation.Kind.STATION:
        errors["selling_dealer"] = [_("%(station)s is a service station, not a dealer.")
                                    % {"station": dealer}]
    contact, account = out.get("contact"), out.get("account") or (asset and asset.account)
    if contact and account and contact.account_id != account.pk:
        errors["contact"] = [_("This contact belongs to another customer.")]
    if out.get("vin"):
        taken = Asset.objects.filter(vin=out["vin"])
        if asset is not None:
            taken = taken.exclude(pk=asset.pk)
        if taken.exists():
            errors["vin"] = [_("Another asset is registered with this VIN.")]
    if asset is None and not (out.get("serial_number") or out.get("vin")):
        errors["serial_number"] = [_("Give a serial number or, for a vehicle, its VIN.")]
    if errors:
        raise FieldErrors(errors)
    if "vin" in out:
        out["vin_tail"] = out["vin"][-8:]
    return out


def _clean_coverage(values: dict[str, Any], where: str = "") -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out = dict(values)
    out.setdefault("kind", CoverageKind.WHOLE_UNIT)
    if out["kind"] not in CoverageKind.values:
        errors[f"{where}kind"] = [_("Choose one of the offered values.")]
    for key in ("starts_on", "ends_on"):
        if not out.get(key):
            errors[f"{where}{key}"] = [_("This field is required.")]
    if out.get("starts_on") and out.get("ends_on") and out["ends_on"] < out["starts_on"]:
        errors[f"{where}ends_on"] = [_("A coverage cannot end before it starts.")]
    out["parts"] = ",".join(p.strip().upper() for p in (out.get("parts") or "").split(",")
                            if p.strip())
    out["description"] = (out.get("description") or "").strip()
    if errors:
        raise FieldErrors(errors)
    return out


def create_asset(actor: User, values: AssetInput,
                 coverages: list[CoverageInput] | None = None) -> Asset:
    given = values.given()
    if not perms.can_create_asset(actor, given.get("account")):
        raise Forbidden(_("You may not register assets for this customer."))
    cleaned = _clean_asset(given, None)
    cleaned_coverages = [_clean_coverage(c.given(), f"coverages[{n}].")
                         for n, c in enumerate(coverages or [])]
    with transaction.atomic():
        try:
            with transaction.atomic():
                asset = Asset.objects.create(**cleaned, created_by=actor)
        except IntegrityError:
            raise FieldErrors({"vin": [_("Another asset is registered with this VIN.")]}) \
                from None
        for c in cleaned_coverages:
            WarrantyCoverage.objects.create(asset=asset, **c)
        audit.log(actor, "service.asset.created", asset,
                  changes=diff({}, {k: v for k, v in cleaned.items() if k != "vin_tail"}))
    return asset


def update_asset(actor: User, asset: Asset, values: AssetInput, version: int | None) -> Asset:
    if not perms.can_edit_asset(actor, asset):
        raise Forbidden(_("You may not change this asset."))
    given = values.given()
    given.pop("account", None)  # an asset changes hands by a new registration, not an edit
    cleaned = _clean_asset(given, asset)
    before = {k: getattr(asset, k) for k in cleaned}
    with transaction.atomic():
        try:
            with transaction.atomic():
                save_versioned(asset, version, cleaned)
        except IntegrityError:
            raise FieldErrors({"vin": [_("Another asset is registered with this VIN.")]}) \
                from None
        audit.log(actor, "service.asset.updated", asset,
                  changes=diff(before, {k: v for k, v in cleaned.items() if k != "vin_tail"}))
    return asset


def add_coverage(actor: User, asset: Asset, values: CoverageInput) -> WarrantyCoverage:
    if not perms.can_edit_asset(actor, asset):
        raise Forbidden(_("You may not change this asset."))
    cleaned = _clean_coverage(values.given())
    with transaction.atomic():
        coverage = WarrantyCoverage.objects.create(asset=asset, **cleaned)
        audit.log(actor, "service.asset.coverage_added", asset,
                  data={"coverage": str(coverage), "kind": coverage.kind,
                        "starts_on": coverage.starts_on, "ends_on": coverage.ends_on})
    return coverage


# --- Delivered order lines ------------------------------------------------------------------

def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _units(quantity: Decimal) -> tuple[int, int]:
    """(assets, quantity of each) for a delivered quantity; bulk or fractional goods → one."""
    if quantity != quantity.to_integral_value() or quantity <= 0:
        return (0, 0)
    n = int(quantity)
    return (n, 1) if n <= MAX_UNITS_PER_LINE else (1, n)


def assets_from_delivery(order_id: int, actor: User | None = None) -> list[Asset]:
    """Make the assets of every delivered line of an order that has none yet: one per unit,
    with the product's warranty terms from the day of delivery. Safe to repeat."""
    made: list[Asset] = []
    terms: dict[int, list[WarrantyTerm]] = {}
    for line in delivered_lines(order_id):
        count, each = _units(line.quantity)
        if not count:
            continue
        have = set(Asset.objects.filter(shipment_line_id=line.shipment_line_id)
                   .values_list("unit_index", flat=True))
        if line.product_id not in terms:
            terms[line.product_id] = list(WarrantyTerm.objects.filter(
                product_id=line.product_id))
        for index in range(1, count + 1):
            if index in have:
                continue
            try:
                with transaction.atomic():
                    asset = Asset.objects.create(
                        account_id=line.account_id, contact_id=line.contact_id,
                        product_id=line.product_id, quantity=each,
                        purchase_date=line.delivered_on, order_line_id=line.order_line_id,
                        shipment_line_id=line.shipment_line_id, unit_index=index,
                        notes=_("Delivered with order %(order)s, shipment %(shipment)s.")
                        % {"order": line.order_number, "shipment": line.shipment_number},
                        created_by=actor)
                    for term in terms[line.product_id]:
                        WarrantyCoverage.objects.create(
                            asset=asset, kind=term.kind, starts_on=line.delivered_on,
                            ends_on=add_months(line.delivered_on, term.months)
                            - dt.timedelta(days=1),
                            max_mileage=term.max_mileage, parts=term.parts,
                            description=_("Warranty with the product"))
                    audit.log(actor, "service.asset.delivered", asset,
                              data={"order": line.order_number,
                                    "shipment": line.shipment_number})
            except IntegrityError:
                continue  # made meanwhile by another worker reacting to the same delivery
            made.append(asset)
    return made


def on_event(event: Event) -> None:
    """After a delivery commits: the delivered units join the installed base."""
    if event.type != "orders.shipment.delivered" or event.object_type != "orders.salesorder":
        return
    actor = User.objects.filter(pk=event.actor_id).first() if event.actor_id else None
    assets_from_delivery(int(event.object_id), actor)
