"""What a user may do from quote to cash, one rule per action. Services enforce these rules;
pages, the API and templates (``{% can "orders.…" %}``) only ask them what to show. The rules
answer for documents the user already sees (``Model.objects.visible_to(user)``)."""

from __future__ import annotations

from django.db.models import Model

from guanxi.accounts.models import Role, User
from guanxi.accounts.selectors import administrators
from guanxi.customers.models import Account
from guanxi.orders.models import (
    Contract,
    Document,
    ExpenseClaim,
    Invoice,
    Quote,
    Review,
    ReviewStep,
    SalesOrder,
    Tender,
)

#: Who reads every document (the rest see their customers', team's and own).
READ_ALL_ROLES = (Role.ADMIN, Role.EXECUTIVE, Role.FINANCE)
#: Who writes quotes; finance and executives read them.
QUOTE_ROLES = (Role.REP, Role.ASSISTANT, Role.MANAGER, Role.ADMIN)
#: Who enters tenders and contracts (finance, executives, delivery only read).
DEAL_ROLES = (Role.REP, Role.ASSISTANT, Role.MANAGER, Role.ADMIN)
#: Who turns a quote or contract into an order (finance also to override the credit limit).
CONVERT_ROLES = (Role.REP, Role.ASSISTANT, Role.MANAGER, Role.FINANCE, Role.ADMIN)
#: Who issues invoices and records and allocates payments.
FINANCE_ROLES = (Role.FINANCE, Role.ADMIN)
#: Who claims expenses.
CLAIM_ROLES = (Role.REP, Role.ASSISTANT, Role.MANAGER, Role.ADMIN)
#: Who changes the catalogue and price lists.
CATALOG_ROLES = (Role.ADMIN, Role.MANAGER)
#: Who sees what a product costs us (margins are not for every eye).
COST_ROLES = (Role.ADMIN, Role.MANAGER, Role.FINANCE, Role.EXECUTIVE)
#: Who has a deliveries list.
DELIVERY_ROLES = (Role.DELIVERY, Role.MANAGER, Role.ADMIN)

#: Who reads the whole of receivables aging (their scope of it).
AGING_ROLES = (Role.EXECUTIVE, Role.ADMIN, Role.FINANCE, Role.MANAGER)
#: Who collects payments: reps their own customers' unless a collection owner is named.
COLLECTOR_ROLES = (Role.COLLECTION, Role.REP, Role.ASSISTANT)

CONTRACT_EDITABLE = (Contract.Status.DRAFT, Contract.Status.RETURNED)
CONTRACT_CANCELLABLE = (Contract.Status.DRAFT, Contract.Status.RETURNED,
                        Contract.Status.REJECTED, Contract.Status.IN_REVIEW,
                        Contract.Status.APPROVED)


