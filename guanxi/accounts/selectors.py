"""Reads on users and teams."""

from __future__ import annotations

from django.db.models import QuerySet

from guanxi.accounts.models import ApiToken, Role, Team, User


def colleagues(user: User) -> QuerySet[User]:
    """Active users someone can hand a customer to or share it with."""
    return User.objects.filter(is_active=True).select_related("team").order_by("username")


def reps_in_scope(user: User) -> QuerySet[User]:
    qs = User.objects.filter(is_active=True, user_roles__role=Role.REP).distinct()
    if user.has_role(Role.ADMIN):
        return qs
    if user.team_id:
        return qs.filter(team_id__in=user.team_subtree_ids)
    return qs.filter(pk=user.pk)


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def teams() -> QuerySet[Team]:
    return Team.objects.all()
