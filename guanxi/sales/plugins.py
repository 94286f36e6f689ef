"""What sales puts into the lower layers' plug-in points, from ``SalesConfig.ready()``: its
cards on the customer's 360° page and the home page, its global search providers, its event
types, the record types automation rules can act on, and its inbound mail handler."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.models import Role
from guanxi.core import navigation
from guanxi.core.automation import AutomationTarget, register_target
from guanxi.core.events import register_event_types
from guanxi.core.inbound_mail import register_handler
from guanxi.core.panels import Panel, count_of
from guanxi.core.pickers import Choice, PickerKind, by_id
from guanxi.core.pickers import register as register_picker
from guanxi.customers.pages import account_page, home_page
from guanxi.customers.search_providers import CustomerAction, SearchProvider, register_action
from guanxi.customers.search_providers import register as register_search
from guanxi.sales import navigation as sales_navigation
from guanxi.sales import permissions as perms
from guanxi.sales.selectors import home, work
from guanxi.sales.selectors.opportunities import visible_opportunities
from guanxi.sales.selectors.search import search_leads, search_opportunities
from guanxi.sales.services.inbound import log_reply

EVENT_TYPES = {
    "sales.lead.created": _("Lead created"),
    "sales.lead.updated": _("Lead updated"),
    "sales.lead.assigned": _("Lead assigned"),
    "sales.lead.converted": _("Lead converted"),
    "sales.lead.disqualified": _("Lead disqualified"),
    "sales.opportunity.created": _("Opportunity created"),
    "sales.opportunity.updated": _("Opportunity updated"),
    "sales.opportunity.stage_changed": _("Opportunity stage changed"),
    "sales.activity.created": _("Activity logged"),
    "sales.task.created": _("Task created"),
    "sales.task.done": _("Task done"),
    "sales.email.sent": _("E-mail sent to a customer"),
    "sales.email.received": _("E-mail received from a customer"),
}
OPPORTUNITIES_SHOWN = 10
# Asked after service (cases) and marketing (campaign replies, bounces): a reply they thread
# is theirs; what answers an e-mail sent from a customer's record is logged here.
INBOUND_MAIL_ORDER = 90


# --- The customer's 360° page and the home page -----------------------------------------------

def load_opportunities(request: HttpRequest, account: Any) -> dict[str, Any]:
    """The customer's open opportunities the user may see, latest first."""
    user = request.user
    rows = list(visible_opportunities(user).filter(account=account, closed_at__isnull=True)
                .select_related("stage", "owner")
                .order_by("-updated_at", "-id")[:OPPORTUNITIES_SHOWN + 1])
    return {"opps": {
        "rows": rows[:OPPORTUNITIES_SHOWN], "more": len(rows) > OPPORTUNITIES_SHOWN,
        "can_create": perms.can_create_opportunity(user, account)
        and account.approval != "rejected"}}


def _account_work(request: HttpRequest, account: Any) -> dict[str, Any]:
    """The customer's open work, read once per request for the cards that show it."""
    cache = request.__dict__.setdefault("_sales_account_work", {})
    if account.pk not in cache:
        cache[account.pk] = work.account_work(request.user, account)
    return cache[account.pk]


def load_work(request: HttpRequest, account: Any) -> dict[str, Any]:
    """Open tasks, upcoming activities and pending support requests of the customer."""
    return {"work": _account_work(request, account),
            "can_work": perms.can_work_on(request.user, account)}


def load_next(request: HttpRequest, account: Any) -> dict[str, Any]:
    """The next thing to do for the customer: its soonest open task or planned activity."""
    found = _account_work(request, account)
    task = found["tasks"][0] if found["tasks"] else None
    visit = found["upcoming"][0] if found["upcoming"] else None
    if task and visit:
        if visit.starts_at < task.due_at:
            task = None
        else:
            visit = None
    return {"next_task": task, "next_visit": visit, "record_query": f"account={account.pk}"}


def load_today(request: HttpRequest, user: Any) -> dict[str, Any]:
    return {"counts": work.today_counts(user)}


def load_pipeline(request: HttpRequest, user: Any) -> dict[str, Any]:
    """A seller's own pipeline; a manager's team pipeline, forecast and team activity."""
    return {"pipeline": {"mine": home.my_pipeline(user) if home.is_seller(user) else None,
                         "team": home.team_pipeline(user),
                         "activity": home.team_activity(user)}}


def sells_or_leads(user: Any, _obj: Any) -> bool:
    return user.has_role(Role.REP, Role.ASSISTANT, Role.FINDER, Role.MANAGER, Role.ADMIN,
                         Role.EXECUTIVE)


