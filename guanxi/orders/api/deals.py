"""API: tenders (招投标) with their result, bond and documents; contracts with their contract
review (every step, where it waits and since when) and their documents.

Reads go through the scoped selectors (404 for missing and not visible alike); writes call one
service each and take the ``version`` the caller read (409 when stale). Documents are uploaded
as multipart form data and downloaded as attachments.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict

from guanxi.core.errors import NotFound
from guanxi.core.schemas import DateTime, Id, Version
from guanxi.core.selectors import keyset_page
from guanxi.orders import documents
from guanxi.orders.models import Contract, Tender
from guanxi.orders.selectors import deals as sel
from guanxi.orders.services import contracts as contract_svc
from guanxi.orders.services import tenders as tender_svc
from guanxi.orders.views.deals import attachment

router = Router()
tenders = Router(tags=["Tenders"])
contracts = Router(tags=["Contracts"])
router.add_router("", tenders)
router.add_router("", contracts)


class In(Schema):
    model_config = ConfigDict(extra="forbid")


# --- Shapes --------------------------------------------------------------------------------

class DocumentOut(Schema):
    id: int
    name: str
    kind: str
    content_type: str
    size: int
    sha256: str
    uploaded_by_id: int | None
    uploaded_at: dt.datetime
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return f"/api/documents/{obj.pk}"


class TenderOut(Schema):
    id: int
    number: str
    title: str
    issuer: str
    account_id: int
    account_name: str = Field(alias="account.name")
    opportunity_id: int | None
    deadline: dt.datetime
    opening_at: dt.datetime | None
    budget: Decimal | None
    bid_amount: Decimal | None
    currency: str
    bond_amount: Decimal
    bond_status: str
    bond_due: dt.date | None
    result: str
    result_note: str
    winner: str
    owner_id: int | None
    team_id: int | None
    deadline_soon: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int

    @staticmethod
    def resolve_deadline_soon(obj) -> bool:
        return sel.deadline_soon(obj)


class TenderPage(Schema):
    items: list[TenderOut]
    next: str | None


class TenderIn(In):
    account_id: Id
    number: str
    title: str
    issuer: str
    deadline: DateTime = Field(description="Past deadlines only with a result set")
    opening_at: DateTime | None = None
    budget: Decimal | None = None
    bid_amount: Decimal | None = None
    currency: str = "CNY"
    bond_amount: Decimal = Decimal("0")
    bond_status: str = Tender.BondStatus.NOT_REQUIRED
    bond_due: dt.date | None = None
    opportunity_id: Id | None = None
    owner_id: Id | None = None
    result: str | None = None
    result_note: str | None = None
    winner: str | None = None


class TenderPatch(In):
    version: Version
    number: str | None = None
    title: str | None = None
    issuer: str | None = None
    deadline: DateTime | None = None
    opening_at: DateTime | None = None
    budget: Decimal | None = None
    bid_amount: Decimal | None = None
    currency: str | None = None
    bond_amount: Decimal | None = None
    bond_status: str | None = None
    bond_due: dt.date | None = None
    opportunity_id: Id | None = None
    owner_id: Id | None = None


class ResultIn(In):
    version: Version
    result: Literal["submitted", "won", "lost", "cancelled"]
    note: str = ""
    winner: str = ""
    close_opportunity: bool = Field(
        False, description="Lost: also close the linked opportunity as lost (reason tender)")


class BondIn(In):
    version: Version
    bond_status: str
    bond_amount: Decimal | None = None
    bond_due: dt.date | None = None


class ContractStepOut(Schema):
    id: int
    position: int
    name: str
    status: str
    decider: str = Field(description="The named person or the role deciding this step")
    decided_by: str
    decided_at: dt.datetime | None
    comment: str
    waiting_since: dt.datetime | None
    waiting_hours: int | None
    due_hours: int
    overdue: bool


class ContractOut(Schema):
    id: int
    number: str
    title: str
    account_id: int
    account_name: str = Field(alias="account.name")
    opportunity_id: int | None
    quote_id: int | None
    tender_id: int | None
    amount: Decimal
    currency: str
    payment_terms: str
    delivery_terms: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    signed_on: dt.date | None
    status: str
    review_id: int | None
    review_status: str | None
    waiting_step: str | None = Field(description="Name of the step the review waits at")
    waiting_since: dt.datetime | None
    overdue: bool
    notes: str
    owner_id: int | None
    team_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int

    @staticmethod
    def resolve_status(obj) -> str:
        return obj.current_status

    @staticmethod
    def resolve_review_status(obj) -> str | None:
        return obj.review.status if obj.review_id else None

    @staticmethod
    def resolve_waiting_step(obj) -> str | None:
        waiting = sel.where_waits(obj.review)
        return waiting.step.label if waiting else None

    @staticmethod
    def resolve_waiting_since(obj) -> dt.datetime | None:
        waiting = sel.where_waits(obj.review)
        return waiting.since if waiting else None

    @staticmethod
    def resolve_overdue(obj) -> bool:
        waiting = sel.where_waits(obj.review)
        return bool(waiting and waiting.overdue)


class ContractDetail(ContractOut):
    steps: list[ContractStepOut]

    @staticmethod
    def resolve_steps(obj) -> list[dict]:
        return sel.review_steps(obj.review)


class ContractPage(Schema):
    items: list[ContractOut]
    next: str | None


class ContractIn(In):
    account_id: Id | None = Field(None, description="Not needed with quote_id or tender_id")
    quote_id: Id | None = Field(None, description="An accepted quote: customer, total, "
                                                   "currency and opportunity are copied")
    tender_id: Id | None = Field(None, description="A won tender")
    title: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    payment_terms: str | None = None
    delivery_terms: str | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    notes: str | None = None
    opportunity_id: Id | None = None
    owner_id: Id | None = None


class ContractPatch(In):
    version: Version
    title: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    payment_terms: str | None = None
    delivery_terms: str | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    notes: str | None = None
    opportunity_id: Id | None = None
    owner_id: Id | None = None


class VersionIn(In):
    version: Version


class SignIn(In):
    version: Version
    signed_on: dt.date


class CancelIn(In):
    version: Version
    reason: str = ""


def _ids(data: dict[str, Any]) -> dict[str, Any]:
    """API names (``owner_id``) to service names (``owner``)."""
    return {(k[:-3] if k.endswith("_id") else k): v for k, v in data.items()}


# --- Tenders -------------------------------------------------------------------------------

class TenderFilters(Schema):
    q: str | None = None
    result: str | None = Field(None, description="A result, or `open` (open or submitted)")
    bond: str | None = Field(None, description="A bond status")
    upcoming: bool = Field(False, description="Deadline within the next seven days")
    account: Id | None = None
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


def _tender(request: HttpRequest, tender_id: int) -> Tender:
    return sel.get_tender(request.auth, tender_id)


@tenders.get("/tenders", response=TenderPage)
def list_tenders(request: HttpRequest, filters: Query[TenderFilters]):
    """Tenders you may see, soonest deadline first; keyset pages: follow `next`."""
    qs = sel.filter_tenders(request.auth, request.GET)
    page = keyset_page(qs, "deadline", filters.cursor, filters.limit)
    return {"items": page.items, "next": page.next}


@tenders.post("/tenders", response={201: TenderOut})
def create_tender(request: HttpRequest, payload: TenderIn):
    """Enter a tender; a linked opportunity moves forward to the tender stage."""
    data = payload.model_dump(exclude_unset=True)
    account = sel.get_visible_account(request.auth, data.pop("account_id"))
    tender = tender_svc.create_tender(request.auth, account,
                                      tender_svc.TenderInput.parse(_ids(data)))
    return Status(201, _tender(request, tender.pk))


@tenders.get("/tenders/{tender_id}", response=TenderOut)
def get_tender(request: HttpRequest, tender_id: Id):
    return _tender(request, tender_id)


@tenders.patch("/tenders/{tender_id}", response=TenderOut)
def update_tender(request: HttpRequest, tender_id: Id, payload: TenderPatch):
    tender = _tender(request, tender_id)
    data = _ids(payload.model_dump(exclude_unset=True))
    version = data.pop("version")
    tender_svc.update_tender(request.auth, tender, version, tender_svc.TenderInput.parse(data))
    return _tender(request, tender_id)


@tenders.post("/tenders/{tender_id}/result", response=TenderOut)
def record_result(request: HttpRequest, tender_id: Id, payload: ResultIn):
    """Submitted, won, lost or cancelled."""
    tender = _tender(request, tender_id)
    tender_svc.record_result(request.auth, tender, payload.version, payload.result,
                             note=payload.note, winner=payload.winner,
                             close_opportunity=payload.close_opportunity)
    return _tender(request, tender_id)


@tenders.post("/tenders/{tender_id}/bond", response=TenderOut)
def set_bond(request: HttpRequest, tender_id: Id, payload: BondIn):
    """The bid bond: to be paid, paid, returned, forfeited (finance may do this too)."""
    tender = _tender(request, tender_id)
    tender_svc.set_bond(request.auth, tender, payload.version, payload.bond_status,
                        payload.bond_amount, payload.bond_due)
    return _tender(request, tender_id)


@tenders.get("/tenders/{tender_id}/documents", response=list[DocumentOut])
def tender_documents(request: HttpRequest, tender_id: Id):
    return list(_tender(request, tender_id).documents.all())


@tenders.post("/tenders/{tender_id}/documents", response={201: DocumentOut})
def upload_tender_document(request: HttpRequest, tender_id: Id, file: File[UploadedFile],
                           kind: Form[str] = ""):
    """Multipart upload (`file`, optional `kind`): PDF, Office, OFD, JPEG, PNG, ZIP or text,
    checked by content."""
    tender = _tender(request, tender_id)
    return Status(201, documents.store_upload(request.auth, file, tender=tender, kind=kind))


@tenders.get("/documents/{document_id}", response={200: None},
             openapi_extra={"responses": {
                 200: {"description": "The file, as an attachment",
                       "content": {"application/octet-stream": {}}},
                 302: {"description": "From an object store with signed downloads on: the "
                                      "file's URL, valid for minutes"}}})
def download_document(request: HttpRequest, document_id: Id):
    """Download a tender's or contract's document."""
    document = sel.get_document(request.auth, document_id)
    try:
        return attachment(document)
    except FileNotFoundError:
        raise NotFound() from None


@tenders.delete("/documents/{document_id}", response={204: None})
def delete_document(request: HttpRequest, document_id: Id):
    """Whoever uploaded it, the record's owner or an administrator; the file goes too."""
    documents.delete_document(request.auth, sel.get_document(request.auth, document_id))
    return Status(204, None)


