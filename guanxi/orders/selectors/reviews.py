"""Reads of reviews: what waits for a person, a document's review history."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from guanxi.accounts.models import Role, User
from guanxi.orders.models import Review, ReviewStep


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
