"""Who sees which commercial document: one rule for pages, API, search, exports and reports.

Finance, executives and administrators see everything (finance owns receivables). Everyone
else sees the documents of the customers they may see (the customer scope), the documents
they own or entered, those of their team subtree if they manage or assist it, and the orders
and invoices they deliver or collect. Expense claims are narrower: the claimant, the managers
over the claimant's team and the customer's owner. Whoever takes part in a document's review
sees it too."""

from __future__ import annotations

from django.db.models import Model, Q

from guanxi.accounts.models import Role, User

READ_ALL_ROLES = (Role.ADMIN, Role.EXECUTIVE, Role.FINANCE)
TEAM_ROLES = (Role.MANAGER, Role.ASSISTANT)


def document_scope(user: User, model: type[Model], prefix: str = "") -> Q | None:
    """The condition limiting ``model``'s rows to what ``user`` may see; None means all."""
    from guanxi.customers.models import Account
    from guanxi.orders.models import ExpenseClaim, Invoice, SalesOrder

    p = prefix
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.has_role(*READ_ALL_ROLES):
        return None
    team_ids = user.team_subtree_ids if user.has_role(*TEAM_ROLES) and user.team_id else []
    if model is ExpenseClaim:
        q = Q(**{f"{p}claimant": user}) | Q(**{f"{p}account__owner": user})
        if user.has_role(Role.MANAGER) and team_ids:
            q |= Q(**{f"{p}team_id__in": team_ids})
        return q | _in_review(user, model, p)
    q = (Q(**{f"{p}owner": user}) | Q(**{f"{p}created_by": user})
         | Q(**{f"{p}account_id__in": Account.objects.visible_to(user).values("pk")}))
    if team_ids:
        q |= Q(**{f"{p}team_id__in": team_ids})
    if model is SalesOrder:
        q |= Q(**{f"{p}delivery_owner": user}) | Q(**{f"{p}collection_owner": user})
    if model is Invoice:
        q |= Q(**{f"{p}collection_owner": user}) | Q(**{f"{p}order__delivery_owner": user})
    return q | _in_review(user, model, p)


def _in_review(user: User, model: type[Model], p: str) -> Q:
    """Documents whose review has a step for ``user`` (named, by a role they hold, or decided
    by them): a technical or legal reviewer who does not otherwise see the customer still
    sees what waits for them. Managers decide over their team, which they see anyway."""
    from guanxi.orders.models import ReviewStep
    from guanxi.orders.models.reviews import Flow

    flow = {"quote": Flow.QUOTE, "contract": Flow.CONTRACT, "salesorder": Flow.ORDER,
            "expenseclaim": Flow.EXPENSE}.get(model._meta.model_name or "")
    if flow is None:
        return Q(pk__in=[])
    roles = [r for r in user.role_codes if r != Role.MANAGER]
    steps = ReviewStep.objects.filter(review__flow=flow).filter(
        Q(approver=user) | Q(decided_by=user) | Q(approver__isnull=True, approver_role__in=roles))
    return Q(**{f"{p}pk__in": steps.values("review__subject_id")})


