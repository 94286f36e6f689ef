"""What service puts into the lower layers' plug-in points, from ``ServiceConfig.ready()``:
the cases card and open items on the customer's 360° page, the service section of the home
page, the case search provider (Ctrl-K finds a case by its number), event types and the case as
an automation target, and the inbound mail handler. The installed base adds its assets and
service records cards, the asset search provider (serial number, VIN), the asset and the
service record as automation targets, and its reaction to deliveries (delivered units join the
installed base)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guanxi.core import navigation
from guanxi.core.automation import AutomationTarget, register_target
from guanxi.core.events import register_event_types, subscribe
from guanxi.core.panels import Panel, count_of
from guanxi.core.pickers import Choice, PickerKind, by_id
from guanxi.core.pickers import register as register_picker
from guanxi.customers.pages import account_page, home_page
from guanxi.customers.search_providers import (
    CustomerAction,
    SearchHit,
    SearchProvider,
    register_action,
)
from guanxi.customers.search_providers import register as register_search
from guanxi.service import navigation as service_navigation
from guanxi.service import permissions as perms

EVENT_TYPES = {
    "service.case.created": _("Case created"),
    "service.case.updated": _("Case updated"),
    "service.case.status_changed": _("Case status changed"),
    "service.case.assigned": _("Case assigned"),
    "service.case.replied": _("Case reply sent"),
    "service.case.mail_received": _("E-mail received on a case"),
    "service.case.sla_near": _("Case SLA due soon"),
    "service.case.sla_breached": _("Case SLA breached"),
    "service.asset.created": _("Asset registered"),
    "service.asset.delivered": _("Asset delivered"),
    "service.asset.updated": _("Asset changed"),
    "service.asset.coverage_added": _("Warranty coverage added"),
    "service.record.created": _("Service record added"),
    "service.article.created": _("Knowledge-base article written"),
    "service.article.updated": _("Knowledge-base article changed"),
    "service.survey.answered": _("Satisfaction survey answered"),
}


def load_cases(request: HttpRequest, account: Any) -> dict[str, Any]:
    from guanxi.service.selectors.cases import account_cases
    return {"service_cases": account_cases(request.user, account),
            "can_create_case": perms.can_create_case(request.user, account)}


def load_open_items(request: HttpRequest, account: Any) -> dict[str, Any]:
    from guanxi.service.selectors.cases import account_open_items
    return {"service_open": account_open_items(request.user, account)}


def load_home(request: HttpRequest, user: Any) -> dict[str, Any]:
    from guanxi.service.selectors.cases import breaches_soon, queue
    mine = queue(user, mine=True).select_related("account")
    return {"service_home": {"mine": list(mine[:8]), "mine_count": mine.count(),
                             "soon": list(breaches_soon(user).select_related("account")[:8])}}


def load_assets(request: HttpRequest, account: Any) -> dict[str, Any]:
    from guanxi.service.selectors.assets import account_assets
    return {"assets": account_assets(request.user, account.pk)}


def load_records(request: HttpRequest, account: Any) -> dict[str, Any]:
    from guanxi.service.selectors.assets import account_records
    return {"records": account_records(request.user, account.pk)}


def _count_cases(user: Any) -> Any:
    from guanxi.service.selectors.cases import visible_cases
    return count_of(visible_cases(user))


PANELS = (
    (account_page, Panel("service.cases", "service/account/cases.html", slot="main", order=40,
                         load=load_cases, tab=_("Service cases"), count=_count_cases)),
    (account_page, Panel("service.open_items", "service/account/open_items.html",
                         slot="open_items", order=30, load=load_open_items)),
    (home_page, Panel("service.home", "service/_home.html", slot="sections", order=15,
                      load=load_home, visible=lambda user, _obj: perms.is_agent(user))),
    (account_page, Panel("service.assets", "service/account/assets.html", slot="main",
                         order=42, load=load_assets, tab=_("Assets"))),
    (account_page, Panel("service.records", "service/account/records.html", slot="main",
                         order=43, load=load_records, tab=_("Service records"))),
)


def _search(user: Any, q: str, limit: int, kinds: tuple[str, ...]) -> list[SearchHit]:
    from guanxi.service.selectors.cases import search_cases
    return [SearchHit(kind="case", id=c.pk, name=c.number, detail=c.subject,
                      url=reverse("service:case", args=[c.pk]), field="number",
                      account_id=c.account_id or 0,
                      account_name=c.account.name if c.account_id else c.requester_email)
            for c in search_cases(user, q, limit)]


SEARCH = SearchProvider(name="service.cases", kinds=("case",), order=25, search=_search,
                        label=_("Service cases"),
                        dropdown_template="service/search/_dropdown.html",
                        page_template="service/search/_page.html")

def _search_assets(user: Any, q: str, limit: int, kinds: tuple[str, ...]) -> list[SearchHit]:
    from guanxi.service.selectors.assets import search_assets
    return search_assets(user, q, limit)


ASSET_SEARCH = SearchProvider(
    name="service.assets", kinds=("asset",), order=26, search=_search_assets,
    label=_("Assets (serial number, VIN)"),
    dropdown_template="service/search/_assets_dropdown.html",
    page_template="service/search/_assets_page.html")

def _pick_cases(user: Any, q: str, limit: int, params: Any) -> list[Choice]:
    from guanxi.service.selectors.cases import search_cases
    return [Choice(id=c.pk, label=f"{c.number} {c.subject}",
                   detail=c.account.name if c.account_id else c.requester_email,
                   url=reverse("service:case", args=[c.pk]))
            for c in search_cases(user, q, limit)]


def _find_case(user: Any, raw: Any) -> Any:
    from guanxi.service.selectors.cases import visible_cases
    return by_id(visible_cases(user), raw) or visible_cases(user).filter(number=raw).first()


CASE_PICKER = PickerKind(key="case", label=_("Service case"), search=_pick_cases,
                         find=_find_case,
                         describe=lambda c: Choice(id=c.pk, label=f"{c.number} {c.subject}"),
                         placeholder=_("Number, subject or the customer's name"))

NEW_CASE = CustomerAction(
    name="service.new_case", label=_("New case for %(customer)s"), icon="bi-headset",
    order=40, keywords=("工单", "新建工单", "case"),
    url=lambda account: reverse("service:case_create") + f"?account={account.pk}",
    allowed=lambda user, account: perms.can_create_case(user, account))

TARGETS = (
    AutomationTarget(key="service.case", label=_("Service case"), model="service.Case",
                     url=lambda c: reverse("service:case", args=[c.pk]),
                     hidden=frozenset({"sla_anchor_at", "response_budget",
                                       "resolution_budget"})),
    AutomationTarget(key="service.asset", label=_("Asset"), model="service.Asset",
                     url=lambda a: reverse("service:asset", args=[a.pk])),
    AutomationTarget(key="service.record", label=_("Service record"),
                     model="service.ServiceRecord",
                     url=lambda r: reverse("service:asset", args=[r.asset_id])),
)


def _register_exports() -> None:
    from guanxi.core.exports import ListExport, field_columns
    from guanxi.core.exports import register as register_export
    from guanxi.service.models import Asset, ServiceRecord
    from guanxi.service.selectors.assets import filter_assets, filter_records

    register_export(ListExport(
        "assets", _("Assets"), Asset, filter_assets, field_columns(Asset, (
            "account", "product", "serial_number", "vin", "engine_number", "plate",
            "mileage", "quantity", "purchase_date", "selling_dealer", "status")),
        related=("account", "product", "selling_dealer"), order_by=("-id",)))
    register_export(ListExport(
        "service_records", _("Service records"), ServiceRecord, filter_records,
        field_columns(ServiceRecord, (
            "account", "asset", "station", "technician", "case", "performed_on",
            "failure_on", "mileage", "work_done", "labour_hours", "labour_amount",
            "warranty_claim", "warranty_decision", "covered_amount", "billed_amount")),
        related=("account", "asset", "station", "technician", "case"),
        order_by=("-performed_on", "-id")))


def _register_analytics() -> None:
    """Satisfaction onto the executive dashboard and into the KPIs over time; warranty parts
    and labour off the customers' profit."""
    from guanxi.analytics import contributions
    from guanxi.service.selectors.analytics import (
        satisfaction_by_month,
        satisfied_share,
        service_cost_by_account,
    )

    contributions.register_satisfaction_source(
        "service.satisfaction", _("Service analytics"), satisfaction_by_month,
        url=lambda: reverse("service:analytics"))
    contributions.register_kpi(contributions.Kpi(
        "service.satisfied", _("Satisfied customers (CSAT 4–5)"), satisfied_share))
    contributions.register_cost_source(
        "service.warranty", _("Warranty parts and labour"),
        lambda start, until: service_cost_by_account(None, start, until))


def register() -> None:
    """Service's cards, timeline kinds, search providers, events and automation targets."""
    from guanxi.core.audit_display import register_pages

    register_pages({"service.case": "service:case", "service.asset": "service:asset",
                    "service.article": "service:article"})
    from guanxi.service import inbound
    navigation.register(*service_navigation.ITEMS)
    for registry, panel in PANELS:
        registry.register(panel)
    register_search(SEARCH)
    register_search(ASSET_SEARCH)
    register_picker(CASE_PICKER)
    register_action(NEW_CASE)
    register_event_types(EVENT_TYPES)
    for target in TARGETS:
        register_target(target)
    inbound.register()
    from guanxi.service.services.assets import on_event
    subscribe(on_event)
    _register_exports()
    _register_analytics()
    from guanxi.service import timeline_assets
    timeline_assets.register()
    from guanxi.service.services.surveys import on_case_event
    subscribe(on_case_event, in_transaction=True)