# --- Contracts -----------------------------------------------------------------------------

class ContractFilters(Schema):
    q: str | None = None
    status: str | None = None
    waiting: str | None = Field(None, description="`review` (in review), `overdue`, or the "
                                                  "position of the step it waits at")
    account: Id | None = None
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


def _contract(request: HttpRequest, contract_id: int) -> Contract:
    return sel.get_contract(request.auth, contract_id)


@contracts.get("/contracts", response=ContractPage)
def list_contracts(request: HttpRequest, filters: Query[ContractFilters]):
    """Contracts you may see or review, newest first, with where each waits."""
    qs = sel.filter_contracts(request.auth, request.GET)
    page = keyset_page(qs, "-created_at", filters.cursor, filters.limit)
    return {"items": page.items, "next": page.next}


@contracts.post("/contracts", response={201: ContractDetail})
def create_contract(request: HttpRequest, payload: ContractIn):
    """A draft contract: from scratch (`account_id`), an accepted quote (`quote_id`) or a
    won tender (`tender_id`)."""
    data = payload.model_dump(exclude_unset=True)
    account_id, quote, tender = (data.pop("account_id", None), data.pop("quote_id", None),
                                 data.pop("tender_id", None))
    account = sel.get_visible_account(request.auth, account_id) if account_id else None
    contract = contract_svc.create_contract(request.auth, account,
                                            contract_svc.ContractInput.parse(_ids(data)),
                                            quote=quote, tender=tender)
    return Status(201, _contract(request, contract.pk))


