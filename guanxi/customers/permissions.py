"""What a user may do to customers, one rule per action. Services enforce these rules
(``guanxi.core.access.require``); pages, the API and templates (``{% can "customers.…" %}``)
only ask them what to show. The rules answer for records the user already sees
(``selectors.visible_accounts``)."""

from __future__ import annotations

from guanxi.accounts.models import Role, User
from guanxi.customers.models import Account, Approval, TermsChangeRequest

#: Who enters customers (finance, marketing, service and executives only read).
ENTER_ROLES = (Role.REP, Role.ASSISTANT, Role.MANAGER, Role.FINDER, Role.ADMIN)
#: Who enters a customer for someone else (chooses its owner).
ENTER_FOR_OTHERS_ROLES = (Role.ASSISTANT, Role.MANAGER, Role.ADMIN)
#: Who takes customers from the public pool.
CLAIM_ROLES = (Role.REP, Role.MANAGER, Role.ADMIN)
#: Who decides approvals at all (the approvals page and badge).
DECIDER_ROLES = (Role.MANAGER, Role.FINANCE, Role.ADMIN)


def can_create_account(user: User) -> bool:
    return user.has_role(*ENTER_ROLES)


def can_enter_for_others(user: User) -> bool:
    """Assistants, managers and administrators choose whom a new customer belongs to."""
    return user.has_role(*ENTER_FOR_OTHERS_ROLES)


def can_manage_account(user: User, account: Account) -> bool:
    """A manager over the customer's team, or an administrator: reassign, delete, merge."""
    return user.manages_team(account.team_id)


def can_edit_account(user: User, account: Account) -> bool:
    """Owner, the team's manager or sales assistant, or an administrator may edit a customer's
    profile, contacts and addresses. Pool customers are edited by managers only."""
    if can_manage_account(user, account):
        return True
    if account.in_pool:
        return False
    if account.owner_id == user.pk:
        return True
    if account.owner_id is None and account.created_by_id == user.pk:
        return True
    return user.manages_team(account.team_id, assistant=True)


def can_follow_up(user: User, account: Account) -> bool:
    """Those who edit the customer, and those it is shared with."""
    return can_edit_account(user, account) or account.shares.filter(user=user).exists()


def can_decide_new_customer(user: User, account: Account) -> bool:
    """A manager over the team approves or rejects a customer waiting for approval."""
    return account.approval == Approval.PENDING and can_manage_account(user, account)


def can_request_terms(user: User, account: Account) -> bool:
    """Whoever edits the customer, and managers, ask for new terms of an approved customer
    (a pending one gets its terms set directly; a rejected one gets none)."""
    if account.approval != Approval.APPROVED:
        return False
    return can_edit_account(user, account) or user.has_role(Role.MANAGER, Role.ADMIN)


def can_decide_terms(user: User, request: TermsChangeRequest) -> bool:
    """The market manager over the customer's team, then finance."""
    if request.status == TermsChangeRequest.Status.MANAGER:
        return can_manage_account(user, request.account)
    if request.status == TermsChangeRequest.Status.FINANCE:
        return user.has_role(Role.FINANCE, Role.ADMIN)
    return False


def can_withdraw_terms(user: User, request: TermsChangeRequest) -> bool:
    """Whoever asked, or a manager over the customer, while the request is open."""
    return request.is_open and (request.requested_by_id == user.pk
                                or can_manage_account(user, request.account))


def can_decide_approvals(user: User) -> bool:
    """Who has an approvals inbox at all (new customers, terms changes)."""
    return user.has_role(*DECIDER_ROLES)


def can_claim(user: User, account: Account | None = None) -> bool:
    """Sales reps and managers take customers from the pool (``account``: this one)."""
    return user.has_role(*CLAIM_ROLES) and (account is None or account.in_pool)


def can_release(user: User, account: Account) -> bool:
    """Whoever edits a customer gives it back to the pool."""
    return not account.in_pool and can_edit_account(user, account)


def can_change_pool_policy(user: User) -> bool:
    return user.has_role(Role.ADMIN)
