"""Sales expenses (营销费用): a rep claims what a customer or an opportunity cost (travel,
entertainment, samples, tender costs …); the sales manager approves, and finance too from
5,000 (the review steps are data). Approved claims land on the customer's timeline and in the
expense reports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.core import audit
from guanxi.core.errors import DomainError, FieldErrors, Forbidden
from guanxi.core.inputs import UNSET, Input
from guanxi.core.locking import check_version, save_versioned
from guanxi.customers.models import Account
from guanxi.orders import permissions as perms
from guanxi.orders.models import ExpenseClaim, Flow, Review
from guanxi.orders.services import reviews
from guanxi.sales.selectors.opportunities import visible_opportunity

if TYPE_CHECKING:  # the model is sales'; orders reaches it through sales' selectors
    from guanxi.sales.models import Opportunity

Status = ExpenseClaim.Status
EDITABLE = (Status.DRAFT, Status.RETURNED)
FIELDS = ("account", "opportunity", "category", "amount", "currency", "spent_on",
          "description")


@dataclass(frozen=True)
class ClaimInput(Input):
    """A claim's values; ``account``/``opportunity`` as records or ids."""

    account: Account | int | None = UNSET
    opportunity: Opportunity | int | None = UNSET
    category: str | None = UNSET
    amount: Decimal | None = UNSET
    currency: str | None = UNSET
    spent_on: dt.date | None = UNSET
    description: str | None = UNSET


