"""Pages: log or plan an activity (a modal from the customer, opportunity and lead pages),
its detail and edit, quick complete and cancel, and the support requests of key-account
campaign plans (the managers' inbox and the reps' own requests)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.core.access import get_visible
from guanxi.core.approval_views import inbox_url
from guanxi.core.errors import DomainError, Forbidden
from guanxi.core.forms import add_domain_error
from guanxi.core.pages import done, page_template, posted
from guanxi.core.views import refusals_as_http
from guanxi.customers.models import Account
from guanxi.sales import permissions as perms
from guanxi.sales.models import Activity, Lead, Opportunity, SupportRequest
from guanxi.sales.selectors import work as sel
from guanxi.sales.services import activities as svc
from guanxi.sales.views.work_forms import ActivityForm, DecisionForm, VersionForm


def next_url(request: HttpRequest, default: str) -> str:
    """Where to go after a write: the page the form was opened from, if it is ours."""
    target = request.GET.get("next") or request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                  request.is_secure()):
        return target
    return default


def records_from_query(request: HttpRequest) -> dict:
    """The customer, opportunity or lead named in the query, each through its scope."""
    user, found = request.user, {}
    for key, model in (("account", Account), ("opportunity", Opportunity), ("lead", Lead)):
        value = request.GET.get(key)
        if value:
            found[key] = get_visible(model.objects.visible_to(user), pk=value)
    if "account" not in found and "opportunity" in found:
        found["account"] = found["opportunity"].account
    if "account" not in found and "lead" in found and found["lead"].account_id:
        found["account"] = found["lead"].account
    if found and not perms.can_work_on(user, found.get("account"), found.get("opportunity"),
                                 found.get("lead")):
        raise Forbidden(_("You may not log activities or tasks on this record."))
    return found


def _activity(request: HttpRequest, pk: int) -> Activity:
    return get_visible(sel.visible_activities(request.user), pk=pk)


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest) -> HttpResponse:
    found = records_from_query(request)
    account = found.get("account")
    kind = request.GET.get("kind")
    initial = {"kind": kind} if kind in Activity.Kind.values else {}
    if kind == Activity.Kind.CAMPAIGN:
        initial["status"] = Activity.Status.PLANNED
    form = ActivityForm(posted(request), account=account, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                activity = svc.log_activity(
                    request.user, form.activity_data(), account=account,
                    contact=form.cleaned_data.get("contact"),
                    opportunity=found.get("opportunity"), lead=found.get("lead"),
                    support=(form.support_data()
                             if form.cleaned_data["kind"] == Activity.Kind.CAMPAIGN else None))
            except DomainError as exc:
                if exc.status in (403, 404):
                    raise
                add_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Activity logged."))
                return done(request, next_url(request, reverse(
                    "sales:activity_detail", args=[activity.pk])))
        else:
            status = 400
    # Without signal the form is kept on the phone and posted to the API later, naming the
    # same records.
    offline = {f"{key}_id": record.pk for key, record in found.items()}
    return render(request, "sales/activities/form.html", {
        "base": page_template(request), "form": form, "account": account,
        "records": found, "title": _("Log activity"), "submit": _("Save"),
        "action": request.get_full_path(),
        "offline_record": json.dumps(offline)}, status=status)


@login_required
@refusals_as_http
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    support = getattr(activity, "support_request", None)
    return render(request, "sales/activities/detail.html", {
        "activity": activity, "support": support,
        "can_change": perms.can_change_activity(request.user, activity),
        "can_decide": support is not None and perms.can_decide_support(request.user, support),
    })


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    if not perms.can_change_activity(request.user, activity):
        raise Forbidden(_("Only the one who logged it or a manager may change it."))
    initial = {"subject": activity.subject, "starts_at": activity.starts_at,
               "duration_minutes": activity.duration_minutes, "location": activity.location,
               "contact": activity.contact_id, "body": activity.body,
               "outcome": activity.outcome, "version": activity.version}
    form = ActivityForm(posted(request), account=activity.account, editing=True,
                        initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = {k: form.cleaned_data.get(k, "") for k in svc.EDIT_FIELDS}
            data["starts_at"] = data["starts_at"] or activity.starts_at
            try:
                svc.update_activity(request.user, activity, data,
                                    form.cleaned_data["version"] or activity.version,
                                    contact=(form.cleaned_data.get("contact")
                                             if activity.account else False))
            except DomainError as exc:
                if exc.status in (403, 404):
                    raise
                add_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Activity saved."))
                return done(request, reverse("sales:activity_detail", args=[activity.pk]))
        else:
            status = 400
    return render(request, "sales/activities/form.html", {
        "base": page_template(request), "form": form, "account": activity.account,
        "activity": activity, "title": _("Edit activity"), "submit": _("Save"),
        "action": reverse("sales:activity_edit", args=[activity.pk])}, status=status)


@login_required
@refusals_as_http
@require_POST
def activity_status(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Quick complete or cancel (htmx from Today and the record pages)."""
    activity = _activity(request, pk)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else activity.version
    error = ""
    try:
        if action == "done":
            svc.complete_activity(request.user, activity, version,
                                  outcome=request.POST.get("outcome", ""))
        else:
            svc.cancel_activity(request.user, activity, version)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        error = exc.message
    if request.htmx:
        activity.refresh_from_db()
        return render(request, "sales/activities/_item.html",
                      {"a": activity, "error": error}, status=409 if error else 200)
    if error:
        messages.error(request, error)
    return done(request, next_url(request, reverse("sales:activity_detail",
                                                   args=[activity.pk])))


