"""API of the installed base under /api/service/: assets (with coverages and a warranty
check), service records (with parts), stations, technicians, knowledge-base articles and their
links to cases, and satisfaction surveys."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from guanxi.core.access import get_visible, require
from guanxi.core.errors import FieldErrors
from guanxi.core.schemas import Id, Int, Version
from guanxi.core.selectors import keyset_page
from guanxi.customers.selectors import visible_accounts, visible_contacts
from guanxi.orders.selectors.catalog import search_products
from guanxi.service import permissions as perms
from guanxi.service.models import Survey
from guanxi.service.selectors import assets as sel
from guanxi.service.selectors import knowledge as kb
from guanxi.service.selectors.cases import get_case
from guanxi.service.services import assets as asset_svc
from guanxi.service.services import case_links, network
from guanxi.service.services import knowledge as kb_svc
from guanxi.service.services import records as rec
from guanxi.service.warranty import decide

router = Router(tags=["Service: installed base"])

CoverageKindIn = Literal["whole_unit", "parts", "extended"]


# --- Schemas -------------------------------------------------------------------------------

class CoverageOut(Schema):
    id: int
    kind: str
    starts_on: dt.date
    ends_on: dt.date
    max_mileage: int | None
    parts: str
    description: str


class CoverageIn(Schema):
    kind: CoverageKindIn = "whole_unit"
    starts_on: dt.date
    ends_on: dt.date
    max_mileage: int | None = Field(None, ge=0, le=10 ** 9)
    parts: str = Field("", max_length=300)
    description: str = Field("", max_length=200)


class AssetOut(Schema):
    id: int
    account_id: int
    contact_id: int | None
    product_id: int
    serial_number: str
    vin: str
    engine_number: str
    plate: str
    mileage: int | None
    quantity: int
    purchase_date: dt.date | None
    selling_dealer_id: int | None
    status: str
    notes: str
    created_at: dt.datetime
    version: int = Field(description="Send it back with every change")


class AssetDetailOut(AssetOut):
    coverages: list[CoverageOut]


class AssetPage(Schema):
    items: list[AssetOut]
    next: str | None


class AssetIn(Schema):
    account_id: Id
    product_id: Id
    contact_id: Id | None = None
    serial_number: str = Field("", max_length=60)
    vin: str = Field("", max_length=30, description="17 characters; the check digit is "
                                                    "verified (GB 16735 / ISO 3779)")
    engine_number: str = Field("", max_length=40)
    plate: str = Field("", max_length=20)
    mileage: int | None = Field(None, ge=0, le=10 ** 9)
    quantity: int = Field(1, ge=1, le=10 ** 9)
    purchase_date: dt.date | None = None
    selling_dealer_id: Id | None = None
    notes: str = Field("", max_length=5000)
    coverages: list[CoverageIn] = []


class AssetPatch(Schema):
    product_id: Id | None = None
    contact_id: Id | None = None
    serial_number: str | None = Field(None, max_length=60)
    vin: str | None = Field(None, max_length=30)
    engine_number: str | None = Field(None, max_length=40)
    plate: str | None = Field(None, max_length=20)
    mileage: int | None = Field(None, ge=0, le=10 ** 9)
    purchase_date: dt.date | None = None
    selling_dealer_id: Id | None = None
    status: Literal["in_use", "retired"] | None = None
    notes: str | None = Field(None, max_length=5000)
    version: Version


class WarrantyOut(Schema):
    covered: bool
    reason: str
    coverage: CoverageOut | None


class PartOut(Schema):
    part_number: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    covered: bool


class RecordOut(Schema):
    id: int
    asset_id: int
    account_id: int
    case_id: int | None
    station_id: int
    technician_id: int | None
    performed_on: dt.date
    failure_on: dt.date | None
    mileage: int | None
    complaint: str
    work_done: str
    labour_hours: Decimal
    labour_amount: Decimal
    labour_covered: bool
    warranty_claim: bool
    warranty_decision: str
    covered_amount: Decimal
    billed_amount: Decimal
    parts: list[PartOut]

    @staticmethod
    def resolve_parts(obj: Any) -> list:
        return list(obj.parts.all())


class RecordPage(Schema):
    items: list[RecordOut]
    next: str | None


class PartIn(Schema):
    part_number: str = Field(max_length=40)
    description: str = Field("", max_length=200)
    quantity: Decimal = Field(gt=0, le=Decimal("99999999.99"), decimal_places=2)
    unit_price: Decimal = Field(Decimal(0), ge=0, le=Decimal("999999999999.99"),
                                decimal_places=2)
    covered: bool = False


class RecordIn(Schema):
    station_id: Id
    technician_id: Id | None = None
    case_id: Id | None = None
    performed_on: dt.date
    failure_on: dt.date | None = None
    mileage: int | None = Field(None, ge=0, le=10 ** 9)
    complaint: str = Field("", max_length=5000)
    work_done: str = Field(max_length=5000)
    labour_hours: Decimal = Field(Decimal(0), ge=0, le=Decimal("99999.99"), decimal_places=2)
    labour_amount: Decimal = Field(Decimal(0), ge=0, le=Decimal("999999999999.99"),
                                   decimal_places=2)
    labour_covered: bool = False
    warranty_claim: bool = False
    parts: list[PartIn] = []


class StationOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    province: str
    city: str
    address: str
    phone: str
    is_active: bool
    version: int


class StationIn(Schema):
    code: str = Field(max_length=20)
    name: str = Field(max_length=200)
    kind: Literal["dealer", "station", "factory"] = "station"
    province: str = Field(max_length=30, description="GB/T 2260 code or name")
    city: str = Field(max_length=60)
    address: str = Field("", max_length=300)
    phone: str = Field("", max_length=40)


class StationPatch(Schema):
    name: str | None = Field(None, max_length=200)
    kind: Literal["dealer", "station", "factory"] | None = None
    province: str | None = Field(None, max_length=30)
    city: str | None = Field(None, max_length=60)
    address: str | None = Field(None, max_length=300)
    phone: str | None = Field(None, max_length=40)
    is_active: bool | None = None
    version: Version


class TechnicianOut(Schema):
    id: int
    station_id: int
    name: str
    phone: str
    qualification: str
    is_active: bool
    version: int


class TechnicianIn(Schema):
    station_id: Id
    name: str = Field(max_length=100)
    phone: str = Field("", max_length=40)
    qualification: str = Field("", max_length=100)


class TechnicianPatch(Schema):
    name: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, max_length=40)
    qualification: str | None = Field(None, max_length=100)
    is_active: bool | None = None
    version: Version


class ArticleOut(Schema):
    id: int
    title: str
    body: str
    language: str
    category_id: int | None
    visibility: str
    keywords: str
    updated_at: dt.datetime
    version: int


class ArticleIn(Schema):
    title: str = Field(max_length=200)
    body: str = Field(max_length=100000)
    language: Literal["zh-hans", "en"] = "zh-hans"
    category_id: Id | None = None
    visibility: Literal["internal", "published"] = "internal"
    keywords: str = Field("", max_length=200)


class ArticlePatch(Schema):
    title: str | None = Field(None, max_length=200)
    body: str | None = Field(None, max_length=100000)
    language: Literal["zh-hans", "en"] | None = None
    category_id: Id | None = None
    visibility: Literal["internal", "published"] | None = None
    keywords: str | None = Field(None, max_length=200)
    version: Version


class ArticleLinkIn(Schema):
    article_id: Id


class SurveyOut(Schema):
    id: int
    case_id: int
    account_id: int | None
    product_id: int | None
    team_id: int | None
    agent_id: int | None
    sent_at: dt.datetime | None
    expires_at: dt.datetime
    answered_at: dt.datetime | None
    csat: int | None
    nps: int | None
    comment: str
    follow_up_id: int | None


# --- Helpers -------------------------------------------------------------------------------

def _refs(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Ids in the payload → the records they name, each checked against what the caller may
    see; a wrong one is an error at its field."""
    errors: dict[str, list[str]] = {}
    out = dict(data)
    lookups = {
        "account_id": ("account", lambda pk: visible_accounts(request.auth).filter(pk=pk)
                       .first(), _("No such customer.")),
        "contact_id": ("contact", lambda pk: visible_contacts(request.auth).filter(pk=pk)
                       .first(), _("No such contact.")),
        "product_id": ("product", lambda pk: search_products().filter(pk=pk).first(),
                       _("No such product.")),
        "selling_dealer_id": ("selling_dealer", lambda pk: sel.stations().filter(pk=pk)
                              .first(), _("No such dealer.")),
        "station_id": ("station", lambda pk: sel.stations().filter(pk=pk).first(),
                       _("No such station.")),
        "technician_id": ("technician", lambda pk: sel.technicians().filter(pk=pk).first(),
                          _("No such technician.")),
        "category_id": ("category", lambda pk: kb.categories().filter(pk=pk).first(),
                        _("No such category.")),
    }
    for key, (name, find, message) in lookups.items():
        if key not in out:
            continue
        pk = out.pop(key)
        if pk is None:
            out[name] = None
            continue
        found = find(pk)
        if found is None:
            errors[key] = [message]
        out[name] = found
    if errors:
        raise FieldErrors(errors)
    return out


