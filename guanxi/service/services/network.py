"""The dealer and service-station network (经销商 / 维修站), its technicians and the
warranty terms products come with: kept by administrators."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.core import audit
from guanxi.core.audit import diff
from guanxi.core.errors import FieldErrors, Forbidden
from guanxi.core.inputs import UNSET, Input
from guanxi.core.locking import save_versioned
from guanxi.customers.regions import PROVINCES, province_code
from guanxi.service import permissions as perms
from guanxi.service.models import CoverageKind, ServiceStation, Technician, WarrantyTerm

PROVINCE_CODES = {code for code, _zh, _en in PROVINCES}


@dataclass(frozen=True)
class StationInput(Input):
    code: str | None = UNSET
    name: str | None = UNSET
    kind: str | None = UNSET
    province: str | None = UNSET
    city: str | None = UNSET
    address: str | None = UNSET
    phone: str | None = UNSET
    is_active: bool = UNSET


@dataclass(frozen=True)
class TechnicianInput(Input):
    station: Any = UNSET
    name: str | None = UNSET
    phone: str | None = UNSET
    qualification: str | None = UNSET
    user: Any = UNSET
    is_active: bool = UNSET


def _require(actor: User) -> None:
    if not perms.can_manage_network(actor):
        raise Forbidden(_("Only administrators change the service network."))


def _clean_station(values: dict[str, Any], creating: bool) -> dict[str, Any]:
    out = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    errors: dict[str, list[str]] = {}
    required = ("code", "name", "province", "city")
    for key in required:
        if (creating or key in out) and not out.get(key):
            errors[key] = [_("This field is required.")]
    if out.get("code"):
        out["code"] = out["code"].upper()
    if out.get("province"):
        # A name (上海, 上海市, Shanghai) or a code: stored as the GB/T 2260 code.
        code = province_code(out["province"])
        if code not in PROVINCE_CODES:
            errors["province"] = [_("Not a Chinese province: %(value)s.")
                                  % {"value": out["province"]}]
        out["province"] = code
    if "kind" in out and out["kind"] not in ServiceStation.Kind.values:
        errors["kind"] = [_("Choose one of the offered values.")]
    if errors:
        raise FieldErrors(errors)
    return out


def _taken() -> FieldErrors:
    return FieldErrors({"code": [_("Another station has this code.")]})


def create_station(actor: User, values: StationInput) -> ServiceStation:
    _require(actor)
    cleaned = _clean_station(values.given(), True)
    if ServiceStation.objects.filter(code=cleaned["code"]).exists():
        raise _taken()
    try:
        with transaction.atomic():
            station = ServiceStation.objects.create(**cleaned)
            audit.log(actor, "service.station.created", station, changes=diff({}, cleaned))
    except IntegrityError:
        raise _taken() from None
    return station


def update_station(actor: User, station: ServiceStation, values: StationInput,
                   version: int | None) -> ServiceStation:
    _require(actor)
    cleaned = _clean_station(values.given(), False)
    if cleaned.get("code") and ServiceStation.objects.filter(code=cleaned["code"]).exclude(
            pk=station.pk).exists():
        raise _taken()
    before = {k: getattr(station, k) for k in cleaned}
    with transaction.atomic():
        save_versioned(station, version, cleaned)
        audit.log(actor, "service.station.updated", station, changes=diff(before, cleaned))
    return station


def _clean_technician(values: dict[str, Any], creating: bool) -> dict[str, Any]:
    out = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    errors: dict[str, list[str]] = {}
    for key in ("station", "name"):
        if (creating or key in out) and not out.get(key):
            errors[key] = [_("This field is required.")]
    station = out.get("station")
    if isinstance(station, ServiceStation) and not station.is_active:
        errors["station"] = [_("This station is no longer active.")]
    if errors:
        raise FieldErrors(errors)
    return out


def create_technician(actor: User, values: TechnicianInput) -> Technician:
    _require(actor)
    cleaned = _clean_technician(values.given(), True)
    with transaction.atomic():
        technician = Technician.objects.create(**cleaned)
        audit.log(actor, "service.technician.created", technician, changes=diff({}, cleaned))
    return technician


def update_technician(actor: User, technician: Technician, values: TechnicianInput,
                      version: int | None) -> Technician:
    _require(actor)
    cleaned = _clean_technician(values.given(), False)
    before = {k: getattr(technician, k) for k in cleaned}
    with transaction.atomic():
        save_versioned(technician, version, cleaned)
        audit.log(actor, "service.technician.updated", technician,
                  changes=diff(before, cleaned))
    return technician


def set_warranty_term(actor: User, product: Any, kind: str, months: int,
                      max_mileage: int | None = None, parts: str = "") -> WarrantyTerm:
    """The warranty ``product`` comes with, of ``kind`` (one term per kind)."""
    _require(actor)
    errors: dict[str, list[str]] = {}
    if kind not in CoverageKind.values:
        errors["kind"] = [_("Choose one of the offered values.")]
    if not 1 <= months <= 600:
        errors["months"] = [_("Give 1 to 600 months.")]
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        term, _created = WarrantyTerm.objects.update_or_create(
            product=product, kind=kind,
            defaults={"months": months, "max_mileage": max_mileage,
                      "parts": ",".join(p.strip().upper() for p in parts.split(",")
                                        if p.strip())})
        audit.log(actor, "service.warranty_term.set", term,
                  data={"product": str(product), "kind": kind, "months": months})
    return term
