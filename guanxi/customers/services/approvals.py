"""New-customer approval and the commercial terms change request (manager, then finance)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.core import audit
from guanxi.core.access import require
from guanxi.core.cleaning import clean_fields
from guanxi.core.errors import Conflict, FieldErrors
from guanxi.core.locking import check_version, save_versioned
from guanxi.customers.models import Account, Approval, ApprovalStep, TermsChangeRequest
from guanxi.customers.permissions import (
    can_decide_new_customer,
    can_decide_terms,
    can_request_terms,
    can_withdraw_terms,
)
from guanxi.customers.services.common import TERMS_FIELDS

S = TermsChangeRequest.Status


@transaction.atomic
def decide_new_customer(actor: User, account: Account, approve: bool, comment: str = "",
                        version: int | None = None) -> Account:
    """A manager over the customer's team approves or rejects a pending customer."""
    if account.approval != Approval.PENDING:
        raise Conflict(_("This customer is not waiting for approval."), code="already_decided")
    require(can_decide_new_customer(actor, account),
            _("Only the team's manager approves new customers."))
    if not approve and not comment.strip():
        raise FieldErrors({"comment": [_("Say why the customer is rejected.")]})
    new = Approval.APPROVED if approve else Approval.REJECTED
    save_versioned(account, version, {"approval": new})
    ApprovalStep.objects.create(account=account, step="new_customer",
                                decision="approved" if approve else "rejected",
                                actor=actor, comment=comment.strip())
    audit.log(actor, f"customers.account.{'approved' if approve else 'rejected'}", account,
              changes={"approval": [Approval.PENDING, new]}, data={"comment": comment})
    return account


@transaction.atomic
def request_terms_change(actor: User, account: Account, changes: dict[str, Any],
                         reason: str = "") -> TermsChangeRequest:
    """Ask for new discount, payment, settlement or credit terms. Nothing changes on the
    customer until the market manager and then finance approve."""
    if account.is_pending:
        raise Conflict(_("Set the terms on the customer itself while it waits for approval."),
                       code="customer_pending")
    if account.approval == Approval.REJECTED:
        raise Conflict(_("This customer was rejected: it gets no commercial terms."),
                       code="customer_rejected")
    require(can_request_terms(actor, account),
            _("Only the customer's owner, team or manager ask for new terms."))
    cleaned = clean_fields(Account, changes, TERMS_FIELDS)
    diff = audit.diff({k: getattr(account, k) for k in cleaned}, cleaned)
    if not diff:
        raise FieldErrors({next(iter(changes), "discount_rate"):
                           [_("These are the customer's current terms already.")]})
    if account.terms_requests.filter(status__in=[S.MANAGER, S.FINANCE]).exists():
        raise Conflict(_("A terms change for this customer is already waiting for approval."),
                       code="request_open")
    req = TermsChangeRequest.objects.create(account=account, requested_by=actor,
                                            changes=diff, reason=reason.strip())
    audit.log(actor, "customers.terms.requested", req, changes=diff)
    return req


@transaction.atomic
def decide_terms_change(actor: User, req: TermsChangeRequest, approve: bool, comment: str = "",
                        version: int | None = None) -> TermsChangeRequest:
    """Manager step, then finance step; the finance approval applies the change."""
    if not req.is_open:
        raise Conflict(_("This request has already been decided."), code="already_decided")
    require(can_decide_terms(actor, req),
            _("This request waits for the market manager.") if req.status == S.MANAGER
            else _("This request waits for finance."))
    if not approve and not comment.strip():
        raise FieldErrors({"comment": [_("Say why the request is rejected.")]})
    step = req.status
    if not approve:
        new_status = S.REJECTED
    elif step == S.MANAGER:
        new_status = S.FINANCE
    else:
        new_status = S.APPLIED
    save_versioned(req, version, {"status": new_status, "status_since": timezone.now()})
    ApprovalStep.objects.create(account=req.account, terms_request=req, step=step,
                                decision="approved" if approve else "rejected", actor=actor,
                                comment=comment.strip())
    audit.log(actor, f"customers.terms.{step}_{'approved' if approve else 'rejected'}", req,
              changes={"status": [step, new_status]}, data={"comment": comment})
    account = req.account
    if new_status == S.APPLIED:
        # Terms change only here, so a profile edit since the request was opened must not
        # turn the approval into a version conflict: apply to the current row.
        account = Account.objects.select_for_update().get(pk=req.account_id)
        values = {field: new for field, (_old, new) in req.changes.items()}
        cleaned = clean_fields(Account, values, TERMS_FIELDS)
        before = {k: getattr(account, k) for k in cleaned}
        save_versioned(account, account.version, cleaned)
        audit.log(actor, "customers.account.terms_applied", account,
                  changes=audit.diff(before, cleaned), data={"request": req.pk})
    return req


@transaction.atomic
def withdraw_terms_change(actor: User, req: TermsChangeRequest,
                          version: int | None = None) -> TermsChangeRequest:
    if not req.is_open:
        raise Conflict(_("This request has already been decided."), code="already_decided")
    require(can_withdraw_terms(actor, req))
    check_version(req, version)
    save_versioned(req, req.version, {"status": S.WITHDRAWN, "status_since": timezone.now()})
    audit.log(actor, "customers.terms.withdrawn", req)
    return req