def _ids(exc: FieldErrors, names: tuple[str, ...]) -> FieldErrors:
    """Service errors named by the record (``account``) → the API's field (``account_id``)."""
    return FieldErrors({(f"{k}_id" if k in names else k): v for k, v in exc.errors.items()})


REF_NAMES = ("account", "contact", "product", "selling_dealer", "station", "technician",
             "category", "case")


# --- Assets --------------------------------------------------------------------------------

def _asset_detail(asset: Any) -> dict:
    out = AssetOut.model_validate(asset).model_dump()
    out["coverages"] = [CoverageOut.model_validate(c).model_dump()
                        for c in sel.asset_coverages(asset)]
    return out


@router.get("/service/assets", response=AssetPage)
def list_assets(request: HttpRequest, q: str = "", account: str = "", product: str = "",
                dealer: str = "", status: str = "", cursor: str | None = None,
                limit: Int = 50):
    """Assets of the customers you see; ``q``: the start of a serial number or VIN, a VIN's
    last eight characters, or a plate."""
    qs = sel.filter_assets(request.auth, {"q": q, "account": account, "product": product,
                                          "dealer": dealer, "status": status})
    page = keyset_page(qs, "-id", cursor, max(1, min(limit, 200)))
    return {"items": page.items, "next": page.next}


