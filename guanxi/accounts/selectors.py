"""Reads on users and teams."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from guanxi.accounts.models import ApiToken, Role, Team, User


def colleagues(user: User) -> QuerySet[User]:
    """Active users someone can hand a customer to or share it with."""
    return User.objects.filter(is_active=True).select_related("team").order_by("username")


def administrators() -> QuerySet[User]:
    """Active administrators, oldest first: the admin role or a superuser (as in
    ``User.has_role``), so one made with ``createsuperuser`` counts."""
    return (User.objects.filter(Q(user_roles__role=Role.ADMIN) | Q(is_superuser=True),
                                is_active=True).distinct().order_by("pk"))


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
