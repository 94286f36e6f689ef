"""Pages of cases: the list (the shared filter selector), team queues sorted by SLA due with
"take next", the case page (history, replies, notes, SLA status) and its forms."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.core.access import get_visible
from guanxi.core.errors import DomainError, FieldErrors
from guanxi.core.forms import add_domain_error, bind_pickers
from guanxi.core.recent import remember
from guanxi.core.views import refusals_as_http
from guanxi.customers.selectors import visible_accounts, visible_contacts
from guanxi.service import forms as f
from guanxi.service import permissions as perms
from guanxi.service.models import Case, ServiceTeam
from guanxi.service.selectors import cases as sel
from guanxi.service.services import cases as services

PAGE = 50


def _require_service(request: HttpRequest) -> None:
    if not perms.can_see_service(request.user):
        raise PermissionDenied(_("The service pages are for service agents and managers."))


def _require_agent(request: HttpRequest) -> None:
    if not perms.is_agent(request.user):
        raise PermissionDenied(_("Only service agents may work on cases."))


@login_required
@refusals_as_http
def case_list(request: HttpRequest) -> HttpResponse:
    _require_service(request)
    errors: dict[str, list[str]] = {}
    try:
        filters = sel.parse_filters(request.GET)
    except FieldErrors as exc:
        errors, filters = exc.errors, {}
    try:
        offset = max(0, min(int(request.GET.get("offset") or 0), 10 ** 6))
    except ValueError:
        offset = 0
    qs = (sel.filter_cases(request.user, filters)
          .select_related("account", "assignee", "team").order_by("-created_at", "-id"))
    rows = list(qs[offset:offset + PAGE + 1])
    return render(request, "service/cases/list.html", {
        "rows": rows[:PAGE], "more": len(rows) > PAGE, "offset": offset,
        "next_offset": offset + PAGE, "filters": filters, "errors": errors,
        "statuses": Case.Status.choices, "kinds": Case.Kind.choices,
        "priorities": Case.Priority.choices, "slas": Case.Sla.choices,
        "teams": sel.teams(), "query": request.GET.urlencode(),
        "can_create": perms.can_create_case(request.user)})


@login_required
@refusals_as_http
def team_queue(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A team's open cases, SLA due soonest first; without a team, the user's own queue."""
    _require_service(request)
    team = get_visible(ServiceTeam.objects.all(), pk=pk) if pk is not None else None
    qs = sel.queue(request.user, team, mine=team is None).select_related("account",
                                                                         "assignee")
    return render(request, "service/cases/queue.html", {
        "team": team, "rows": list(qs[:PAGE]), "teams": sel.teams(),
        "can_take": team is not None and perms.is_agent(request.user)})


@require_POST
@login_required
@refusals_as_http
def take_next(request: HttpRequest, pk: int) -> HttpResponse:
    _require_agent(request)
    team = get_visible(ServiceTeam.objects.all(), pk=pk)
    case = services.take_next(request.user, team)
    if case is None:
        messages.info(request, _("Nobody is waiting in this queue."))
        return redirect("service:team_queue", pk=team.pk)
    messages.success(request, _("Case %(number)s is yours now.") % {"number": case.number})
    return redirect("service:case", pk=case.pk)


def _case_context(request: HttpRequest, case: Case, **forms: Any) -> dict[str, Any]:
    agent = perms.is_agent(request.user)
    from guanxi.service.services.cases import TRANSITIONS
    return {
        "case": case, "events": sel.history(case),
        "messages_list": sel.messages(case, internal=agent),
        "can_work": agent, "can_delete": perms.can_delete_case(request.user, case),
        "next_statuses": [(s, Case.Status(s).label) for s in TRANSITIONS.get(case.status, ())],
        "status_form": forms.get("status_form") or f.StatusForm(initial={
            "version": case.version, "resolution": case.resolution,
            "root_cause": case.root_cause}),
        "assign_form": forms.get("assign_form") or f.AssignForm(initial={
            "version": case.version, "assignee": case.assignee_id, "team": case.team_id}),
        "reply_form": forms.get("reply_form") or f.MessageForm(),
        "note_form": forms.get("note_form") or f.MessageForm(),
    }


@login_required
@refusals_as_http
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = sel.get_case(request.user, pk)
    remember(request, "case", case.pk, f"{case.number} {case.subject}", request.path)
    return render(request, "service/cases/detail.html", _case_context(request, case))


