"""API: sales expense claims (营销费用) and the expense report.

Reads go through the document scope (404 for missing and not visible alike); writes call one
service each and take the ``version`` the caller read (409 when stale)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from guanxi.core.errors import Forbidden
from guanxi.core.schemas import Id, Version
from guanxi.core.selectors import keyset_page
from guanxi.orders.selectors import expenses as sel
from guanxi.orders.services import expenses as svc

router = Router(tags=["Expenses"])

Category = Literal["travel", "entertainment", "gifts", "samples", "events", "tender", "other"]


class ClaimOut(Schema):
    id: int
    claimant_id: int
    team_id: int | None
    account_id: int | None
    opportunity_id: int | None
    category: str
    amount: Decimal
    currency: str
    spent_on: dt.date
    description: str
    status: str
    review_id: int | None = Field(description="The current approval; see /api/reviews/{id}")
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class ClaimPage(Schema):
    items: list[ClaimOut]
    next: str | None = Field(description="Pass as `cursor` for the next page; null at the end")


class ClaimIn(Schema):
    account_id: Id | None = Field(None, description="The customer; or name an opportunity")
    opportunity_id: Id | None = None
    category: Category
    amount: Decimal = Field(description="More than zero")
    currency: str = "CNY"
    spent_on: dt.date = Field(description="Not in the future")
    description: str = Field(max_length=300)


class ClaimPatch(Schema):
    version: Version
    account_id: Id | None = None
    opportunity_id: Id | None = None
    category: Category | None = None
    amount: Decimal | None = None
    currency: str | None = None
    spent_on: dt.date | None = None
    description: str | None = Field(None, max_length=300)


class ExpenseVersionIn(Schema):
    version: Version


class ClaimFilters(Schema):
    show: Literal["mine", "team", "waiting", "all"] = Field(
        "mine", description="`mine` (the default, as on the list page), `team` (others' "
                            "claims you see), `waiting` (for your approval) or `all` you "
                            "may see")
    status: Literal["draft", "submitted", "returned", "approved", "rejected"] | None = None
    account: Id | None = None
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


class ReportRow(Schema):
    key: str
    label: str
    count: int
    amount: Decimal
    revenue: Decimal | None = None
    ratio: Decimal | None = Field(None, description="Expenses as % of revenue (customers)")
    customers: int | None = None


class ReportOut(Schema):
    group_by: str
    start: dt.date
    end: dt.date
    count: int
    amount: Decimal
    rows: list[ReportRow]


def _require_sees(request: HttpRequest) -> None:
    if not sel.sees_expenses(request.auth):
        raise Forbidden(_("Sales expenses are for sales staff, finance and management."))


def _data(data: dict) -> svc.ClaimInput:
    renamed = {}
    for key, value in data.items():
        renamed[key[:-3] if key in ("account_id", "opportunity_id") else key] = value
    return svc.ClaimInput(**renamed)


@router.get("/expenses", response=ClaimPage)
def list_claims(request: HttpRequest, filters: Query[ClaimFilters]):
    """Expense claims you may see; keyset pages: follow `next` until it is null."""
    _require_sees(request)
    qs = sel.filter_expenses(request.auth, request.GET)
    page = keyset_page(qs, "-spent_on", filters.cursor, filters.limit)
    return {"items": page.items, "next": page.next}


@router.post("/expenses", response={201: ClaimOut})
def create_claim(request: HttpRequest, payload: ClaimIn):
    """A draft claim against a customer and/or an opportunity you can see."""
    claim = svc.create_claim(request.auth, _data(payload.model_dump()))
    return Status(201, claim)


class ReportQuery(Schema):
    group_by: Literal["customer", "rep", "month", "quarter"] = "customer"
    start: dt.date | None = Field(None, alias="from", description="Default: 1 January")
    end: dt.date | None = Field(None, alias="to", description="Default: today (inclusive)")
    team: Id | None = Field(None, description="The claimant's team and the teams below it")
    rep: Id | None = Field(None, description="The claimant's user id")
    category: Category | None = None


@router.get("/expenses/report", response=ReportOut)
def expense_report(request: HttpRequest, q: Query[ReportQuery]):
    """Approved expenses you may see, per customer (with revenue and the ratio), rep, month
    or quarter, by the date they were spent."""
    _require_sees(request)
    today = timezone.localdate()
    f = sel.Filters(start=q.start or dt.date(today.year, 1, 1), end=q.end or today,
                    team=q.team, rep=q.rep, category=q.category or "")
    rows = sel.report(request.auth, f, q.group_by)
    totals = sel.totals(rows)
    return {"group_by": q.group_by, "start": f.start, "end": f.end, **totals,
            "rows": [{**r, "key": str(r["key"])} for r in rows]}


@router.get("/expenses/{claim_id}", response=ClaimOut)
def get_claim(request: HttpRequest, claim_id: Id):
    return sel.get_claim(request.auth, claim_id)


@router.patch("/expenses/{claim_id}", response=ClaimOut)
def update_claim(request: HttpRequest, claim_id: Id, payload: ClaimPatch):
    """Change a draft or returned claim (its claimant)."""
    claim = sel.get_claim(request.auth, claim_id)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    svc.update_claim(request.auth, claim, version, _data(data))
    return sel.get_claim(request.auth, claim_id)


@router.post("/expenses/{claim_id}/submit", response=ClaimOut)
def submit_claim(request: HttpRequest, claim_id: Id, payload: ExpenseVersionIn):
    """Send for approval: the sales manager, and finance from 5,000 (as configured)."""
    claim = sel.get_claim(request.auth, claim_id)
    svc.submit_claim(request.auth, claim, payload.version)
    return sel.get_claim(request.auth, claim_id)


@router.post("/expenses/{claim_id}/withdraw", response=ClaimOut)
def withdraw_claim(request: HttpRequest, claim_id: Id, payload: ExpenseVersionIn):
    """Take a waiting claim back to change it."""
    claim = sel.get_claim(request.auth, claim_id)
    svc.withdraw_claim(request.auth, claim, payload.version)
    return sel.get_claim(request.auth, claim_id)

