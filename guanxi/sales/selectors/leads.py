"""Reads of leads: the one scoped queryset and the queries built on it."""

from __future__ import annotations

from django.db.models import Q

from guanxi.accounts.models import Role, User

READ_ALL_ROLES = (Role.ADMIN, Role.EXECUTIVE, Role.MARKETING)
TEAM_ROLES = (Role.MANAGER, Role.ASSISTANT)


def lead_scope(user: User) -> Q | None:
    """Own, found, created, and (managers, assistants) the team subtree; None: everything."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.has_role(*READ_ALL_ROLES):
        return None
    q = Q(owner=user) | Q(finder=user) | Q(created_by=user)
    if user.has_role(*TEAM_ROLES) and user.team_id:
        q |= Q(team_id__in=user.team_subtree_ids)
    return q
