"""What a user may do in marketing, one rule per action. Marketing staff and managers plan
segments and campaigns; administrators everything; executives read; a rep sees the responses
of their own customers (through the customer's 360° page)."""

from __future__ import annotations

from guanxi.accounts.models import Role, User

#: Who creates and edits segments and campaigns, and sends them.
PLAN_ROLES = (Role.MARKETING, Role.MANAGER, Role.ADMIN)
#: Who reads every campaign and its analysis.
READ_ROLES = (*PLAN_ROLES, Role.EXECUTIVE)


def can_plan(user: User) -> bool:
    return user.is_active and user.has_role(*PLAN_ROLES)


def can_view_campaigns(user: User) -> bool:
    return user.is_active and user.has_role(*READ_ROLES)


def can_edit_campaign(user: User, campaign: object) -> bool:
    """Marketing and administrators edit any campaign; a manager the ones they own."""
    if not user.is_active:
        return False
    if user.has_role(Role.MARKETING, Role.ADMIN):
        return True
    return user.has_role(Role.MANAGER) and getattr(campaign, "owner_id", None) == user.pk


def can_edit_segment(user: User, segment: object) -> bool:
    if not user.is_active:
        return False
    if user.has_role(Role.MARKETING, Role.ADMIN):
        return True
    return user.has_role(Role.MANAGER) and getattr(segment, "owner_id", None) == user.pk


def can_see_responses_of(user: User) -> bool:
    """Everyone who sees a customer sees its campaign responses on the 360° page (a rep's
    customers are the ones they see)."""
    return user.is_active


def can_work_campaign(user: User, campaign: object) -> bool:
    """Who works a phone campaign's call list and an event's check-in: marketing staff,
    managers, administrators, and the users the campaign names as its agents (reps who call
    their own customers)."""
    if not user.is_active:
        return False
    if user.has_role(*PLAN_ROLES):
        return True
    agents = (getattr(campaign, "options", None) or {}).get("agents") or []
    return user.pk in agents


#: Who sets up customer care (greeting rules, the holiday calendar) and SMS (provider account,
#: templates); managers and executives read them.
CARE_ROLES = (Role.MARKETING, Role.ADMIN)


def can_view_care(user: User) -> bool:
    return user.is_active and user.has_role(*READ_ROLES)


def can_manage_care(user: User) -> bool:
    return user.is_active and user.has_role(*CARE_ROLES)


def can_view_sms_settings(user: User) -> bool:
    return user.is_active and user.has_role(*READ_ROLES)


def can_manage_sms_settings(user: User) -> bool:
    return user.is_active and user.has_role(*CARE_ROLES)
