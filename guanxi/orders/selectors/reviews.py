"""Reads of reviews: what waits for a person, a document's review history."""

from __future__ import annotations

from typing import Any

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


def decides_any_step(user: User, review: Review) -> bool:
    """Is ``user`` named for, or holding the role of, any step of ``review``?"""
    roles = user.role_codes
    subtree = user.team_subtree_ids if Role.MANAGER in roles else []
    for step in review.steps.all():
        if step.approver_id:
            if step.approver_id == user.pk:
                return True
        elif step.approver_role in roles and (
                step.approver_role != Role.MANAGER or review.team_id is None
                or review.team_id in subtree):
            return True
    return False


def may_see(user: User, review: Review) -> bool:
    """The submitter, whoever decides any of its steps and whoever sees the document."""
    from guanxi.orders.services.reviews import registered

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.has_role(Role.ADMIN) or review.submitted_by_id == user.pk \
            or decides_any_step(user, review):
        return True
    model = registered(review.flow)
    if model is None:
        return False
    manager = model._default_manager
    qs = manager.visible_to(user) if hasattr(manager, "visible_to") else manager.none()
    return qs.filter(pk=review.subject_id).exists()


def get_review(user: User, pk: Any) -> Review:
    """One review ``user`` may see; 404 for missing and not visible alike."""
    from guanxi.core.errors import NotFound

    review = Review.objects.filter(pk=pk).select_related("team", "account", "submitted_by") \
        .prefetch_related("steps", "steps__approver", "steps__decided_by").first() \
        if str(pk).isdigit() else None
    if review is None or not may_see(user, review):
        raise NotFound()
    return review