def works_in_sales(user: Any, _obj: Any) -> bool:
    return user.has_role(Role.REP, Role.ASSISTANT, Role.FINDER, Role.MANAGER)


PANELS = (
    (account_page, Panel("sales.actions", "sales/_account_actions.html", slot="actions",
                         order=10, visible=perms.can_work_on)),
    (account_page, Panel("sales.opportunities", "sales/_account_opportunities.html",
                         slot="main", order=20, load=load_opportunities,
                         tab=_("Opportunities"), count=lambda user: count_of(
                             visible_opportunities(user).filter(closed_at__isnull=True)))),
    (account_page, Panel("sales.work", "sales/_account_work.html", slot="side", order=10,
                         load=load_work)),
    (account_page, Panel("sales.next", "sales/_next_action.html", slot="next", order=10,
                         load=load_next)),
    (home_page, Panel("sales.today", "sales/_home_today.html", slot="sections", order=10,
                      load=load_today, visible=works_in_sales)),
    # Right after the day's tasks: the pipeline is what a rep and a manager read first.
    (home_page, Panel("sales.pipeline", "sales/_home_pipeline.html", slot="sections",
                      order=12, load=load_pipeline, visible=sells_or_leads)),
)

# --- Global search ----------------------------------------------------------------------------

SEARCH_PROVIDERS = (
    SearchProvider(
        name="sales.opportunities", kinds=("opportunity",), order=30,
        search=lambda user, q, limit, kinds: search_opportunities(user, q, limit),
        label=_("Opportunities"),
        dropdown_template="sales/search/_opportunities_dropdown.html",
        page_template="sales/search/_opportunities_page.html"),
    SearchProvider(
        name="sales.leads", kinds=("lead",), order=40,
        search=lambda user, q, limit, kinds: search_leads(user, q, limit),
        label=_("Leads"),
        dropdown_template="sales/search/_leads_dropdown.html",
        page_template="sales/search/_leads_page.html"),
)

OPPORTUNITY_PICKER = PickerKind(
    key="opportunity", label=_("Opportunity"),
    search=lambda user, q, limit, params: [
        Choice(id=h.id, label=h.name, detail=h.detail, url=h.url)
        for h in search_opportunities(user, q, limit)],
    find=lambda user, raw: by_id(visible_opportunities(user).select_related("account"), raw),
    describe=lambda o: Choice(id=o.pk, label=o.name, detail=o.account.name),
    placeholder=_("Name, or the customer's name or pinyin"))

ACTIONS = (
    CustomerAction(
        name="sales.new_opportunity", label=_("New opportunity for %(customer)s"),
        icon="bi-graph-up-arrow", order=20, keywords=("商机", "新建商机", "opportunity", "opp"),
        url=lambda account: reverse("sales:opportunity_create") + f"?account={account.pk}",
        allowed=lambda user, account: perms.can_create_opportunity(user, account)),
    CustomerAction(
        name="sales.new_task", label=_("New task for %(customer)s"), icon="bi-check2-square",
        order=30, keywords=("任务", "新建任务", "task"),
        url=lambda account: reverse("sales:task_create") + f"?account={account.pk}",
        allowed=lambda user, account: perms.can_work_on(user, account)),
)

# --- Automation -------------------------------------------------------------------------------

TARGETS = (
    AutomationTarget(key="sales.lead", label=_("Lead"), model="sales.Lead",
                     url=lambda lead: reverse("sales:lead_detail", args=[lead.pk])),
    AutomationTarget(key="sales.opportunity", label=_("Opportunity"), model="sales.Opportunity",
                     url=lambda o: reverse("sales:opportunity", args=[o.pk]),
                     values={"stage": (_("stage"), lambda o: o.stage.key)}),
    AutomationTarget(key="sales.task", label=_("Task"), model="sales.Task",
                     url=lambda _task: reverse("sales:tasks")),
)


def register() -> None:
    from guanxi.core import approvals
    from guanxi.sales import approval_items

    approvals.register(approval_items.PROVIDER)
    from guanxi.core.audit_display import register_pages

    register_pages({"sales.opportunity": "sales:opportunity", "sales.lead": "sales:lead_detail",
                    "sales.activity": "sales:activity_detail"})
    for registry, panel in PANELS:
        registry.register(panel)
    for provider in SEARCH_PROVIDERS:
        register_search(provider)
    register_picker(OPPORTUNITY_PICKER)
    for action in ACTIONS:
        register_action(action)
    register_event_types(EVENT_TYPES)
    navigation.register(*sales_navigation.ITEMS)
    for target in TARGETS:
        register_target(target)
    register_handler("sales.replies", log_reply, order=INBOUND_MAIL_ORDER)
