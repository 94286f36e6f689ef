"""Reads of opportunities: the one scoped queryset and the queries built on it (list filters,
the kanban board, a person's work list)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from guanxi.accounts.models import Role, User
from guanxi.core.access import get_visible
from guanxi.core.filters import Param, parse

if TYPE_CHECKING:  # the models import this module
    from guanxi.sales.models import Opportunity

READ_ALL_ROLES = (Role.ADMIN, Role.EXECUTIVE, Role.FINANCE)
TEAM_ROLES = (Role.MANAGER, Role.ASSISTANT)
# Won and lost columns of the board show what closed recently, not all history.
CLOSED_COLUMN_DAYS = 30
BOARD_CARDS = 20


def visible_ids(user: User) -> QuerySet | None:
    """The ids of the opportunities ``user`` may see, as one subquery; None means all.

    Everyone on the selling team (owner, finder, delivery and collection owners, supporting
    members), whoever entered it, the customer's owner, and managers/assistants over their
    team subtree. A UNION of indexed lookups: both databases collect the ids from the indexes
    instead of testing an OR of seven conditions (one a join) on every opportunity."""
    from guanxi.customers.models import Account
    from guanxi.sales.models import Opportunity, OpportunityMember

    if not user.is_authenticated or not user.is_active:
        return Opportunity.objects.none().values("pk")
    if user.has_role(*READ_ALL_ROLES):
        return None
    ids = Opportunity.objects.order_by().values("pk")
    parts: list[QuerySet[Any, Any]] = [ids.filter(**{role: user}) for role in (
        "owner", "finder", "delivery_owner", "collection_owner", "created_by")]
    parts.append(ids.filter(account_id__in=Account.objects.filter(owner=user).values("pk")))
    parts.append(OpportunityMember.objects.filter(user=user).order_by().values(
        "opportunity_id"))
    if user.has_role(*TEAM_ROLES) and user.team_id:
        parts.append(ids.filter(team_id__in=user.team_subtree_ids))
    return parts[0].union(*parts[1:])


def opportunity_scope(user: User, prefix: str = "") -> Q | None:
    """The condition limiting opportunities to what ``user`` may see (``visible_ids``);
    None means everything."""
    ids = visible_ids(user)
    return None if ids is None else Q(**{f"{prefix}pk__in": ids})


def visible_opportunities(user: User) -> QuerySet[Opportunity]:
    from guanxi.sales.models import Opportunity

    return Opportunity.objects.visible_to(user)


def get_opportunity(user: User, pk: Any):
    return get_visible(visible_opportunities(user).select_related(
        "account", "account__owner", "pipeline", "stage", "owner", "team", "finder",
        "delivery_owner", "collection_owner", "contact"), pk=pk)


def quarter_bounds(today: dt.date) -> tuple[dt.date, dt.date]:
    first_month = (today.month - 1) // 3 * 3 + 1
    start = today.replace(month=first_month, day=1)
    end_month = first_month + 3
    end = dt.date(today.year + (end_month > 12), (end_month - 1) % 12 + 1, 1)
    return start, end - dt.timedelta(days=1)


def month_bounds(today: dt.date) -> tuple[dt.date, dt.date]:
    start = today.replace(day=1)
    nxt = dt.date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    return start, nxt - dt.timedelta(days=1)


OPPORTUNITY_FILTERS = (
    Param("q"), Param("pipeline", "int"), Param("stage", "int"),
    Param("status", "choice", ("open", "won", "lost", "all"), default="open"),
    Param("owner", "user", choices=("team",)),
    Param("closing", "choice", ("month", "quarter")),
    Param("account", "int", aliases=("account_id",)),
)


def filter_opportunities(user: User, filters: Mapping[str, Any],
                         today: dt.date | None = None) -> QuerySet:
    """The visible opportunities matching the list filters, for the page, the API and the
    export alike: pipeline, stage, status (open — the default —, won, lost or all), owner
    (``me``, ``team`` or a user id), closing (``month`` or ``quarter``), account, q (start
    of the opportunity's name, or the customer by name, pinyin, initials or phone)."""
    f = parse(filters, OPPORTUNITY_FILTERS)
    qs = visible_opportunities(user)
    today = today or timezone.localdate()
    if "pipeline" in f:
        qs = qs.filter(pipeline_id=f["pipeline"])
    if "stage" in f:
        qs = qs.filter(stage_id=f["stage"])
    if f["status"] != "all":
        qs = qs.filter(stage__kind=f["status"])
    owner = f.get("owner")
    if owner == "me":
        qs = qs.filter(owner=user)
    elif owner == "team":
        qs = qs.filter(team_id__in=user.team_subtree_ids or [0])
    elif owner is not None:
        qs = qs.filter(owner_id=owner)
    closing = f.get("closing")
    if closing:
        start, end = month_bounds(today) if closing == "month" else quarter_bounds(today)
        qs = qs.filter(expected_close__range=(start, end))
    if "account" in f:
        qs = qs.filter(account_id=f["account"])
    if q := f.get("q"):
        from guanxi.sales.selectors.search import opportunity_match

        qs = qs.filter(opportunity_match(user, q, accounts=50))
    return qs


# --- The kanban board ----------------------------------------------------------------------

@dataclass
class Column:
    stage: Any
    count: int = 0
    amount: Decimal = Decimal("0")
    cards: list = field(default_factory=list)
    next: str | None = None

    @property
    def weighted(self) -> Decimal:
        return (self.amount * self.stage.probability / Decimal(100)).quantize(Decimal("0.01"))


def board_queryset(user: User, pipeline, owner: str | None = None,
                   now: dt.datetime | None = None, probe: bool = False) -> QuerySet:
    """What the board shows: open opportunities of the pipeline, and those won or lost in
    the last CLOSED_COLUMN_DAYS days.

    ``probe``: test each row's id against the visible set instead of starting from that set
    (``id + 0`` is not indexable, so the database walks the stage index newest first and
    stops after one page of cards; starting from the visible ids would read and sort all of
    them for every column)."""
    from guanxi.sales.models import Opportunity

    now = now or timezone.now()
    if owner == "me":
        # Owners always see their own: no need for the whole rule.
        qs: QuerySet[Opportunity] = Opportunity.objects.filter(is_active=True, owner=user)
    elif probe and (ids := visible_ids(user)) is not None:
        qs = Opportunity.objects.filter(is_active=True).alias(
            probe=F("pk") + 0).filter(probe__in=ids)
    else:
        qs = visible_opportunities(user)
    qs = qs.filter(pipeline=pipeline)
    if owner == "team":
        qs = qs.filter(team_id__in=user.team_subtree_ids or [0])
    since = now - dt.timedelta(days=CLOSED_COLUMN_DAYS)
    return qs.filter(Q(closed_at__isnull=True) | Q(closed_at__gte=since))


def board_totals(qs: QuerySet) -> dict[int, tuple[int, Decimal]]:
    """Count and amount per stage: one GROUP BY."""
    rows = qs.order_by().values("stage_id").annotate(n=Count("id"), total=Sum("amount"))
    return {r["stage_id"]: (r["n"], r["total"] or Decimal("0")) for r in rows}


def column_cards(qs: QuerySet, stage_id: int, cursor: str | None = None,
                 limit: int = BOARD_CARDS) -> tuple[list, str | None]:
    """The latest cards of one column (by last change), keyset-paged."""
    from guanxi.core.selectors import keyset_page

    page = keyset_page(qs.filter(stage_id=stage_id).select_related("account", "owner"),
                       "-updated_at", cursor, limit)
    return page.items, page.next


def board(user: User, pipeline, owner: str | None = None, limit: int = BOARD_CARDS,
          now: dt.datetime | None = None) -> list[Column]:
    """Columns = the pipeline's active stages in order; a constant number of queries: the
    stages, one GROUP BY for the totals, and one indexed read per column."""
    totals = board_totals(board_queryset(user, pipeline, owner, now))
    cards = board_queryset(user, pipeline, owner, now, probe=True)
    columns = []
    for stage in pipeline.stages.filter(active=True):
        count, amount = totals.get(stage.pk, (0, Decimal("0")))
        column = Column(stage=stage, count=count, amount=amount)
        if count:
            column.cards, column.next = column_cards(cards, stage.pk, None, limit)
        columns.append(column)
    return columns


# --- My work -------------------------------------------------------------------------------

MY_ROLES = ("owner", "finder", "delivery_owner", "collection_owner", "member")


def my_work(user: User, include_closed: bool = False, limit: int = 200) -> dict[str, list]:
    """Opportunities where ``user`` is on the selling team, grouped by their role there (an
    opportunity appears under each role the user holds)."""
    from guanxi.sales.models import Opportunity

    # Closing soonest first, undated last. Sorting on an expression keeps the database from
    # walking the whole close-date index looking for this person's few rows.
    soonest = Coalesce("expected_close", Value(dt.date.max))
    base = Opportunity.objects.filter(is_active=True).select_related(
        "account", "stage", "owner").order_by(soonest.asc(), "-id")
    if not include_closed:
        base = base.filter(closed_at__isnull=True)
    # "id IN (ids by role)": the role's own index finds the rows even when most
    # opportunities have no finder, which makes the planner's statistics call it useless.
    ids = Opportunity.objects.order_by().values("pk")
    groups: dict[str, list] = {}
    for role in MY_ROLES[:4]:
        groups[role] = list(base.filter(pk__in=ids.filter(**{role: user}))[:limit])
    groups["member"] = list(base.filter(members__user=user).annotate(
        member_role=F("members__role"))[:limit])
    return groups


def account_opportunity(user: User, account: Any, value: Any):
    """The opportunity ``value`` (one, or its id) of ``account`` if ``user`` may see it, else
    None: how other apps check the opportunity a document is linked to."""
    pk = getattr(value, "pk", value)
    if not str(pk).isdigit():
        return None
    return visible_opportunities(user).filter(pk=pk, account=account).first()


def visible_opportunity(user: User, value: Any):
    """The opportunity ``value`` (one, or its id) if ``user`` may see it, else None."""
    pk = getattr(value, "pk", value)
    if not str(pk).isdigit():
        return None
    return visible_opportunities(user).filter(pk=pk).first()


def won_of_accounts_between(account_ids: list[int], since: dt.datetime,
                            until: dt.datetime) -> list[dict[str, Any]]:
    """Opportunities of the customers won (closed in a won stage) in the period: account,
    closing time and amount. For attributing a win to what came before it (a campaign)."""
    from guanxi.sales.models import Opportunity, Stage

    return list(Opportunity.objects.filter(
        account_id__in=account_ids, stage__kind=Stage.Kind.WON, closed_at__gte=since,
        closed_at__lte=until).order_by("closed_at", "id").values("account_id", "closed_at",
                                                                 "amount"))