# --- Support requests ------------------------------------------------------------------------

@login_required
@refusals_as_http
def support_requests(request: HttpRequest) -> HttpResponse:
    user = request.user
    if perms.can_decide_support_requests(user) and "mine" not in request.GET:
        # Deciding lives in the one approvals inbox; this address (in mails and
        # notifications) opens it on support requests. ``?mine`` keeps the history page.
        return redirect(inbox_url(["support"]))
    inbox = list(sel.support_inbox(user)[:100])
    mine = list(sel.visible_support_requests(user).filter(requested_by=user)[:100])
    return render(request, "sales/activities/support_requests.html", {
        "inbox": inbox, "mine": mine, "decides": perms.can_decide_support_requests(user),
        "pending": sum(1 for r in inbox if r.status == SupportRequest.Status.PENDING)})


def _support(request: HttpRequest, pk: int) -> SupportRequest:
    return get_visible(sel.visible_support_requests(request.user), pk=pk)


@login_required
@refusals_as_http
@require_POST
def support_decide(request: HttpRequest, pk: int) -> HttpResponse:
    support = _support(request, pk)
    form = DecisionForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            svc.decide_support(request.user, support,
                               form.cleaned_data["decision"] == "approve",
                               form.cleaned_data["comment"], form.cleaned_data["version"])
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            error = exc.message
    else:
        error = _("Choose approve or decline.")
    return _support_answer(request, support, error)


@login_required
@refusals_as_http
@require_POST
def support_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    support = _support(request, pk)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else support.version
    error = ""
    try:
        svc.withdraw_support(request.user, support, version)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        error = exc.message
    return _support_answer(request, support, error)


def _support_answer(request: HttpRequest, support: SupportRequest, error: str) -> HttpResponse:
    support.refresh_from_db()
    if request.htmx:
        return render(request, "sales/activities/_support_row.html", {
            "r": support, "error": error,
            "can_decide": perms.can_decide_support(request.user, support)},
            status=400 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Support request: %(status)s.")
                         % {"status": support.get_status_display()})
    return done(request, next_url(request, reverse("sales:support_requests")))


urls = [
    path("activities/new/", activity_create, name="activity_create"),
    path("activities/<int:pk>/", activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", activity_edit, name="activity_edit"),
    path("activities/<int:pk>/done/", activity_status, {"action": "done"},
         name="activity_done"),
    path("activities/<int:pk>/cancel/", activity_status, {"action": "cancel"},
         name="activity_cancel"),
    path("support-requests/", support_requests, name="support_requests"),
    path("support-requests/<int:pk>/decide/", support_decide, name="support_decide"),
    path("support-requests/<int:pk>/withdraw/", support_withdraw, name="support_withdraw"),
]
