"""API: quotes with their lines and totals, the approval and sending steps, the PDF.

Reads go through the scoped selector (404 for missing and not visible alike); writes call one
service each and take the ``version`` the caller read (409 when stale). Money is Decimal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from guanxi.accounts.schemas import UserRef
from guanxi.core.access import get_visible
from guanxi.core.schemas import Id, Version
from guanxi.core.selectors import keyset_page
from guanxi.customers.models import Account
from guanxi.orders.models import Quote
from guanxi.orders.selectors import quotes as sel
from guanxi.orders.services import pdf
from guanxi.orders.services import quotes as svc

router = Router(tags=["Quotes"])


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class AccountRef(Schema):
    id: int
    name: str


class LineOut(Schema):
    id: int
    position: int
    product_id: int
    product_code: str = Field(alias="product.code")
    name_zh: str = Field(alias="product.name_zh")
    name_en: str = Field(alias="product.name_en")
    description: str
    unit: str
    quantity: Decimal
    list_price: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate: Decimal
    net_amount: Decimal
    tax_amount: Decimal
    total: Decimal


class QuoteListItem(Schema):
    id: int
    number: str
    revision: int
    display_number: str
    title: str
    status: str
    account: AccountRef
    owner: UserRef | None
    currency: str
    issue_date: dt.date
    valid_until: dt.date | None
    net_amount: Decimal
    total: Decimal
    version: int


class QuoteOut(QuoteListItem):
    contact_id: int | None
    opportunity_id: int | None
    previous_id: int | None
    next_id: int | None
    discount_percent: Decimal
    subtotal: Decimal
    discount_amount: Decimal
    tax_amount: Decimal
    max_discount: Decimal
    terms: str
    notes: str
    review_id: int | None
    sent_at: dt.datetime | None
    sent_to: str
    decided_at: dt.datetime | None
    created_at: dt.datetime
    lines: list[LineOut]

    @staticmethod
    def resolve_lines(obj) -> list:
        return sel.lines_of(obj)

    @staticmethod
    def resolve_next_id(obj) -> int | None:
        return Quote.objects.filter(previous=obj).values_list("pk", flat=True).first()


class QuotePage(Schema):
    items: list[QuoteListItem]
    next: str | None = Field(description="Pass as `cursor` for the next page; null at the end")


class LineIn(In):
    product: Id = Field(description="Product id (an active product)")
    quantity: Decimal = Field(description="More than zero")
    unit_price: Decimal | None = Field(None, description="Default: the customer's price")
    discount_percent: Decimal | None = Field(None, description="0–100")
    description: str | None = Field(None, description="Default: the product's name")


class QuoteFields(In):
    title: str | None = None
    contact_id: Id | None = None
    opportunity_id: Id | None = None
    currency: str | None = Field(None, description="Default: the customer's currency (CNY)")
    issue_date: dt.date | None = None
    valid_until: dt.date | None = None
    discount_percent: Decimal | None = Field(None, description="On the whole quote, 0–100")
    terms: str | None = None
    notes: str | None = None


class QuoteIn(QuoteFields):
    account_id: Id
    lines: list[LineIn] = []


class QuotePatch(QuoteFields):
    version: Version
    lines: list[LineIn] | None = Field(None, description="Replace every line")


class VersionIn(In):
    version: Version


class QuoteSendIn(In):
    version: Version
    to: str = Field(description="The customer's e-mail address")
    message: str = ""
    language: Literal["zh-hans", "en"] = "zh-hans"


class DeclineIn(In):
    version: Version
    reason: str


class CancelIn(In):
    version: Version
    reason: str = ""


class QuoteFilters(Schema):
    status: str | None = Field(None, description="A status, `live` or `all`")
    owner: str | None = Field(None, description="`me` or a user id")
    account: Id | None = None
    opportunity: Id | None = None
    q: str | None = Field(None, description="Number, title or customer name")
    sort: Literal["issue_date", "-issue_date", "total", "-total", "updated_at",
                  "-updated_at"] = "-issue_date"
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


def _quote(request: HttpRequest, quote_id: int) -> Quote:
    return sel.get_quote(request.auth, quote_id)


def _data(payload: QuoteFields) -> tuple[svc.QuoteInput, list[svc.QuoteLineInput] | None]:
    data = payload.model_dump(exclude_unset=True)
    data.pop("account_id", None)
    data.pop("version", None)
    lines = data.pop("lines", None)
    if lines is not None:
        lines = [svc.QuoteLineInput(**line) for line in lines]
    for key in ("contact_id", "opportunity_id"):
        if key in data:
            data[key[:-3]] = data.pop(key)
    return svc.QuoteInput(**data), lines


@router.get("/quotes", response=QuotePage)
def list_quotes(request: HttpRequest, filters: Query[QuoteFilters]):
    """Quotes you may see (superseded versions only with `status=superseded` or `all`);
    keyset pages: follow `next` until it is null."""
    qs = sel.filter_quotes(request.auth, request.GET).select_related("account", "owner")
    page = keyset_page(qs, filters.sort, filters.cursor, filters.limit)
    return {"items": page.items, "next": page.next}


@router.post("/quotes", response={201: QuoteOut})
def create_quote(request: HttpRequest, payload: QuoteIn):
    """A draft quote with its lines; prices default to the customer's."""
    account = get_visible(Account.objects.visible_to(request.auth), pk=payload.account_id)
    data, lines = _data(payload)
    quote = svc.create_quote(request.auth, account, data, lines or [])
    return Status(201, _quote(request, quote.pk))