def _signed_in(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def can_see_all(user: User) -> bool:
    """Finance, executives and administrators read every document."""
    return user.has_role(*READ_ALL_ROLES)


# --- Catalogue -----------------------------------------------------------------------------

def can_edit_catalog(user: User) -> bool:
    return _signed_in(user) and user.has_role(*CATALOG_ROLES)


def can_see_cost(user: User) -> bool:
    return _signed_in(user) and user.has_role(*COST_ROLES)


# --- Quotes --------------------------------------------------------------------------------

def can_create_quote(user: User, account: Account | None = None) -> bool:
    """``account``: for this customer (an active one)."""
    if account is not None and not account.is_active:
        return False
    return _signed_in(user) and user.has_role(*QUOTE_ROLES)


def can_edit_quote(user: User, quote: Quote) -> bool:
    """The rep who owns or entered it, the customer's owner, the assistants and managers over
    its team, administrators. Finance and executives read only."""
    if not can_create_quote(user):
        return False
    if user.pk in (quote.owner_id, quote.created_by_id) or quote.account.owner_id == user.pk:
        return True
    return user.manages_team(quote.team_id, assistant=True)


# --- Tenders, contracts and their documents ------------------------------------------------

def can_create_deal(user: User, account: Account | None = None) -> bool:
    """Enter a tender or contract (``account``: for this customer, not a merged one)."""
    if account is not None and account.merged_into_id:
        return False
    return user.has_role(*DEAL_ROLES)


def _writes(user: User, record: Tender | Contract) -> bool:
    """The record's owner, the customer's owner, managers and assistants over the record's
    team, administrators (tenders and contracts alike)."""
    if not _signed_in(user) or not user.has_role(*DEAL_ROLES):
        return False
    if record.owner_id == user.pk or record.account.owner_id == user.pk:
        return True
    return user.manages_team(record.team_id, assistant=True)


def can_write_tender(user: User, tender: Tender) -> bool:
    return _writes(user, tender)


def can_change_bond(user: User, tender: Tender) -> bool:
    """Whoever writes the tender, and finance (who pays and collects the bond)."""
    return _writes(user, tender) or (user.is_active and user.has_role(Role.FINANCE))


def can_write_contract(user: User, contract: Contract) -> bool:
    """Submit, sign, cancel, attach: whoever writes the contract (the status decides which)."""
    return _writes(user, contract)


def can_edit_contract(user: User, contract: Contract) -> bool:
    return contract.current_status in CONTRACT_EDITABLE and _writes(user, contract)


def can_attach_document(user: User, parent: Tender | Contract) -> bool:
    return _writes(user, parent)


def can_delete_document(user: User, document: Document) -> bool:
    """Administrators, whoever uploaded it, the owner of its tender or contract."""
    if not _signed_in(user):
        return False
    if user.has_role(Role.ADMIN) or document.uploaded_by_id == user.pk:
        return True
    parent = document.tender if document.tender_id else document.contract
    return parent is not None and parent.owner_id == user.pk


# --- Orders --------------------------------------------------------------------------------

def can_convert_to_order(user: User, document: Quote | Contract) -> bool:
    """The document's owner or creator, the customer's owner, managers and assistants over
    its team, finance and administrators."""
    if not _signed_in(user) or not user.has_role(*CONVERT_ROLES):
        return False
    if user.has_role(Role.ADMIN, Role.FINANCE):
        return True
    if user.pk in (document.owner_id, document.created_by_id, document.account.owner_id):
        return True
    return user.manages_team(document.team_id, assistant=True)


def can_override_credit(user: User) -> bool:
    """Only finance lets an order over the customer's credit limit through (with a reason)."""
    return user.has_role(Role.FINANCE)


def can_manage_order(user: User, order: SalesOrder) -> bool:
    """Cancel, resubmit after a return: the rep who owns it, managers and assistants over its
    team, administrators."""
    if not _signed_in(user):
        return False
    if user.pk in (order.owner_id, order.created_by_id):
        return True
    return user.manages_team(order.team_id, assistant=True)


def can_execute_order(user: User, order: SalesOrder) -> bool:
    """Schedule, ship, deliver: the delivery owner, managers over the order's team,
    administrators."""
    if not _signed_in(user):
        return False
    return order.delivery_owner_id == user.pk or user.manages_team(order.team_id)


def can_see_deliveries(user: User) -> bool:
    return _signed_in(user) and user.has_role(*DELIVERY_ROLES)


# --- Receivables ---------------------------------------------------------------------------

def can_handle_receivables(user: User) -> bool:
    """Finance and administrators issue invoices and record and allocate payments."""
    return _signed_in(user) and user.has_role(*FINANCE_ROLES)


def can_open_aging(user: User) -> bool:
    """The receivables aging page is in the user's navigation."""
    return _signed_in(user) and user.has_role(*AGING_ROLES, *COLLECTOR_ROLES)


def can_open_payments(user: User) -> bool:
    """The payment list is in the user's navigation: finance and those who read all aging."""
    return _signed_in(user) and user.has_role(*FINANCE_ROLES, *AGING_ROLES)


def can_collect(user: User) -> bool:
    """"My collections" is in the user's navigation: collectors and finance."""
    return _signed_in(user) and user.has_role(*COLLECTOR_ROLES, *FINANCE_ROLES)


def can_remind_invoice(user: User, invoice: Invoice) -> bool:
    """Finance, and the invoice's collection owner, send a payment reminder."""
    return can_handle_receivables(user) or (
        _signed_in(user) and invoice.collection_owner_id == user.pk)


# --- Expenses ------------------------------------------------------------------------------

def can_claim_expense(user: User) -> bool:
    return _signed_in(user) and user.has_role(*CLAIM_ROLES)


def can_edit_expense(user: User, claim: ExpenseClaim) -> bool:
    """The claimant, while the claim is a draft or returned."""
    return claim.status in (ExpenseClaim.Status.DRAFT, ExpenseClaim.Status.RETURNED) \
        and claim.claimant_id == user.pk


# --- Reviews -------------------------------------------------------------------------------

def deciders(step: ReviewStep, review: Review) -> list[User]:
    """Who may decide ``step``: the named person, or holders of the role — managers only over
    the document's team (any level above it). Administrators when nobody else can."""
    found: list[User] = []
    if step.approver_id:
        found = [step.approver] if step.approver and step.approver.is_active else []
    elif step.approver_role:
        users = User.objects.filter(is_active=True, user_roles__role=step.approver_role)
        if step.approver_role == Role.MANAGER and review.team is not None:
            ancestors = [int(i) for i in review.team.path.strip("/").split("/") if i]
            users = users.filter(team_id__in=ancestors)
        found = list(users.distinct().order_by("pk"))
    if not found:
        found = list(administrators())
    return found


def can_decide_review(user: User, review: Review, step: ReviewStep | None = None) -> bool:
    """Decide ``step`` (default: the one waiting now): one of its deciders, never the
    submitter; administrators always."""
    step = step if step is not None else review.current_step
    if step is None or review.status != Review.Status.PENDING \
            or step.status != ReviewStep.Status.WAITING:
        return False
    if user.has_role(Role.ADMIN):
        return True
    if review.submitted_by_id == user.pk:  # nobody approves their own request
        return False
    return any(u.pk == user.pk for u in deciders(step, review))


def can_withdraw_review(user: User, review: Review) -> bool:
    """The submitter (or an administrator) takes a review back while it is pending (the
    service says so when it is not)."""
    return review.submitted_by_id == user.pk or user.has_role(Role.ADMIN)


def can_edit_review_rules(user: User) -> bool:
    return _signed_in(user) and user.has_role(Role.ADMIN)


def decides_any_step(user: User, review: Review) -> bool:
    """Is ``user`` named for, or holding the role of, any step of ``review``?"""
    roles = user.role_codes
    for step in review.steps.all():
        if step.approver_id:
            if step.approver_id == user.pk:
                return True
        elif step.approver_role in roles and (
                step.approver_role != Role.MANAGER or review.team_id is None
                or user.manages_team(review.team_id)):
            return True
    return False


def can_see_review(user: User, review: Review) -> bool:
    """The submitter, whoever decides any of its steps and whoever sees the document."""
    from guanxi.orders.services.reviews import registered  # the flows register there

    if not _signed_in(user):
        return False
    if user.has_role(Role.ADMIN) or review.submitted_by_id == user.pk \
            or decides_any_step(user, review):
        return True
    model: type[Model] | None = registered(review.flow)
    if model is None:
        return False
    manager = model._default_manager
    visible_to = getattr(manager, "visible_to", None)
    if visible_to is None:
        return False
    return bool(visible_to(user).filter(pk=review.subject_id).exists())