def _clean(actor: User, data: ClaimInput, today: dt.date,
           current: ExpenseClaim | None = None) -> dict[str, Any]:
    """Validated values for the claim; every problem at its field at once."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    given = data.given()

    def get(name: str) -> Any:
        return given[name] if name in given else getattr(current, name, None)

    account, opportunity = get("account"), get("opportunity")
    if account is not None and not isinstance(account, Account):
        account = Account.objects.visible_to(actor).filter(pk=account).first()
        if account is None:
            errors["account"] = [_("Choose a customer you can see.")]
    elif account is not None and not Account.objects.visible_to(actor).filter(
            pk=account.pk).exists():
        errors["account"] = [_("Choose a customer you can see.")]
    if opportunity is not None:
        opportunity = visible_opportunity(actor, opportunity)
        if opportunity is None:
            errors["opportunity"] = [_("Choose an opportunity you can see.")]
    if not errors:
        if account is None and opportunity is None:
            errors["account"] = [_("Name the customer or the opportunity the expense was "
                                   "for.")]
        elif opportunity is not None and account is not None \
                and opportunity.account_id != account.pk:
            errors["opportunity"] = [_("This opportunity belongs to another customer.")]
        elif account is None:
            account = opportunity.account
            if not Account.objects.visible_to(actor).filter(pk=account.pk).exists():
                errors["opportunity"] = [_("Choose an opportunity of a customer you can "
                                           "see.")]
    values["account"], values["opportunity"] = account, opportunity

    category = get("category")
    if category not in ExpenseClaim.Category.values:
        errors["category"] = [_("Choose a category.")]
    values["category"] = category

    amount = get("amount")
    if amount is None:
        errors["amount"] = [_("Enter an amount.")]
    elif amount <= 0:
        errors["amount"] = [_("The amount must be more than zero.")]
    elif amount != amount.quantize(Decimal("0.01")) or amount >= Decimal("1e14"):
        errors["amount"] = [_("Enter an amount with at most two decimals.")]
    values["amount"] = amount

    currency = (get("currency") or "CNY").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        errors["currency"] = [_("Use a three-letter currency code such as CNY.")]
    values["currency"] = currency

    spent_on = get("spent_on")
    if spent_on is None:
        errors["spent_on"] = [_("Enter the date of the expense.")]
    elif spent_on > today:
        errors["spent_on"] = [_("The date cannot be in the future.")]
    values["spent_on"] = spent_on

    description = (get("description") or "").strip()
    if not description:
        errors["description"] = [_("Say what the expense was for.")]
    elif len(description) > 300:
        errors["description"] = [_("Keep it under 300 characters.")]
    values["description"] = description
    if errors:
        raise FieldErrors(errors)
    return values


@transaction.atomic
def create_claim(actor: User, data: ClaimInput, *, today: dt.date | None = None
                 ) -> ExpenseClaim:
    """A draft claim of ``actor``."""
    if not perms.can_claim_expense(actor):
        raise Forbidden(_("Only sales staff claim sales expenses."))
    values = _clean(actor, data, today or timezone.localdate())
    claim = ExpenseClaim.objects.create(claimant=actor, team=actor.team, **values)
    audit.log(actor, "orders.expense.created", claim,
              data={"amount": claim.amount, "category": claim.category})
    return claim


@transaction.atomic
def update_claim(actor: User, claim: ExpenseClaim, version: int | None,
                 data: ClaimInput, *, today: dt.date | None = None) -> ExpenseClaim:
    """Change a draft or a returned claim (only its claimant)."""
    if not perms.can_edit_expense(actor, claim):
        raise Forbidden(_("Only the claimant changes a draft or returned claim."))
    values = _clean(actor, data, today or timezone.localdate(), current=claim)
    before = {name: getattr(claim, name) for name in FIELDS}
    changes = audit.diff(before, values)
    save_versioned(claim, version, values)
    audit.log(actor, "orders.expense.updated", claim, changes=changes)
    return claim


@transaction.atomic
def submit_claim(actor: User, claim: ExpenseClaim, version: int | None, *,
                 now: dt.datetime | None = None) -> ExpenseClaim:
    """Send a draft or returned claim for approval; with no review step it is approved."""
    if claim.claimant_id != actor.pk:
        raise Forbidden(_("Only the claimant submits a claim."))
    check_version(claim, version)
    if claim.status not in EDITABLE:
        raise DomainError(_("This claim is already %(status)s.")
                          % {"status": claim.get_status_display()}, code="not_editable")
    before = claim.status
    save_versioned(claim, version, {"status": Status.SUBMITTED})
    review = reviews.start_review(claim, Flow.EXPENSE, actor,
                                  reviews.Facts(amount=claim.amount),
                                  reason=claim.description, now=now)
    audit.log(actor, "orders.expense.submitted", claim,
              changes={"status": [before, Status.SUBMITTED]})
    if review is None:
        _approved(claim, None, actor)
    else:
        ExpenseClaim.objects.filter(pk=claim.pk).update(review=review)
        claim.review = review
    return claim


@transaction.atomic
def withdraw_claim(actor: User, claim: ExpenseClaim, version: int | None, *,
                   now: dt.datetime | None = None) -> ExpenseClaim:
    """The claimant takes a waiting claim back to change it."""
    if claim.claimant_id != actor.pk:
        raise Forbidden(_("Only the claimant withdraws a claim."))
    check_version(claim, version)
    if claim.status != Status.SUBMITTED or claim.review is None:
        raise DomainError(_("Only a claim waiting for approval can be withdrawn."),
                          code="not_waiting")
    save_versioned(claim, version, {})
    reviews.withdraw(actor, claim.review, now)
    claim.refresh_from_db()
    return claim


def _set_status(claim: ExpenseClaim, status: str) -> None:
    """A decision on the claim changes it: whoever read it before must read it again."""
    ExpenseClaim.objects.filter(pk=claim.pk).update(status=status, version=F("version") + 1,
                                                    updated_at=timezone.now())
    claim.status = status
    claim.version += 1


def _approved(claim: ExpenseClaim, review: Review | None, actor: User) -> None:
    _set_status(claim, Status.APPROVED)
    audit.log(actor, "orders.expense.approved", claim,
              data={"amount": claim.amount, "currency": claim.currency,
                    "category": claim.category, "account": claim.account_id,
                    "claimant": claim.claimant_id, "review": getattr(review, "pk", None)})


def _on_outcome(claim: ExpenseClaim, review: Review, outcome: str, actor: User) -> None:
    if outcome == Review.Status.APPROVED:
        _approved(claim, review, actor)
    elif outcome == Review.Status.REJECTED:
        _set_status(claim, Status.REJECTED)
        audit.log(actor, "orders.expense.rejected", claim, data={"review": review.pk})
    else:
        _set_status(claim, Status.RETURNED)
        audit.log(actor, "orders.expense.returned", claim, data={"review": review.pk})


def _on_withdraw(claim: ExpenseClaim, review: Review, actor: User) -> None:
    _set_status(claim, Status.DRAFT)
    audit.log(actor, "orders.expense.withdrawn", claim, data={"review": review.pk})


def claim_url(claim: ExpenseClaim) -> str:
    return reverse("orders:expense", args=[claim.pk])


reviews.register(Flow.EXPENSE, ExpenseClaim, _on_outcome, claim_url, on_withdraw=_on_withdraw)