@router.get("/quotes/{quote_id}", response=QuoteOut)
def get_quote(request: HttpRequest, quote_id: Id):
    """One quote with its lines and totals."""
    return _quote(request, quote_id)


@router.patch("/quotes/{quote_id}", response=QuoteOut)
def update_quote(request: HttpRequest, quote_id: Id, payload: QuotePatch):
    """Edit a draft or rejected quote; `lines` replaces every line."""
    quote = _quote(request, quote_id)
    data, lines = _data(payload)
    svc.update_quote(request.auth, quote, data, lines, payload.version)
    return _quote(request, quote_id)


@router.post("/quotes/{quote_id}/submit", response=QuoteOut)
def submit_quote(request: HttpRequest, quote_id: Id, payload: VersionIn):
    """Ask for approval of the discount (approved at once when nothing needs approval)."""
    svc.submit_quote(request.auth, _quote(request, quote_id), payload.version)
    return _quote(request, quote_id)


@router.post("/quotes/{quote_id}/send", response=QuoteOut)
def send_quote(request: HttpRequest, quote_id: Id, payload: QuoteSendIn):
    """E-mail an approved quote as a PDF (in the background; the outcome goes on the
    customer's timeline)."""
    svc.send_quote(request.auth, _quote(request, quote_id), payload.to, payload.message,
                   payload.version, language=payload.language)
    return _quote(request, quote_id)


@router.post("/quotes/{quote_id}/accept", response=QuoteOut)
def accept_quote(request: HttpRequest, quote_id: Id, payload: VersionIn):
    """The customer accepted; a prospect becomes a lead customer."""
    svc.accept_quote(request.auth, _quote(request, quote_id), payload.version)
    return _quote(request, quote_id)


@router.post("/quotes/{quote_id}/decline", response=QuoteOut)
def decline_quote(request: HttpRequest, quote_id: Id, payload: DeclineIn):
    svc.decline_quote(request.auth, _quote(request, quote_id), payload.reason,
                      payload.version)
    return _quote(request, quote_id)


@router.post("/quotes/{quote_id}/revise", response={201: QuoteOut})
def revise_quote(request: HttpRequest, quote_id: Id, payload: VersionIn):
    """A new version with the same number; this one is superseded. Returns the new one."""
    new = svc.revise_quote(request.auth, _quote(request, quote_id), payload.version)
    return Status(201, _quote(request, new.pk))


@router.post("/quotes/{quote_id}/cancel", response=QuoteOut)
def cancel_quote(request: HttpRequest, quote_id: Id, payload: CancelIn):
    svc.cancel_quote(request.auth, _quote(request, quote_id), payload.version, payload.reason)
    return _quote(request, quote_id)


@router.get("/quotes/{quote_id}/pdf", response={200: None},
            openapi_extra={"responses": {200: {"description": "The quote as a PDF",
                                               "content": {"application/pdf": {}}}}})
def quote_pdf(request: HttpRequest, quote_id: Id, language: Literal["zh-hans", "en"] =
              "zh-hans"):
    """The quote as a PDF in Chinese and English."""
    quote = _quote(request, quote_id)
    response = HttpResponse(pdf.quote_pdf(quote, language), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf.filename(quote)}"'
    return response