@router.get("/service/assets/{asset_id}", response=AssetDetailOut)
def get_asset(request: HttpRequest, asset_id: Id):
    return _asset_detail(sel.get_asset(request.auth, asset_id))


@router.post("/service/assets", response={201: AssetDetailOut})
def create_asset(request: HttpRequest, payload: AssetIn):
    """Register an asset; a VIN with a wrong check digit is a 400 naming ``vin``."""
    data = _refs(request, payload.dict(exclude={"coverages"}))
    coverages = [asset_svc.CoverageInput(**c.dict()) for c in payload.coverages]
    try:
        asset = asset_svc.create_asset(request.auth, asset_svc.AssetInput(**data), coverages)
    except FieldErrors as exc:
        raise _ids(exc, REF_NAMES) from None
    return Status(201, _asset_detail(sel.get_asset(request.auth, asset.pk)))


@router.patch("/service/assets/{asset_id}", response=AssetDetailOut)
def update_asset(request: HttpRequest, asset_id: Id, payload: AssetPatch):
    asset = sel.get_asset(request.auth, asset_id)
    data = _refs(request, payload.dict(exclude_unset=True, exclude={"version"}))
    try:
        asset_svc.update_asset(request.auth, asset, asset_svc.AssetInput(**data),
                               payload.version)
    except FieldErrors as exc:
        raise _ids(exc, REF_NAMES) from None
    return _asset_detail(sel.get_asset(request.auth, asset_id))


