"""Writes of contracts and their multi-step contract review (合同评审).

A contract starts as a draft (from scratch, from an accepted quote or from a won tender), is
edited while a draft or returned for changes, and is submitted to the review engine: sales
manager → technical review → finance → legal from an amount on (the steps are data). The
engine tells us the outcome through ``_on_outcome``: approved, rejected, or returned — a
returned contract is edited and submitted again, which starts a new review at step one. An
approved contract is signed (with the signed scan, if at hand) or cancelled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanxi.accounts.models import Role, User
from guanxi.core import audit
from guanxi.core.errors import DomainError, FieldErrors, Forbidden, NotFound
from guanxi.core.inputs import UNSET, Input
from guanxi.core.locking import check_version, save_versioned
from guanxi.customers.models import Account
from guanxi.orders import permissions as perms
from guanxi.orders.models import Contract, Flow, Quote, Review, ReviewStep, Tender
from guanxi.orders.numbers import CONTRACT, next_number
from guanxi.orders.services import reviews
from guanxi.orders.services.tenders import (
    active_user,
    check_account,
    check_money,
    opportunity_of,
    parse_currency,
    require_write,
    text,
)

if TYPE_CHECKING:  # the model is sales'; orders reaches it through sales' selectors
    from guanxi.sales.models import Opportunity

EDIT_FIELDS = ("title", "amount", "currency", "payment_terms", "delivery_terms", "starts_on",
               "ends_on", "notes", "opportunity", "owner")
EDITABLE = perms.CONTRACT_EDITABLE
SUBMITTABLE = EDITABLE
CANCELLABLE = perms.CONTRACT_CANCELLABLE


def contract_url(contract: Contract) -> str:
    return reverse("orders:contract", args=[contract.pk])


# --- Input ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class ContractInput(Input):
    """A contract's values; people and the opportunity as records or ids."""

    title: str | None = UNSET
    amount: Decimal | None = UNSET
    currency: str | None = UNSET
    payment_terms: str | None = UNSET
    delivery_terms: str | None = UNSET
    starts_on: dt.date | None = UNSET
    ends_on: dt.date | None = UNSET
    notes: str | None = UNSET
    opportunity: Opportunity | int | None = UNSET
    owner: User | int | None = UNSET


@dataclass(frozen=True)
class SigningInput(Input):
    signed_on: dt.date | None = None


