"""What a user may do in customer analytics, one rule per action. Services and selectors
enforce them; pages and templates (``{% can "analytics.…" %}``) only ask."""

from __future__ import annotations

from guanxi.accounts.models import Role, User

#: Who sees the dashboard and the runs (each within their customer scope).
ANALYST_ROLES = (Role.EXECUTIVE, Role.ADMIN, Role.MANAGER, Role.MARKETING)
#: Who starts an analysis run.
RUN_ROLES = (Role.ADMIN, Role.EXECUTIVE)
#: Who imports purchase transactions.
IMPORT_ROLES = (Role.ADMIN, Role.FINANCE)


def can_see_analytics(user: User) -> bool:
    return user.has_role(*ANALYST_ROLES)


def can_run_analysis(user: User) -> bool:
    return user.has_role(*RUN_ROLES)


def can_import_transactions(user: User) -> bool:
    return user.has_role(*IMPORT_ROLES)


def can_change_settings(user: User) -> bool:
    return user.has_role(Role.ADMIN)