@router.post("/service/assets/{asset_id}/coverages", response={201: CoverageOut})
def add_coverage(request: HttpRequest, asset_id: Id, payload: CoverageIn):
    asset = sel.get_asset(request.auth, asset_id)
    return Status(201, asset_svc.add_coverage(request.auth, asset,
                                              asset_svc.CoverageInput(**payload.dict())))


@router.get("/service/assets/{asset_id}/warranty", response=WarrantyOut)
def check_warranty(request: HttpRequest, asset_id: Id, on: dt.date | None = None,
                   part_number: str = "", mileage: Int | None = None):
    """Is a failure on ``on`` (default: today) covered: a part (``part_number``) or, without
    one, the labour? When not, ``reason`` says why (expired on …, part not covered, no
    coverage)."""
    asset = sel.get_asset(request.auth, asset_id)
    decision = decide(sel.asset_coverages(asset), on or timezone.localdate(),
                      part_number=part_number.strip().upper() or None, mileage=mileage)
    return {"covered": decision.covered, "reason": decision.reason,
            "coverage": decision.coverage}


# --- Service records -----------------------------------------------------------------------

@router.get("/service/records", response=RecordPage)
def list_records(request: HttpRequest, account: str = "", asset: str = "", station: str = "",
                 decision: str = "", performed_from: str = "", performed_to: str = "",
                 cursor: str | None = None, limit: Int = 50):
    """Service records of the customers you see; ``performed_from`` / ``performed_to``:
    dates (YYYY-MM-DD, inclusive)."""
    qs = sel.filter_records(request.auth, {"account": account, "asset": asset,
                                           "station": station, "decision": decision,
                                           "from": performed_from, "to": performed_to})
    page = keyset_page(qs, "-id", cursor, max(1, min(limit, 200)))
    return {"items": page.items, "next": page.next}


@router.get("/service/records/{record_id}", response=RecordOut)
def get_record(request: HttpRequest, record_id: Id):
    return sel.get_record(request.auth, record_id)


@router.post("/service/assets/{asset_id}/records", response={201: RecordOut})
def add_record(request: HttpRequest, asset_id: Id, payload: RecordIn):
    """Record a visit. A warranty claim is checked against the coverage on the failure date:
    each part or the labour claimed outside it is a 400 at its field saying why, and nothing
    is written."""
    asset = sel.get_asset(request.auth, asset_id)
    data = _refs(request, payload.dict(exclude={"parts", "case_id"}))
    case = get_case(request.auth, payload.case_id) if payload.case_id else None
    parts = [rec.PartInput(**p.dict()) for p in payload.parts]
    try:
        record = rec.add_record(request.auth, asset, rec.RecordInput(**data), parts,
                                case=case)
    except FieldErrors as exc:
        raise _ids(exc, REF_NAMES) from None
    return Status(201, sel.get_record(request.auth, record.pk))


# --- Stations and technicians ----------------------------------------------------------------

@router.get("/service/stations", response=list[StationOut])
def list_stations(request: HttpRequest, province: str = "", q: str = "",
                  active: bool | None = None):
    return list(sel.stations(active=active, province=province, q=q)[:1000])


@router.post("/service/stations", response={201: StationOut})
def create_station(request: HttpRequest, payload: StationIn):
    return Status(201, network.create_station(request.auth,
                                              network.StationInput(**payload.dict())))


