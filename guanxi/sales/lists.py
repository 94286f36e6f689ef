"""The opportunity list in the shared list machinery (``guanxi.core.lists``): its columns,
and the bulk stage change, which goes through ``services.opportunities.move_stage`` row by
row (its edit permission and its rules — a lost deal needs a reason — refuse what they
refuse)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy

from guanxi.accounts.models import User
from guanxi.core import lists
from guanxi.sales.models import Opportunity, Stage
from guanxi.sales.selectors import opportunities as sel
from guanxi.sales.services import opportunities as svc

C = lists.ListColumn
COLUMNS = (
    C("name", gettext_lazy("Opportunity"), "name"),
    C("account", gettext_lazy("Customer")),
    C("stage", gettext_lazy("Stage")),
    C("amount", gettext_lazy("Amount"), "amount"),
    C("weighted", gettext_lazy("Weighted")),
    C("probability", gettext_lazy("Probability"), "probability"),
    C("close", gettext_lazy("Expected close"), "expected_close", "opp_close"),
    C("owner", gettext_lazy("Owner")),
    C("updated", gettext_lazy("Updated"), "updated_at"),
)


def _move(actor: User, opp: Opportunity, data: Mapping[str, Any]) -> None:
    svc.move_stage(actor, opp, opp.version, str(data["value"]))


def _stage_choices(user: User) -> list[tuple[Any, Any]]:
    """Open and won stages by key (a lost deal needs a reason: closed one by one)."""
    seen: dict[str, str] = {}
    for stage in Stage.objects.filter(active=True).exclude(kind="lost").order_by(
            "pipeline__position", "position", "id"):
        seen.setdefault(stage.key, stage.label)
    return list(seen.items())


def register() -> None:
    lists.register(lists.ListDefinition(
        key="opportunities", label=gettext_lazy("Opportunities"), model=Opportunity,
        select=sel.filter_opportunities, url_name="sales:opportunities", columns=COLUMNS,
        bulk_actions=(
            lists.BulkAction("stage", gettext_lazy("Change stage"), _move, needs="choice",
                             choices=_stage_choices, icon="signpost"),
        ),
        row_label=lambda o: o.name, choose_columns=False,
    ))
