"""Reads of opportunities: the one scoped queryset and the queries built on it."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from guanxi.accounts.models import Role, User

READ_ALL_ROLES = (Role.ADMIN, Role.EXECUTIVE, Role.FINANCE)
TEAM_ROLES = (Role.MANAGER, Role.ASSISTANT)


def opportunity_scope(user: User, prefix: str = "") -> Q | None:
    """Everyone on the selling team (owner, finder, delivery and collection owners,
    supporting members), the customer's owner, and managers/assistants over their team
    subtree; None means everything."""
    from guanxi.sales.models import OpportunityMember

    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.has_role(*READ_ALL_ROLES):
        return None
    p = prefix
    member = OpportunityMember.objects.filter(
        opportunity=OuterRef(f"{p}id" if p else "pk"), user=user)
    q = (Q(**{f"{p}owner": user}) | Q(**{f"{p}finder": user})
         | Q(**{f"{p}delivery_owner": user}) | Q(**{f"{p}collection_owner": user})
         | Q(**{f"{p}created_by": user}) | Q(**{f"{p}account__owner": user})
         | Q(Exists(member)))
    if user.has_role(*TEAM_ROLES) and user.team_id:
        q |= Q(**{f"{p}team_id__in": user.team_subtree_ids})
    return q