@router.patch("/service/stations/{station_id}", response=StationOut)
def update_station(request: HttpRequest, station_id: Id, payload: StationPatch):
    station = sel.get_station(station_id)
    return network.update_station(request.auth, station, network.StationInput(
        **payload.dict(exclude_unset=True, exclude={"version"})), payload.version)


@router.get("/service/technicians", response=list[TechnicianOut])
def list_technicians(request: HttpRequest, station: Id | None = None):
    qs = sel.technicians()
    if station:
        qs = qs.filter(station_id=station)
    return list(qs[:2000])


@router.post("/service/technicians", response={201: TechnicianOut})
def create_technician(request: HttpRequest, payload: TechnicianIn):
    data = _refs(request, payload.dict())
    try:
        tech = network.create_technician(request.auth, network.TechnicianInput(**data))
    except FieldErrors as exc:
        raise _ids(exc, REF_NAMES) from None
    return Status(201, tech)


@router.patch("/service/technicians/{technician_id}", response=TechnicianOut)
def update_technician(request: HttpRequest, technician_id: Id, payload: TechnicianPatch):
    tech = sel.get_technician(technician_id)
    return network.update_technician(request.auth, tech, network.TechnicianInput(
        **payload.dict(exclude_unset=True, exclude={"version"})), payload.version)


# --- Knowledge base --------------------------------------------------------------------------

@router.get("/service/articles", response=list[ArticleOut])
def list_articles(request: HttpRequest, q: str = "", category: Id | None = None,
                  language: str = "", visibility: str = ""):
    """Articles you may read; ``q`` matches title, keywords, their pinyin or the answer."""
    return list(kb.search_articles(request.auth, q, category=category, language=language,
                                   visibility=visibility)[:200])


@router.get("/service/articles/{article_id}", response=ArticleOut)
def get_article(request: HttpRequest, article_id: Id):
    return kb.get_article(request.auth, article_id)


@router.post("/service/articles", response={201: ArticleOut})
def create_article(request: HttpRequest, payload: ArticleIn):
    data = _refs(request, payload.dict())
    return Status(201, kb_svc.create_article(request.auth, kb_svc.ArticleInput(**data)))


@router.patch("/service/articles/{article_id}", response=ArticleOut)
def update_article(request: HttpRequest, article_id: Id, payload: ArticlePatch):
    article = kb.get_article(request.auth, article_id)
    data = _refs(request, payload.dict(exclude_unset=True, exclude={"version"}))
    return kb_svc.update_article(request.auth, article, kb_svc.ArticleInput(**data),
                                 payload.version)


@router.post("/service/cases/{case_id}/articles", response={201: ArticleOut})
def link_article(request: HttpRequest, case_id: Id, payload: ArticleLinkIn):
    case = get_case(request.auth, case_id)
    article = get_visible(kb.visible_articles(request.auth), pk=payload.article_id)
    case_links.link_article(request.auth, case, article)
    return Status(201, article)


@router.delete("/service/cases/{case_id}/articles/{article_id}", response={204: None})
def unlink_article(request: HttpRequest, case_id: Id, article_id: Id):
    case = get_case(request.auth, case_id)
    case_links.unlink_article(request.auth, case, kb.get_article(request.auth, article_id))
    return Status(204, None)


# --- Surveys ---------------------------------------------------------------------------------

@router.get("/service/surveys", response=list[SurveyOut])
def list_surveys(request: HttpRequest, answered: bool | None = None, case: Id | None = None,
                 limit: Int = 100):
    """Satisfaction answers: service agents, managers, executives and administrators."""
    require(perms.can_read_satisfaction(request.auth),
            _("Only service, managers and executives read satisfaction answers."))
    qs = Survey.objects.all()
    if answered is not None:
        qs = qs.filter(answered_at__isnull=not answered)
    if case:
        qs = qs.filter(case_id=case)
    return list(qs.order_by("-id")[:max(1, min(limit, 500))])
