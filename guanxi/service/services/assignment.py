"""Where a new case goes: assignment rules as data, round robin inside a team, manual
reassignment and "take next" from a team's queue."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from guanxi.accounts.models import User
from guanxi.service.models import AssignmentRule, Case, ServiceTeam


def matching_rule(case: Case) -> AssignmentRule | None:
    """The first active rule (by position) whose every non-empty condition fits ``case``."""
    code = case.product.code if case.product_id and case.product else ""
    for rule in AssignmentRule.objects.filter(active=True).select_related("team", "assignee"):
        if rule.kind and rule.kind != case.kind:
            continue
        if rule.product_line and not code.upper().startswith(rule.product_line.upper()):
            continue
        if rule.province and rule.province != case.province:
            continue
        if rule.customer_class and rule.customer_class != case.customer_class:
            continue
        return rule
    return None


def next_in_rotation(team: ServiceTeam) -> User | None:
    """The team's next agent after the one who got the last case (by id, active only); the
    team row is locked while it turns, so two cases at once go to two agents."""
    with transaction.atomic():
        locked = ServiceTeam.objects.select_for_update().get(pk=team.pk)
        members = list(locked.members.filter(is_active=True).order_by("pk"))
        if not members:
            return None
        after = [m for m in members if locked.last_assignee_id and m.pk > locked.last_assignee_id]
        chosen = after[0] if after else members[0]
        ServiceTeam.objects.filter(pk=team.pk).update(last_assignee=chosen)
        team.last_assignee = chosen
        return chosen


def route(case: Case) -> dict[str, Any]:
    """Team and assignee for a new case from the rules; nothing when no rule fits."""
    rule = matching_rule(case)
    if rule is None:
        return {}
    assignee = rule.assignee if rule.assignee_id else next_in_rotation(rule.team)
    return {"team": rule.team, "assignee": assignee}
