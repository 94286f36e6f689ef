"""Reads of the installed base and service history, scoped by the customers a user sees."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse

from guanxi.accounts.models import User
from guanxi.core.access import get_visible
from guanxi.core.filters import Param, choices, parse
from guanxi.customers.search import TOP
from guanxi.customers.search_providers import SearchHit
from guanxi.service.models import (
    Asset,
    PartLine,
    ServiceRecord,
    ServiceStation,
    Technician,
    WarrantyCoverage,
)
from guanxi.service.vin import normalize_vin

ASSET_FILTERS = (
    Param("account", "int"), Param("product", "int"), Param("dealer", "int"),
    Param("status", "choice", choices(Asset.Status)), Param("q"),
)
RECORD_FILTERS = (
    Param("account", "int"), Param("asset", "int"), Param("station", "int"),
    Param("decision", "choice", choices(ServiceRecord.Decision)),
    Param("from", "date"), Param("to", "date"),
)


def visible_assets(user: User) -> QuerySet[Asset]:
    return Asset.objects.visible_to(user)


def get_asset(user: User, pk: Any) -> Asset:
    return get_visible(visible_assets(user).select_related(
        "account", "contact", "product", "selling_dealer"), pk=pk)


def _prefix(field: str, text: str) -> Q:
    return Q(**{f"{field}__gte": text, f"{field}__lt": text + TOP})


def filter_assets(user: User, data: Mapping[str, Any]) -> QuerySet[Asset]:
    """Assets ``user`` sees: ``account``, ``product``, ``dealer`` (ids), ``status``, ``q``
    (the start of a serial number or VIN, a VIN's last eight characters, or a plate)."""
    data = parse(data, ASSET_FILTERS)
    qs = visible_assets(user).select_related("account", "product", "selling_dealer")
    for key, field in (("account", "account_id"), ("product", "product_id"),
                       ("dealer", "selling_dealer_id"), ("status", "status")):
        if key in data:
            qs = qs.filter(**{field: data[key]})
    if q := (data.get("q") or "").strip():
        qs = qs.filter(pk__in=_candidates(q))
    return qs


def _matches(q: str) -> Q:
    text = normalize_vin(q)
    cond = _prefix("serial_number", text) | _prefix("vin", text) | Q(plate=q.strip().upper())
    if len(text) == 8:
        cond |= Q(vin_tail=text)
    return cond


#: At most this many assets match a search before the user's scope narrows them: serial
#: numbers, VINs and plates are near-unique, so a search is a handful of index lookups.
CANDIDATES = 1000


def _candidates(q: str) -> list[int]:
    """Ids of the assets matching ``q`` through the indexed columns alone (no join), so the
    database looks them up by index instead of walking customers; the caller scopes them."""
    return list(Asset.objects.filter(_matches(q)).order_by().values_list(
        "pk", flat=True)[:CANDIDATES])


def account_assets(user: User, account_id: int, limit: int = 8) -> list[Asset]:
    return list(visible_assets(user).filter(account_id=account_id)
                .select_related("product").order_by("-purchase_date", "-id")[:limit])


def asset_coverages(asset: Asset) -> list[WarrantyCoverage]:
    return list(asset.coverages.all())


def search_assets(user: User, q: str, limit: int = 10) -> list[SearchHit]:
    """Ctrl-K: assets by the start of their serial number or VIN, or the VIN's last eight."""
    text = normalize_vin(q)
    if len(text) < 4 or not any(c.isdigit() for c in text):
        return []
    rows = (visible_assets(user).filter(pk__in=_candidates(q))
            .select_related("account", "product")
            .order_by("vin", "serial_number", "id")[:limit])
    return [SearchHit(kind="asset", id=a.pk, name=str(a),
                      detail=" · ".join(x for x in (a.product.label, a.plate) if x),
                      url=reverse("service:asset", args=[a.pk]),
                      field="vin" if a.vin and text in a.vin else "serial_number",
                      account_id=a.account_id, account_name=a.account.name) for a in rows]


# --- Service records -------------------------------------------------------------------------

def visible_records(user: User) -> QuerySet[ServiceRecord]:
    return ServiceRecord.objects.visible_to(user)


def _with_parts(qs: QuerySet[ServiceRecord]) -> QuerySet[ServiceRecord]:
    return qs.select_related("asset", "asset__product", "station", "technician").prefetch_related(
        Prefetch("parts", queryset=PartLine.objects.order_by("id")))


def get_record(user: User, pk: Any) -> ServiceRecord:
    return get_visible(_with_parts(visible_records(user)), pk=pk)


def filter_records(user: User, data: Mapping[str, Any]) -> QuerySet[ServiceRecord]:
    data = parse(data, RECORD_FILTERS)
    qs = _with_parts(visible_records(user))
    for key, field in (("account", "account_id"), ("asset", "asset_id"),
                       ("station", "station_id"), ("decision", "warranty_decision"),
                       ("from", "performed_on__gte"), ("to", "performed_on__lte")):
        if key in data:
            qs = qs.filter(**{field: data[key]})
    return qs


def asset_records(user: User, asset: Asset, limit: int = 50) -> list[ServiceRecord]:
    return list(_with_parts(visible_records(user).filter(asset=asset))[:limit])


def account_records(user: User, account_id: int, limit: int = 8) -> list[ServiceRecord]:
    return list(visible_records(user).filter(account_id=account_id)
                .select_related("asset", "station", "technician")[:limit])


# --- Network -------------------------------------------------------------------------------

def stations(*, active: bool | None = None, province: str = "",
             q: str = "") -> QuerySet[ServiceStation]:
    """The network is not secret: everyone signed in reads it (to send a customer there)."""
    qs = ServiceStation.objects.all()
    if active is not None:
        qs = qs.filter(is_active=active)
    if province:
        qs = qs.filter(province=province)
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(city__icontains=q))
    return qs


def get_station(pk: Any) -> ServiceStation:
    return get_visible(ServiceStation.objects.all(), pk=pk)


def technicians(station: ServiceStation | None = None,
                active: bool | None = None) -> QuerySet[Technician]:
    qs = Technician.objects.select_related("station")
    if station is not None:
        qs = qs.filter(station=station)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


def get_technician(pk: Any) -> Technician:
    return get_visible(Technician.objects.select_related("station"), pk=pk)
