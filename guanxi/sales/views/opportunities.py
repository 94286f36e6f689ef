"""Pages: the opportunity list, the kanban board, the opportunity page with its stage path and
team, create/edit forms, closing won or lost, and "My work".

Each view reads through the scoped selectors (404 for missing and not visible alike), calls
one service and answers; refusals show at the field.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.core.errors import DomainError, FieldErrors, Forbidden, NotFound
from guanxi.core.forms import add_domain_error
from guanxi.core.list_pages import ListState
from guanxi.core.pages import done, page_template, posted
from guanxi.core.recent import remember
from guanxi.core.selectors import keyset_page
from guanxi.core.templatetags.guanxi_ui import money
from guanxi.core.views import refusals_as_http
from guanxi.customers.selectors import find_account
from guanxi.sales import permissions as perms
from guanxi.sales.models import LossReason, Opportunity, Pipeline, Stage
from guanxi.sales.pages import opportunity_page
from guanxi.sales.selectors import opportunities as sel
from guanxi.sales.selectors import work
from guanxi.sales.services import opportunities as svc
from guanxi.sales.views import pipelines
from guanxi.sales.views.opportunity_forms import (
    CloseForm,
    ListFilterForm,
    MemberForm,
    OpportunityForm,
    TeamRoleForm,
)

PAGE_SIZE = 50


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


# --- List ----------------------------------------------------------------------------------

@login_required
@refusals_as_http
def opportunity_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    state = ListState.read(request, "opportunities")
    params = state.params
    form = ListFilterForm(params or None)
    data = dict(form.cleaned_data) if form.is_bound and form.is_valid() else {}
    sort, desc = form.sort_key() if form.is_bound else ("updated", True)
    # Open deals unless asked otherwise (the selector's default, as in the API and export).
    try:
        qs = sel.filter_opportunities(user, params)
    except FieldErrors as exc:
        messages.error(request, exc.message)
        qs = sel.visible_opportunities(user).none()
    counted = qs
    qs = qs.select_related("account", "stage", "owner")
    try:
        page = keyset_page(qs, ("-" if desc else "") + ListFilterForm.SORTS[sort],
                           data.get("after") or None, PAGE_SIZE)
    except FieldErrors as exc:
        messages.error(request, exc.message)
        page = keyset_page(qs, "-updated_at", None, PAGE_SIZE)
    context = state.context(request, counted) | {
        "form": form, "rows": page.items, "next_cursor": page.next,
        "sort": sort, "desc": desc, "current_sort": ("-" if desc else "") + sort,
        "paged": bool(data.get("after")),
        "filtered": state.filtered,
        "can_create": perms.can_create_opportunity(user),
        "totals": _totals(page.items),
    }
    if request.htmx and request.htmx.target == "opportunity-table":
        return render(request, "sales/opportunities/_table.html", context)
    return render(request, "sales/opportunities/list.html", context)


def _totals(rows: list[Opportunity]) -> dict[str, Decimal]:
    return {"amount": sum((o.amount for o in rows), Decimal("0")),
            "weighted": sum((o.weighted_amount for o in rows), Decimal("0"))}


# --- Board ---------------------------------------------------------------------------------

def _pipeline(pk: int | None) -> Pipeline:
    if pk is None:
        return svc.default_pipeline()
    pipeline = Pipeline.objects.filter(pk=pk, active=True).first()
    if pipeline is None:
        raise NotFound()
    return pipeline


@login_required
@refusals_as_http
def board(request: HttpRequest, pipeline: int | None = None) -> HttpResponse:
    user = request.user
    current = _pipeline(pipeline)
    owner = request.GET.get("owner") if request.GET.get("owner") in ("me", "team") else None
    columns = sel.board(user, current, owner=owner)
    return render(request, "sales/opportunities/board.html", {
        "pipeline": current, "pipelines": Pipeline.objects.filter(active=True),
        "columns": columns, "owner": owner or "",
        "loss_reasons": LossReason.choices, "closed_days": sel.CLOSED_COLUMN_DAYS,
        "can_create": perms.can_create_opportunity(user),
    })


@login_required
@refusals_as_http
def board_column(request: HttpRequest, pipeline: int, stage: int) -> HttpResponse:
    """The next cards of one column ("more")."""
    current = _pipeline(pipeline)
    column_stage = current.stages.filter(pk=stage, active=True).first()
    if column_stage is None:
        raise NotFound()
    owner = request.GET.get("owner") if request.GET.get("owner") in ("me", "team") else None
    qs = sel.board_queryset(request.user, current, owner, probe=True)
    try:
        cards, cursor = sel.column_cards(qs, stage, request.GET.get("after") or None)
    except FieldErrors:
        cards, cursor = sel.column_cards(qs, stage, None)
    return render(request, "sales/opportunities/_column_cards.html", {
        "cards": cards, "column": {"stage": column_stage, "next": cursor},
        "pipeline": current, "owner": owner or ""})


@login_required
@refusals_as_http
def card(request: HttpRequest, pk: int) -> HttpResponse:
    opp = sel.get_opportunity(request.user, pk)
    return render(request, "sales/opportunities/_card.html", {"opp": opp})


# --- Detail --------------------------------------------------------------------------------

@login_required
@refusals_as_http
def opportunity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    opp = sel.get_opportunity(user, pk)
    remember(request, "opportunity", opp.pk, f"{opp.name} · {opp.account.name}", request.path)
    stages = list(opp.pipeline.stages.filter(active=True) | opp.pipeline.stages.filter(
        pk=opp.stage_id))
    passed = True
    for stage in stages:
        stage.is_current = stage.pk == opp.stage_id
        stage.is_passed = passed and not stage.is_current and stage.kind == Stage.Kind.OPEN
        if stage.is_current:
            passed = False
    history = list(opp.stage_changes.select_related("from_stage", "to_stage", "by")
                   .order_by("-at", "-id")[:50])
    members = list(opp.members.select_related("user", "user__team").order_by("added_at"))
    return render(request, "sales/opportunities/detail.html", {
        **work.next_for_opportunity(user, opp), "record_query": f"opportunity={opp.pk}",
        "opp": opp, "stages": stages, "history": history, "members": members,
        "can_edit": perms.can_edit_opportunity(user, opp),
        "team": [(role, label, getattr(opp, role)) for role, label in TeamRoleForm.ROLES],
        "opportunity": opp, "panels": opportunity_page.bind(request, opp),
    })


# --- Create and edit -----------------------------------------------------------------------

@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def opportunity_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not perms.can_create_opportunity(user):
        raise PermissionDenied(_("Your role cannot open opportunities."))
    account = find_account(request.user, request.GET.get("account"))
    if request.GET.get("account") and account is None:
        raise NotFound()
    form = OpportunityForm(posted(request), account=account, user=user)
    if request.method == "POST" and form.is_valid():
        target = account or form.cleaned_data.get("customer")
        if target is None:
            form.add_error("customer", _("No customer you can see has this name or number."))
        else:
            try:
                opp = svc.create_opportunity(user, target, form.service_data())
            except (Forbidden, NotFound):
                raise
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Opportunity opened."))
                return done(request, reverse("sales:opportunity", args=[opp.pk]))
    return render(request, "sales/opportunities/form.html", {
        "base": page_template(request), "form": form, "account": account, "creating": True,
        "action": request.get_full_path(), "title": _("New opportunity"),
        "submit": _("Open opportunity")})


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def opportunity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    opp = sel.get_opportunity(user, pk)
    if not perms.can_edit_opportunity(user, opp):
        raise PermissionDenied(_("Only the owner, the customer's owner or a manager of the "
                                 "team can change this opportunity."))
    form = OpportunityForm(posted(request), opp=opp)
    if request.method == "POST" and form.is_valid():
        try:
            svc.update_opportunity(user, opp, form.cleaned_data.get("version"),
                                   form.service_data())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return done(request, reverse("sales:opportunity", args=[opp.pk]))
    return render(request, "sales/opportunities/form.html", {
        "base": page_template(request), "form": form, "opp": opp, "account": opp.account,
        "action": reverse("sales:opportunity_edit", args=[opp.pk]),
        "title": _("Edit opportunity"), "submit": _("Save")})


# --- Moving and closing --------------------------------------------------------------------

def _board_totals(user, opp: Opportunity, owner: str | None) -> dict[str, Any]:
    owner = owner if owner in ("me", "team") else None
    totals = sel.board_totals(sel.board_queryset(user, opp.pipeline, owner))
    return {str(pk): {"count": n, "amount": money(amount, 0)}
            for pk, (n, amount) in totals.items()}


@login_required
@refusals_as_http
@require_POST
def opportunity_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move to a stage: from the board (JSON answer with the new column totals) or from the
    stage path on the opportunity page (redirect)."""
    user = request.user
    opp = sel.get_opportunity(user, pk)
    version = request.POST.get("version")
    try:
        svc.move_stage(user, opp, int(version) if str(version).isdigit() else None,
                       request.POST.get("stage", ""),
                       loss_reason=request.POST.get("loss_reason") or None,
                       loss_note=request.POST.get("loss_note", ""))
    except Forbidden:
        if _wants_json(request):
            return JsonResponse({"detail": _("Only the owner, the customer's owner or a "
                                             "manager of the team can move this card.")},
                                status=403)
        raise
    except NotFound:
        raise
    except DomainError as exc:
        if _wants_json(request):
            return JsonResponse(exc.as_dict(), status=exc.status)
        messages.error(request, exc.message)
        return redirect("sales:opportunity", pk=opp.pk)
    if _wants_json(request):
        return JsonResponse({"version": opp.version, "stage": opp.stage_id,
                             "totals": _board_totals(user, opp, request.POST.get("owner"))})
    messages.success(request, _("Moved to %(stage)s.") % {"stage": opp.stage.label})
    return redirect("sales:opportunity", pk=opp.pk)


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def opportunity_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    opp = sel.get_opportunity(user, pk)
    if not perms.can_edit_opportunity(user, opp):
        raise PermissionDenied(_("Only the owner, the customer's owner or a manager of the "
                                 "team can change this opportunity."))
    outcome = request.GET.get("outcome") if request.GET.get("outcome") in ("won", "lost") \
        else "won"
    form = CloseForm(posted(request), initial={"outcome": outcome, "version": opp.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        stage = opp.pipeline.stages.filter(kind=data["outcome"], active=True).first()
        try:
            svc.move_stage(user, opp, data["version"], stage or "",
                           loss_reason=data["loss_reason"] or None,
                           loss_note=data["loss_note"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Opportunity closed."))
            return done(request, reverse("sales:opportunity", args=[opp.pk]))
    return render(request, "sales/opportunities/close.html", {
        "base": page_template(request), "form": form, "opp": opp,
        "action": reverse("sales:opportunity_close", args=[opp.pk]),
        "title": _("Close won or lost"), "submit": _("Close opportunity")})


# --- Team ----------------------------------------------------------------------------------

def _editable(request: HttpRequest, pk: int) -> Opportunity:
    opp = sel.get_opportunity(request.user, pk)
    if not perms.can_edit_opportunity(request.user, opp):
        raise PermissionDenied(_("Only the owner, the customer's owner or a manager of the "
                                 "team can change the selling team."))
    return opp


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def team_role(request: HttpRequest, pk: int) -> HttpResponse:
    opp = _editable(request, pk)
    role = request.GET.get("role", "owner")
    form = TeamRoleForm(posted(request), actor=request.user, initial={
        "role": role, "version": opp.version,
        "user": getattr(opp, f"{role}_id", None) if role in svc.TEAM_ROLES else None})
    return _team_form(
        request, opp, form,
        lambda d: svc.set_team_role(request.user, opp, d["version"], d["role"], d["user"]),
        saved=_("Selling team updated."), url_name="sales:opportunity_team",
        title=_("Selling team"), submit=_("Save"))


def _team_form(request: HttpRequest, opp, form, save, *, saved: str, url_name: str,
               title: str, submit: str) -> HttpResponse:
    """The small selling-team forms: save, errors at the field, back to the opportunity."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, saved)
            return done(request, reverse("sales:opportunity", args=[opp.pk]))
    return render(request, "sales/opportunities/small_form.html", {
        "base": page_template(request), "form": form, "opp": opp,
        "action": reverse(url_name, args=[opp.pk]), "title": title, "submit": submit})


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    opp = _editable(request, pk)
    form = MemberForm(posted(request), actor=request.user)
    return _team_form(
        request, opp, form,
        lambda d: svc.add_member(request.user, opp, d["user"], d["role"]),
        saved=_("Added to the selling team."), url_name="sales:opportunity_member_add",
        title=_("Add a supporting member"), submit=_("Add"))


@login_required
@refusals_as_http
@require_POST
def member_remove(request: HttpRequest, pk: int, user_id: int) -> HttpResponse:
    opp = _editable(request, pk)
    svc.remove_member(request.user, opp, user_id)
    messages.success(request, _("Removed from the selling team."))
    return done(request, reverse("sales:opportunity", args=[opp.pk]))


# --- My work -------------------------------------------------------------------------------

@login_required
@refusals_as_http
def my_work(request: HttpRequest) -> HttpResponse:
    closed = request.GET.get("closed") == "1"
    groups = sel.my_work(request.user, include_closed=closed)
    labels = dict(TeamRoleForm.ROLES) | {"member": _("Supporting member")}
    return render(request, "sales/opportunities/my_work.html", {
        "groups": [(role, labels[role], rows) for role, rows in groups.items()],
        "closed": closed, "total": sum(len(rows) for rows in groups.values()),
    })


# The pipeline administration pages ride along: one list for guanxi/sales/urls.py to include.
urls: list = [
    *pipelines.urls,
    path("opportunities/", opportunity_list, name="opportunities"),
    path("opportunities/new/", opportunity_create, name="opportunity_create"),
    path("opportunities/board/", board, name="board"),
    path("opportunities/board/<int:pipeline>/", board, name="board_pipeline"),
    path("opportunities/board/<int:pipeline>/stages/<int:stage>/", board_column,
         name="board_column"),
    path("opportunities/mine/", my_work, name="my_work"),
    path("opportunities/<int:pk>/", opportunity_detail, name="opportunity"),
    path("opportunities/<int:pk>/edit/", opportunity_edit, name="opportunity_edit"),
    path("opportunities/<int:pk>/card/", card, name="opportunity_card"),
    path("opportunities/<int:pk>/move/", opportunity_move, name="opportunity_move"),
    path("opportunities/<int:pk>/close/", opportunity_close, name="opportunity_close"),
    path("opportunities/<int:pk>/team/", team_role, name="opportunity_team"),
    path("opportunities/<int:pk>/members/new/", member_add, name="opportunity_member_add"),
    path("opportunities/<int:pk>/members/<int:user_id>/remove/", member_remove,
         name="opportunity_member_remove"),
]
