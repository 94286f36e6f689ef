"""Lead pages: list, detail (score explained, routing history), enter, edit, hand to a rep,
disqualify and convert. Settings pages (routing rules, web forms) are in ``lead_settings``,
the public form in ``webforms``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from guanxi.accounts.models import User
from guanxi.accounts.selectors import reps_in_scope
from guanxi.core.access import get_visible
from guanxi.core.errors import DomainError, FieldErrors, Forbidden, NotFound
from guanxi.core.forms import add_domain_error
from guanxi.core.pages import done, page_template, posted
from guanxi.core.views import refusals_as_http
from guanxi.customers.models import Account
from guanxi.sales import permissions as perms
from guanxi.sales.models import Lead
from guanxi.sales.selectors import leads as selectors
from guanxi.sales.services import conversion
from guanxi.sales.services import leads as services
from guanxi.sales.views import lead_settings, webforms
from guanxi.sales.views.lead_forms import (
    AssignForm,
    ConvertForm,
    DisqualifyForm,
    LeadFilterForm,
    LeadForm,
)
from guanxi.sales.views.lead_history import history_rows, score_rows

PAGE_SIZE = 50


def _lead(request: HttpRequest, pk: int) -> Lead:
    return get_visible(selectors.visible_leads(request.user).select_related(
        "owner", "team", "finder", "account", "web_form", "created_by"), pk=pk)


def _detail_url(lead: Lead) -> str:
    return reverse("sales:lead_detail", args=[lead.pk])


def _fail(form, exc: DomainError) -> int:
    if isinstance(exc, Forbidden | NotFound):
        raise exc
    add_domain_error(form, exc)
    return exc.status


@login_required
@refusals_as_http
def lead_list(request: HttpRequest) -> HttpResponse:
    form = LeadFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    try:
        qs = selectors.filter_leads(request.user, request.GET)
    except FieldErrors as exc:
        messages.error(request, exc.message)
        qs = selectors.visible_leads(request.user).none()
    sort = "-score" if request.GET.get("sort") == "score" else "-created_at"
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    start = (page - 1) * PAGE_SIZE
    rows = list(qs.select_related("owner").order_by(sort, "-id")[start:start + PAGE_SIZE + 1])
    context = {
        "form": form, "rows": rows[:PAGE_SIZE], "has_next": len(rows) > PAGE_SIZE,
        "page": page, "sort": sort, "filtered": any(data.values()),
        "can_enter": perms.can_create_lead(request.user),
        "first": start + 1, "last": start + len(rows[:PAGE_SIZE]),
    }
    template = "sales/leads/_table.html" \
        if request.htmx and request.htmx.target == "lead-table" else "sales/leads/list.html"
    return render(request, template, context)


@login_required
@refusals_as_http
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _lead(request, pk)
    user = request.user
    duplicates = selectors.lead_duplicates(phone=lead.phone, email=lead.email,
                                           company=lead.company, exclude_id=lead.pk) \
        if lead.is_open else {"leads": [], "customers": []}
    return render(request, "sales/leads/detail.html", {
        "lead": lead, "score_rows": score_rows(lead),
        "history": history_rows(lead),
        "activities": list(lead.activities.select_related("owner")[:20]),
        "tasks": list(lead.tasks.select_related("assignee")[:20]),
        "duplicates": duplicates,
        "can_edit": perms.can_edit_lead(user, lead),
        "can_assign": lead.is_open and perms.can_manage_lead(user, lead),
    })


@require_http_methods(["GET", "POST"])
@login_required
@refusals_as_http
def lead_create(request: HttpRequest) -> HttpResponse:
    if not perms.can_create_lead(request.user):
        raise PermissionDenied(_("Your role cannot enter leads."))
    form = LeadForm(posted(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                lead = services.create_lead(request.user, form.service_data())
            except DomainError as exc:
                status = _fail(form, exc)
            else:
                messages.success(request, _("Lead “%(lead)s” entered.") % {"lead": lead})
                return done(request, _detail_url(lead))
    return render(request, "sales/leads/form.html",
                  {"form": form, "title": _("New lead"), "action": reverse("sales:lead_create"),
                   "submit": _("Enter lead")}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@refusals_as_http
def lead_edit(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _lead(request, pk)
    if not perms.can_edit_lead(request.user, lead):
        raise PermissionDenied(_("You cannot edit this lead."))
    form = LeadForm(posted(request), instance=lead)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.update_lead(request.user, lead, form.service_data(),
                                     form.cleaned_data["version"] or 0)
            except DomainError as exc:
                status = _fail(form, exc)
            else:
                messages.success(request, _("Lead saved."))
                return done(request, _detail_url(lead))
    return render(request, "sales/leads/form.html",
                  {"form": form, "lead": lead, "title": _("Edit lead"),
                   "action": reverse("sales:lead_edit", args=[lead.pk]),
                   "submit": _("Save")}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@refusals_as_http
def lead_assign(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _lead(request, pk)
    if not (lead.is_open and perms.can_manage_lead(request.user, lead)):
        raise PermissionDenied(_("Only the team's manager can hand out leads."))
    users = reps_in_scope(request.user).order_by("username")
    form = AssignForm(posted(request), users=users,
                      initial={"version": lead.version, "owner": lead.owner_id})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.assign_lead(request.user, lead, form.cleaned_data["owner"],
                                     form.cleaned_data["version"])
            except DomainError as exc:
                status = _fail(form, exc)
            else:
                messages.success(request, _("Lead handed to %(owner)s.")
                                 % {"owner": lead.owner})
                return done(request, _detail_url(lead))
    return render(request, "core/small_form.html", {
        "base": page_template(request), "form": form, "title": _("Hand to a rep"),
        "action": reverse("sales:lead_assign", args=[lead.pk]), "submit": _("Hand over")},
        status=status)


@require_http_methods(["GET", "POST"])
@login_required
@refusals_as_http
def lead_disqualify(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _lead(request, pk)
    if not (lead.is_open and perms.can_edit_lead(request.user, lead)):
        raise PermissionDenied(_("You cannot disqualify this lead."))
    form = DisqualifyForm(posted(request), initial={"version": lead.version})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.disqualify_lead(request.user, lead, form.cleaned_data["reason"],
                                         form.cleaned_data["version"])
            except DomainError as exc:
                status = _fail(form, exc)
            else:
                messages.success(request, _("Lead disqualified."))
                return done(request, _detail_url(lead))
    return render(request, "core/small_form.html", {
        "base": page_template(request), "form": form, "title": _("Disqualify lead"),
        "action": reverse("sales:lead_disqualify", args=[lead.pk]),
        "submit": _("Disqualify")}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@refusals_as_http
def lead_convert(request: HttpRequest, pk: int) -> HttpResponse:
    """Convert, showing the customers the lead may already be; the user picks one of them or
    confirms a new customer."""
    lead = _lead(request, pk)
    user: User = request.user
    if not (lead.is_open and perms.can_edit_lead(user, lead)):
        raise PermissionDenied(_("You cannot convert this lead."))
    form = ConvertForm(posted(request), initial={"version": lead.version}, user=user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                account = data.get("customer") or (
                    get_visible(Account.objects.visible_to(user), pk=data["account"])
                    if data["account"] else None)
                conversion.convert_lead(user, lead, data["version"], account=account,
                                        force=bool(data["force"]),
                                        opportunity_name=data["opportunity_name"])
            except NotFound:
                form.add_error(None, _("Choose one of the customers shown."))
            except DomainError as exc:
                status = _fail(form, exc)
            else:
                messages.success(request, _("Lead converted: customer, contact and "
                                            "opportunity created."))
                return done(request, reverse("customers:detail",
                                             args=[lead.converted_account_id]))
    matches = selectors.lead_duplicates(phone=lead.phone, email=lead.email,
                                        company=lead.company or lead.name)["customers"]
    visible = set(Account.objects.visible_to(user).filter(
        pk__in=[m.account.pk for m in matches]).values_list("pk", flat=True))
    return render(request, "sales/leads/convert.html", {
        "lead": lead, "form": form, "matches": matches, "visible": visible,
        "version": lead.version}, status=status)


urls: list = [
    path("leads/", lead_list, name="lead_list"),
    path("leads/new/", lead_create, name="lead_create"),
    path("leads/<int:pk>/", lead_detail, name="lead_detail"),
    path("leads/<int:pk>/edit/", lead_edit, name="lead_edit"),
    path("leads/<int:pk>/assign/", lead_assign, name="lead_assign"),
    path("leads/<int:pk>/disqualify/", lead_disqualify, name="lead_disqualify"),
    path("leads/<int:pk>/convert/", lead_convert, name="lead_convert"),
    *lead_settings.urls,
    *webforms.urls,
]