def _clean(actor: User, account: Account, data: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key not in EDIT_FIELDS:
            errors[key] = [_("This field cannot be set here.")]
            continue
        try:
            out[key] = _clean_one(actor, account, key, value)
        except DomainError as exc:
            errors[key] = [exc.message]
    if errors:
        raise FieldErrors(errors)
    starts, ends = out.get("starts_on"), out.get("ends_on")
    if starts and ends and ends < starts:
        raise FieldErrors({"ends_on": [_("The contract cannot end before it starts.")]})
    return out


def _clean_one(actor: User, account: Account, key: str, value: Any) -> Any:
    if key == "title":
        if not str(value or "").strip():
            raise DomainError(_("Give the contract a title."))
        return text(value, 200)
    if key in ("payment_terms", "delivery_terms"):
        return text(value, 200)
    if key == "notes":
        return str(value or "").strip()
    if key == "amount":
        return check_money(value)
    if key == "currency":
        return parse_currency(value)
    if key == "owner":
        return active_user(value)
    if key == "opportunity":
        return opportunity_of(actor, account, value)
    return value


def _source_quote(actor: User, value: Any) -> Quote:
    pk = value.pk if isinstance(value, Quote) else value
    quote = Quote.objects.visible_to(actor).filter(pk=pk).first() \
        if str(pk).isdigit() else None
    if quote is None:
        raise NotFound(_("Not found."))
    if quote.status != Quote.Status.ACCEPTED:
        raise DomainError(_("Only an accepted quote becomes a contract."), field="quote",
                          code="quote_not_accepted")
    return quote


def _source_tender(actor: User, value: Any) -> Tender:
    pk = value.pk if isinstance(value, Tender) else value
    tender = Tender.objects.visible_to(actor).filter(pk=pk).first() \
        if str(pk).isdigit() else None
    if tender is None:
        raise NotFound(_("Not found."))
    if tender.result != Tender.Result.WON:
        raise DomainError(_("Only a won tender becomes a contract."), field="tender",
                          code="tender_not_won")
    return tender


# --- Create and edit -----------------------------------------------------------------------

def create_contract(actor: User, account: Account | None, values: ContractInput, *,
                    quote: Any = None, tender: Any = None,
                    now: dt.datetime | None = None) -> Contract:
    """A draft contract. From an accepted ``quote`` it takes the quote's customer, total,
    currency and opportunity; from a won ``tender`` its customer, our bid and opportunity.
    What ``values`` gives overrides what the source gives."""
    now = now or timezone.now()
    if not perms.can_create_deal(actor):
        raise Forbidden(_("Your role cannot draw up contracts."))
    source_quote = _source_quote(actor, quote) if quote not in (None, "") else None
    source_tender = _source_tender(actor, tender) if tender not in (None, "") else None
    source = source_quote or source_tender
    if source is not None:
        if account is not None and account.pk != source.account_id:
            raise DomainError(_("The quote or tender belongs to another customer."),
                              field="account")
        account = source.account
    if account is None:
        raise FieldErrors({"account": [_("Choose a customer.")]})
    check_account(actor, account)
    defaults: dict[str, Any] = {}
    if source_quote is not None:
        defaults = {"title": source_quote.title or _("Contract for quote %(number)s")
                    % {"number": source_quote.number},
                    "amount": source_quote.total, "currency": source_quote.currency,
                    "opportunity": source_quote.opportunity_id}
    elif source_tender is not None:
        defaults = {"title": source_tender.title,
                    "amount": source_tender.bid_amount or Decimal("0"),
                    "currency": source_tender.currency,
                    "opportunity": source_tender.opportunity_id}
    merged = {**{k: v for k, v in defaults.items() if v is not None},
              **{k: v for k, v in values.given().items()
                 if v not in (None, "") or k not in defaults}}
    cleaned = _clean(actor, account, merged)
    if not cleaned.get("title"):
        raise FieldErrors({"title": [_("Give the contract a title.")]})
    owner = cleaned.pop("owner", None)
    if owner is None:
        selling = actor.has_role(Role.REP, Role.MANAGER)
        owner = actor if selling or account.owner_id is None else account.owner
    with transaction.atomic():
        contract = Contract.objects.create(
            number=next_number(CONTRACT, timezone.localdate(now)), account=account,
            quote=source_quote, tender=source_tender, owner=owner, created_by=actor,
            team_id=owner.team_id if owner else account.team_id, **cleaned)
        audit.log(actor, "orders.contract.created", contract, changes=audit.diff({}, {
            k: getattr(contract, k) for k in ("number", "title", "amount", "currency",
                                              "quote_id", "tender_id", "opportunity_id")}))
    return contract


def update_contract(actor: User, contract: Contract, version: int | None,
                    values: ContractInput) -> Contract:
    """Edit a draft or a contract returned for changes."""
    require_write(actor, contract)
    check_version(contract, version)
    if contract.current_status not in EDITABLE:
        raise DomainError(_("A contract in review, approved, signed or closed cannot be "
                            "changed."), field="status", code="not_editable")
    cleaned = _clean(actor, contract.account, values.given())
    if "owner" in cleaned:
        if cleaned["owner"] is None:
            raise FieldErrors({"owner": [_("A contract always has an owner.")]})
        cleaned["team_id"] = cleaned["owner"].team_id
    merged_start = cleaned.get("starts_on", contract.starts_on)
    merged_end = cleaned.get("ends_on", contract.ends_on)
    if merged_start and merged_end and merged_end < merged_start:
        raise FieldErrors({"ends_on": [_("The contract cannot end before it starts.")]})
    changes = audit.diff({k: getattr(contract, k) for k in cleaned}, cleaned)
    with transaction.atomic():
        save_versioned(contract, version, cleaned)
        if changes:
            audit.log(actor, "orders.contract.updated", contract, changes=changes)
    return contract


# --- Review --------------------------------------------------------------------------------

def submit_contract(actor: User, contract: Contract, version: int | None, *,
                    now: dt.datetime | None = None) -> Contract:
    """Send a draft (or a returned contract, after its changes) to contract review: a new
    review, from its first step."""
    now = now or timezone.now()
    require_write(actor, contract)
    check_version(contract, version)
    if contract.current_status not in SUBMITTABLE:
        raise DomainError(_("Only a draft or a contract returned for changes can be "
                            "submitted."), field="status", code="not_submittable")
    if contract.amount <= 0:
        raise FieldErrors({"amount": [_("Enter the contract amount before submitting it.")]})
    with transaction.atomic():
        save_versioned(contract, version, {})
        previous = contract.current_status
        review = reviews.start_review(contract, Flow.CONTRACT, actor,
                                      reviews.Facts(amount=contract.amount), now=now)
        status = Contract.Status.IN_REVIEW if review is not None \
            else Contract.Status.APPROVED
        Contract.objects.filter(pk=contract.pk).update(status=status, review=review)
        contract.status, contract.review = status, review
        audit.log(actor, "orders.contract.submitted", contract,
                  changes={"status": [previous, status]},
                  data={"review": review.pk if review else None})
    return contract


OUTCOME_STATUS: dict[str, str] = {
    Review.Status.APPROVED: Contract.Status.APPROVED,
    Review.Status.REJECTED: Contract.Status.REJECTED,
    Review.Status.RETURNED: Contract.Status.RETURNED,
}
OUTCOME_TITLES: dict[str, str] = {
    Review.Status.APPROVED: gettext_noop("Contract %(number)s passed contract review"),
    Review.Status.REJECTED: gettext_noop("Contract %(number)s rejected in contract review: "
                                         "%(comment)s"),
    Review.Status.RETURNED: gettext_noop("Contract %(number)s returned for changes: "
                                         "%(comment)s"),
}


def _on_outcome(contract: Contract, review: Review, outcome: str, actor: User) -> None:
    """The review finished (inside the deciding transaction): the contract follows."""
    status = OUTCOME_STATUS.get(outcome)
    if status is None or contract.review_id != review.pk:
        return
    previous = contract.status
    Contract.objects.filter(pk=contract.pk).update(status=status, version=F("version") + 1,
                                                   updated_at=timezone.now())
    last = review.steps.exclude(decided_at=None).order_by("-decided_at", "-position").first()
    comment = last.comment if last else ""
    audit.log(actor, f"orders.contract.{outcome}", contract,
              changes={"status": [previous, status]}, data={"review": review.pk,
                                                            "comment": comment})


def _on_withdraw(contract: Contract, review: Review, actor: User) -> None:
    """The submitter took the review back (review panel, inbox): a draft again."""
    if contract.review_id != review.pk or contract.status != Contract.Status.IN_REVIEW:
        return
    Contract.objects.filter(pk=contract.pk).update(
        status=Contract.Status.DRAFT, version=F("version") + 1, updated_at=timezone.now())
    audit.log(actor, "orders.contract.withdrawn", contract,
              changes={"status": [Contract.Status.IN_REVIEW, Contract.Status.DRAFT]},
              data={"review": review.pk})


reviews.register(Flow.CONTRACT, Contract, _on_outcome, contract_url, on_withdraw=_on_withdraw)


# --- Sign and cancel -----------------------------------------------------------------------

def sign_contract(actor: User, contract: Contract, signed_on: dt.date | None,
                  version: int | None, *,
                  scan: Any = None, now: dt.datetime | None = None) -> Contract:
    """An approved contract was signed on ``signed_on`` (not in the future); ``scan`` is the
    signed copy, stored like any document. The opportunity's stage stays the rep's call: the
    timeline says the contract is signed."""
    now = now or timezone.now()
    require_write(actor, contract)
    check_version(contract, version)
    if contract.status != Contract.Status.APPROVED:
        raise DomainError(_("Only a contract that passed contract review can be signed."),
                          field="status", code="not_approved")
    day = signed_on
    if day is None:
        raise FieldErrors({"signed_on": [_("Enter the date it was signed.")]})
    if day > timezone.localdate(now):
        raise FieldErrors({"signed_on": [_("The signing date cannot be in the future.")]})
    with transaction.atomic():
        save_versioned(contract, version, {"status": Contract.Status.SIGNED,
                                           "signed_on": day})
        if scan is not None:
            from guanxi.orders.documents import store_upload

            store_upload(actor, scan, contract=contract, kind=_("Signed contract"))
        audit.log(actor, "orders.contract.signed", contract,
                  changes={"status": [Contract.Status.APPROVED, Contract.Status.SIGNED]},
                  data={"signed_on": day, "amount": contract.amount})
    return contract


def cancel_contract(actor: User, contract: Contract, version: int | None, reason: str = "",
                    *, now: dt.datetime | None = None) -> Contract:
    """Drop a contract that will not be signed; a review under way is withdrawn."""
    now = now or timezone.now()
    require_write(actor, contract)
    check_version(contract, version)
    if contract.status not in CANCELLABLE:
        raise DomainError(_("A signed or cancelled contract cannot be cancelled."),
                          field="status", code="not_cancellable")
    previous = contract.status
    with transaction.atomic():
        save_versioned(contract, version, {"status": Contract.Status.CANCELLED})
        review = contract.review
        if review is not None and review.status == Review.Status.PENDING:
            review.steps.filter(status__in=[ReviewStep.Status.QUEUED,
                                            ReviewStep.Status.WAITING]) \
                .update(status=ReviewStep.Status.CANCELLED)
            Review.objects.filter(pk=review.pk).update(status=Review.Status.WITHDRAWN,
                                                       finished_at=now)
            audit.log(actor, "orders.review.withdrawn", review)
        audit.log(actor, "orders.contract.cancelled", contract,
                  changes={"status": [previous, Contract.Status.CANCELLED]},
                  data={"reason": text(reason, 300)})
    return contract
