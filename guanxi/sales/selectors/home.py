"""What the home page shows of sales, per role: a rep's own pipeline, a manager's team pipeline
and forecast for the quarter, and the team's activity of the last week."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Q, Sum
from django.utils import timezone

from guanxi.accounts.models import Role, User
from guanxi.sales.models import Activity, Opportunity, Stage
from guanxi.sales.selectors.opportunities import quarter_bounds, visible_opportunities
from guanxi.sales.selectors.work import visible_activities

MONEY: DecimalField = DecimalField(max_digits=20, decimal_places=2)
ZERO = Decimal("0")
TEAM_ROLES = (Role.MANAGER, Role.ADMIN, Role.EXECUTIVE)
ACTIVITY_ROWS = 6


def _pipeline(qs, today: dt.date) -> dict[str, Any]:
    start, end = quarter_bounds(today)
    open_q = Q(closed_at__isnull=True)
    won_q = Q(stage__kind=Stage.Kind.WON, closed_at__date__gte=start,
              closed_at__date__lte=end)
    in_quarter = open_q & Q(expected_close__gte=start, expected_close__lte=end)
    sums = qs.order_by().aggregate(
        open_n=Count("id", filter=open_q), open_amount=Sum("amount", filter=open_q),
        weighted=Sum(F("amount") * F("probability") / 100, filter=open_q, output_field=MONEY),
        quarter_weighted=Sum(F("amount") * F("probability") / 100, filter=in_quarter,
                             output_field=MONEY),
        won=Sum("amount", filter=won_q), won_n=Count("id", filter=won_q))
    out = {key: (value if value is not None else ZERO) for key, value in sums.items()}
    out["forecast"] = out["won"] + out["quarter_weighted"]
    out["quarter_start"], out["quarter_end"] = start, end
    return out


def my_pipeline(user: User, today: dt.date | None = None) -> dict[str, Any]:
    """The user's own opportunities: open ones and what they weigh, won this quarter."""
    today = today or timezone.localdate()
    return _pipeline(visible_opportunities(user).filter(owner=user), today)


def team_pipeline(user: User, today: dt.date | None = None) -> dict[str, Any] | None:
    """Managers (and the boss): every opportunity they see, the quarter's forecast (won plus
    weighted open closing in it); None for anyone else."""
    if not user.has_role(*TEAM_ROLES):
        return None
    today = today or timezone.localdate()
    return _pipeline(visible_opportunities(user), today)


def team_activity(user: User, now: dt.datetime | None = None) -> dict[str, Any] | None:
    """Managers: what their people did in the last seven days (done activities) and by whom."""
    if not user.has_role(Role.MANAGER, Role.ADMIN):
        return None
    now = now or timezone.now()
    week = visible_activities(user).filter(status=Activity.Status.DONE,
                                           starts_at__gte=now - dt.timedelta(days=7),
                                           starts_at__lte=now)
    by_owner = list(week.order_by().values("owner_id", "owner__display_name",
                                           "owner__username")
                    .annotate(n=Count("id")).order_by("-n", "owner_id")[:5])
    return {"count": week.count(),
            "by_owner": [{"name": r["owner__display_name"] or r["owner__username"] or "—",
                          "n": r["n"]} for r in by_owner],
            "latest": list(week.order_by("-starts_at", "-id")[:ACTIVITY_ROWS])}


def is_seller(user: User) -> bool:
    return user.has_role(Role.REP, Role.ASSISTANT, Role.FINDER) or \
        Opportunity.objects.filter(owner=user, closed_at__isnull=True).exists()
