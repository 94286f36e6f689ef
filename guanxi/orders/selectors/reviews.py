"""Reads of reviews: what waits for a person, a document's review history."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from guanxi.accounts.models import Role, User
from guanxi.orders.models import Review, ReviewStep
from guanxi.orders.permissions import can_see_review


def waiting_for(user: User) -> QuerySet[ReviewStep]:
    """Steps waiting for ``user``'s decision: named for them, or for a role they hold (managers:
    only over their team subtree). Administrators see every waiting step."""
    steps = ReviewStep.objects.filter(status=ReviewStep.Status.WAITING,
                                      review__status=Review.Status.PENDING) \
        .select_related("review", "review__account", "review__submitted_by", "approver")
    if user.has_role(Role.ADMIN):
        return steps
    roles = [r for r in user.role_codes if r != Role.MANAGER]
    q = Q(approver=user) | Q(approver__isnull=True, approver_role__in=roles)
    if user.has_role(Role.MANAGER):
        q |= Q(approver__isnull=True, approver_role=Role.MANAGER) & (
            Q(review__team__isnull=True) | Q(review__team_id__in=user.team_subtree_ids))
    return steps.filter(q).exclude(review__submitted_by=user)


def reviews_of(flow: str, subject_id: int) -> QuerySet[Review]:
    return Review.objects.filter(flow=flow, subject_id=subject_id).prefetch_related(
        "steps", "steps__decided_by", "steps__approver")


def waiting_count(user: User) -> int:
    """The navigation badge: waiting steps for ``user``. A step waits only while its review is
    pending, so the count reads the step indexes (status, role) and (status, approver)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    steps = ReviewStep.objects.filter(status=ReviewStep.Status.WAITING)
    if user.has_role(Role.ADMIN):
        return steps.count()
    roles = [r for r in user.role_codes if r != Role.MANAGER]
    q = Q(approver=user) | Q(approver__isnull=True, approver_role__in=roles)
    if user.has_role(Role.MANAGER):
        q |= Q(approver__isnull=True, approver_role=Role.MANAGER) & (
            Q(review__team__isnull=True) | Q(review__team_id__in=user.team_subtree_ids))
    return steps.filter(q).exclude(review__submitted_by=user).count()


def submitted_by(user: User) -> QuerySet[Review]:
    return Review.objects.filter(submitted_by=user).select_related("account").prefetch_related(
        "steps", "steps__approver", "steps__decided_by")


def get_review(user: User, pk: Any) -> Review:
    """One review ``user`` may see; 404 for missing and not visible alike."""
    from guanxi.core.errors import NotFound

    review = Review.objects.filter(pk=pk).select_related("team", "account", "submitted_by") \
        .prefetch_related("steps", "steps__approver", "steps__decided_by").first() \
        if str(pk).isdigit() else None
    if review is None or not can_see_review(user, review):
        raise NotFound()
    return review