@contracts.get("/contracts/{contract_id}", response=ContractDetail)
def get_contract(request: HttpRequest, contract_id: Id):
    """One contract with every review step: who decides, status, decision, comment, and for
    the waiting step since when and whether it is overdue."""
    return _contract(request, contract_id)


@contracts.patch("/contracts/{contract_id}", response=ContractDetail)
def update_contract(request: HttpRequest, contract_id: Id, payload: ContractPatch):
    """Only a draft or a contract returned for changes."""
    contract = _contract(request, contract_id)
    data = _ids(payload.model_dump(exclude_unset=True))
    version = data.pop("version")
    contract_svc.update_contract(request.auth, contract, version,
                                 contract_svc.ContractInput.parse(data))
    return _contract(request, contract_id)


@contracts.post("/contracts/{contract_id}/submit", response=ContractDetail)
def submit_contract(request: HttpRequest, contract_id: Id, payload: VersionIn):
    """Start contract review (a new review from its first step)."""
    contract_svc.submit_contract(request.auth, _contract(request, contract_id),
                                 payload.version)
    return _contract(request, contract_id)


@contracts.post("/contracts/{contract_id}/sign", response=ContractDetail)
def sign_contract(request: HttpRequest, contract_id: Id, payload: SignIn):
    """An approved contract was signed; upload the signed copy to its documents."""
    contract_svc.sign_contract(request.auth, _contract(request, contract_id),
                               payload.signed_on, payload.version)
    return _contract(request, contract_id)


@contracts.post("/contracts/{contract_id}/cancel", response=ContractDetail)
def cancel_contract(request: HttpRequest, contract_id: Id, payload: CancelIn):
    contract_svc.cancel_contract(request.auth, _contract(request, contract_id),
                                 payload.version, payload.reason)
    return _contract(request, contract_id)


@contracts.get("/contracts/{contract_id}/documents", response=list[DocumentOut])
def contract_documents(request: HttpRequest, contract_id: Id):
    return list(_contract(request, contract_id).documents.all())


@contracts.post("/contracts/{contract_id}/documents", response={201: DocumentOut})
def upload_contract_document(request: HttpRequest, contract_id: Id,
                             file: File[UploadedFile], kind: Form[str] = ""):
    """Multipart upload (`file`, optional `kind`), e.g. the signed copy."""
    contract = _contract(request, contract_id)
    return Status(201, documents.store_upload(request.auth, file, contract=contract,
                                              kind=kind))

