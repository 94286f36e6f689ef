"""What a user may do in sales (leads, opportunities, the daily work), one rule per action.
Services enforce these rules; pages, the API and templates (``{% can "sales.…" %}``) only
ask them what to show. The rules answer for records the user already sees."""

from __future__ import annotations

from guanxi.accounts.models import Role, User
from guanxi.customers.models import Account
from guanxi.customers.permissions import can_edit_account
from guanxi.sales.models import Activity, Lead, Opportunity, SupportRequest, Task

#: Who may open an opportunity at all (finance, marketing, executives only read).
OPPORTUNITY_ROLES = (Role.REP, Role.ASSISTANT, Role.MANAGER, Role.FINDER, Role.ADMIN)
#: Who enters leads.
LEAD_ROLES = (Role.REP, Role.ASSISTANT, Role.MANAGER, Role.FINDER, Role.MARKETING, Role.ADMIN)
#: Who enters a lead for someone else (names its owner).
LEAD_FOR_OTHERS_ROLES = (Role.MANAGER, Role.ASSISTANT, Role.ADMIN)
#: Who writes the e-mail templates everyone uses.
TEMPLATE_ROLES = (Role.ADMIN, Role.MANAGER)
#: Who decides support requests (over their team).
SUPPORT_ROLES = (Role.MANAGER, Role.ADMIN)


# --- Opportunities -------------------------------------------------------------------------

def can_create_opportunity(user: User, account: Account | None = None) -> bool:
    """``account``: on this customer (not one merged into another)."""
    if account is not None and account.merged_into_id:
        return False
    return user.has_role(*OPPORTUNITY_ROLES)


def can_manage_opportunity(user: User, opportunity: Opportunity) -> bool:
    """A manager over the opportunity's team, or an administrator."""
    return user.manages_team(opportunity.team_id)


def can_edit_opportunity(user: User, opportunity: Opportunity) -> bool:
    """The owner, the customer's owner, managers over the opportunity's team, administrators.
    The rest of the selling team reads it."""
    if not user.is_authenticated or not user.is_active:
        return False
    if opportunity.owner_id == user.pk or can_manage_opportunity(user, opportunity):
        return True
    return opportunity.account.owner_id == user.pk


def on_selling_team(user: User, opportunity: Opportunity) -> bool:
    if user.pk in (opportunity.owner_id, opportunity.finder_id, opportunity.delivery_owner_id,
                   opportunity.collection_owner_id):
        return True
    return opportunity.members.filter(user=user).exists()


# --- Leads ---------------------------------------------------------------------------------

def can_create_lead(user: User) -> bool:
    return user.is_authenticated and user.has_role(*LEAD_ROLES)


def can_enter_lead_for_others(user: User) -> bool:
    return user.has_role(*LEAD_FOR_OTHERS_ROLES)


def can_manage_lead(user: User, lead: Lead) -> bool:
    """Administrators, and managers over the lead's team, hand leads out."""
    return user.manages_team(lead.team_id)


def can_edit_lead(user: User, lead: Lead) -> bool:
    """The owner, the team's manager or assistant, an administrator; whoever entered a lead
    until it has an owner."""
    if not user.is_authenticated or not user.is_active:
        return False
    if lead.owner_id == user.pk or user.manages_team(lead.team_id, assistant=True):
        return True
    return lead.owner_id is None and lead.created_by_id == user.pk


def can_configure(user: User) -> bool:
    """Pipelines, lead routing and web forms are the administrators'."""
    return user.has_role(Role.ADMIN)


# --- Daily work ----------------------------------------------------------------------------

def can_work_on(user: User, account: Account | None, opportunity: Opportunity | None = None,
                lead: Lead | None = None) -> bool:
    """Who logs activities, adds tasks and writes e-mails on a record: those who may edit the
    customer or it is shared with, the opportunity's selling team, the lead's owner or finder
    and the managers and assistants over their team."""
    if user.has_role(Role.ADMIN):
        return True
    if opportunity is not None and on_selling_team(user, opportunity):
        return True
    if account is not None and (can_edit_account(user, account)
                                or account.shares.filter(user=user).exists()):
        return True
    if lead is not None and account is None:
        if user.pk in (lead.owner_id, lead.finder_id):
            return True
        return lead.team_id is not None and user.manages_team(lead.team_id, assistant=True)
    return False


def can_change_activity(user: User, activity: Activity) -> bool:
    """The one who logged it, a manager over the customer, or an administrator."""
    if user.has_role(Role.ADMIN) or activity.owner_id == user.pk:
        return True
    return activity.account is not None and user.manages_team(activity.account.team_id)


def can_assign_task(user: User, assignee: User) -> bool:
    """Oneself; managers and sales assistants: anyone active in their team subtree."""
    if assignee.pk == user.pk:
        return True
    return assignee.is_active and user.manages_team(assignee.team_id, assistant=True)


def can_change_task(user: User, task: Task) -> bool:
    if user.pk in (task.assignee_id, task.created_by_id):
        return True
    return user.manages_team(task.assignee.team_id, assistant=True)


def can_decide_support_requests(user: User) -> bool:
    """Who has a support-request inbox at all."""
    return user.has_role(*SUPPORT_ROLES)


def can_decide_support(user: User, request: SupportRequest) -> bool:
    """A manager over the requester's team, or an administrator."""
    requester = request.requested_by
    if requester is None:
        return user.has_role(Role.ADMIN)
    return user.manages_team(requester.team_id)


def can_withdraw_support(user: User, request: SupportRequest) -> bool:
    return request.requested_by_id == user.pk


def can_edit_email_templates(user: User) -> bool:
    return user.has_role(*TEMPLATE_ROLES)


TARGET_ROLES = (Role.EXECUTIVE, Role.ADMIN)


def can_set_targets(user: User) -> bool:
    """The boss and administrators set the company's monthly targets."""
    return user.has_role(*TARGET_ROLES)


def can_see_targets(user: User) -> bool:
    return user.has_role(Role.EXECUTIVE, Role.ADMIN, Role.MANAGER)