def _resolve_refs(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Ids from the form to records the user may see; a wrong one names its field."""
    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if data.get("account"):
        out["account"] = visible_accounts(request.user).filter(pk=data["account"]).first()
        if out["account"] is None:
            errors["account"] = [_("No such customer.")]
    if data.get("contact"):
        out["contact"] = visible_contacts(request.user).filter(pk=data["contact"]).first()
        if out["contact"] is None:
            errors["contact"] = [_("No such contact.")]
    if data.get("product"):
        from guanxi.orders.selectors.catalog import search_products
        out["product"] = search_products().filter(pk=data["product"]).first()
        if out["product"] is None:
            errors["product"] = [_("No such product.")]
    if errors:
        raise FieldErrors(errors)
    return out


@require_http_methods(["GET", "POST"])
@login_required
@refusals_as_http
def case_create(request: HttpRequest) -> HttpResponse:
    _require_agent(request)
    initial = {"account": request.GET.get("account") or None}
    form = f.CaseForm(request.POST or None, initial=initial)
    bind_pickers(form, request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            refs = _resolve_refs(request, data)
            case = services.create_case(
                request.user, subject=data["subject"], kind=data["kind"],
                channel=data["channel"], priority=data["priority"],
                description=data["description"], requester_email=data["requester_email"] or "",
                **refs)
            messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
            return redirect("service:case", pk=case.pk)
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(request, "service/cases/form.html", {"form": form, "case": None})


@require_http_methods(["GET", "POST"])
@login_required
@refusals_as_http
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_agent(request)
    case = sel.get_case(request.user, pk)
    form = f.CaseForm(request.POST or None, initial={
        "subject": case.subject, "kind": case.kind, "channel": case.channel,
        "priority": case.priority, "account": case.account_id, "contact": case.contact_id,
        "product": case.product_id, "description": case.description,
        "requester_email": case.requester_email, "version": case.version})
    form.fields["account"].disabled = True
    bind_pickers(form, request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            refs = _resolve_refs(request, {"contact": data["contact"],
                                           "product": data["product"]})
            services.update_case(request.user, case, data["version"],
                                 subject=data["subject"], kind=data["kind"],
                                 channel=data["channel"], priority=data["priority"],
                                 description=data["description"],
                                 contact=refs.get("contact"), product=refs.get("product"))
            messages.success(request, _("Case saved."))
            return redirect("service:case", pk=case.pk)
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(request, "service/cases/form.html", {"form": form, "case": case})


def _act(request: HttpRequest, pk: int, form_class: type, form_key: str,
         action: Any) -> HttpResponse:
    _require_agent(request)
    case = sel.get_case(request.user, pk)
    form = form_class(request.POST)
    status = 400
    if form.is_valid():
        try:
            action(case, form.cleaned_data)
            return redirect("service:case", pk=case.pk)
        except DomainError as exc:
            add_domain_error(form, exc)
            status = exc.status
            # Also on top: the form at fault may not be shown in the case's state.
            messages.error(request, exc.message)
    response = render(request, "service/cases/detail.html",
                      _case_context(request, case, **{form_key: form}))
    response.status_code = status
    return response


@require_POST
@login_required
@refusals_as_http
def case_status(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, f.StatusForm, "status_form", lambda case, d: (
        services.change_status(request.user, case, d["status"], d["version"], note=d["note"],
                               resolution=d["resolution"], root_cause=d["root_cause"])))


@require_POST
@login_required
@refusals_as_http
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, f.AssignForm, "assign_form", lambda case, d: services.assign(
        request.user, case, d["version"], assignee=d["assignee"], team=d["team"],
        note=d["note"]))


@require_POST
@login_required
@refusals_as_http
def case_reply(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, f.MessageForm, "reply_form", lambda case, d: services.reply(
        request.user, case, d["body"], to=d["to"] or ""))


@require_POST
@login_required
@refusals_as_http
def case_note(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, f.MessageForm, "note_form", lambda case, d: services.add_note(
        request.user, case, d["body"]))


@require_POST
@login_required
@refusals_as_http
def case_delete(request: HttpRequest, pk: int) -> HttpResponse:
    case = sel.get_case(request.user, pk)
    try:
        version = int(request.POST.get("version") or 0) or None
    except ValueError:
        version = None
    try:
        services.delete_case(request.user, case, version)
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from None
        messages.error(request, exc.message)
        return redirect("service:case", pk=case.pk)
    messages.success(request, _("Case %(number)s deleted.") % {"number": case.number})
    return redirect(reverse("service:cases"))
