"""Settings pages for administrators: lead routing rules and public web forms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.core.access import get_visible
from guanxi.core.errors import DomainError, Forbidden, NotFound
from guanxi.core.forms import add_domain_error
from guanxi.core.pages import posted
from guanxi.core.views import refusals_as_http
from guanxi.sales import permissions as perms
from guanxi.sales.models import LeadRoutingRule, WebForm
from guanxi.sales.services import leads as lead_services
from guanxi.sales.services import routing
from guanxi.sales.views.lead_forms import RoutingRuleForm, WebFormForm


def _require_admin(request: HttpRequest) -> None:
    if not perms.can_configure(request.user):
        raise PermissionDenied(_("This page is for administrators."))


def _version(request: HttpRequest, default: int) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return default


# --- Routing rules --------------------------------------------------------------------------

@login_required
@refusals_as_http
def routing_rules(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    rules = LeadRoutingRule.objects.select_related("user", "team", "last_assigned")
    return render(request, "sales/leads/routing_rules.html", {"rules": rules})


@require_http_methods(["GET", "POST"])
@login_required
@refusals_as_http
def routing_rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_admin(request)
    rule = get_visible(LeadRoutingRule.objects.all(), pk=pk) if pk else None
    return _edit_setting(
        request, RoutingRuleForm(posted(request), instance=rule), rule,
        create=routing.create_rule, update=routing.update_rule,
        saved=_("Routing rule saved."), list_url="sales:routing_rules",
        context={"rule": rule,
                 "title": _("Edit routing rule") if rule else _("New routing rule"),
                 "delete_url": reverse("sales:routing_rule_delete", args=[rule.pk])
                 if rule else ""})


def _edit_setting(request: HttpRequest, form, record, *, create, update, saved: str,
                  list_url: str, context: dict) -> HttpResponse:
    """The shared save loop of the settings forms: field errors at the field, 409 on a stale
    version, back to the list when saved."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                if record is None:
                    create(request.user, data)
                else:
                    update(request.user, record, data, version or 0)
            except (Forbidden, NotFound):
                raise
            except DomainError as exc:
                add_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, saved)
                return redirect(list_url)
    return render(request, "sales/leads/settings_form.html",
                  {"form": form, "back": reverse(list_url), **context}, status=status)


@require_POST
@login_required
@refusals_as_http
def routing_rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    rule = get_visible(LeadRoutingRule.objects.all(), pk=pk)
    try:
        routing.delete_rule(request.user, rule, _version(request, rule.version))
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Routing rule deleted."))
    return redirect("sales:routing_rules")


# --- Web forms ------------------------------------------------------------------------------

@login_required
@refusals_as_http
def web_forms(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    forms = list(WebForm.objects.select_related("team"))
    for form in forms:
        form.page_url = request.build_absolute_uri(
            reverse("sales:public_form", args=[form.key]))
    return render(request, "sales/leads/web_forms.html", {"forms": forms})


@require_http_methods(["GET", "POST"])
@login_required
@refusals_as_http
def web_form_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_admin(request)
    web_form = get_visible(WebForm.objects.all(), pk=pk) if pk else None
    return _edit_setting(
        request, WebFormForm(posted(request), instance=web_form), web_form,
        create=lead_services.create_web_form, update=lead_services.update_web_form,
        saved=_("Web form saved."), list_url="sales:web_forms",
        context={"web_form": web_form,
                 "title": _("Edit web form") if web_form else _("New web form")})


@require_POST
@login_required
@refusals_as_http
def web_form_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate (or reactivate) a form: an inactive form's page answers 404."""
    _require_admin(request)
    web_form = get_visible(WebForm.objects.all(), pk=pk)
    active = request.POST.get("active") == "1"
    try:
        lead_services.update_web_form(request.user, web_form, {"active": active},
                                      _version(request, web_form.version))
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Web form activated.") if active
                         else _("Web form deactivated."))
    return redirect("sales:web_forms")


urls: list = [
    path("leads/routing/", routing_rules, name="routing_rules"),
    path("leads/routing/new/", routing_rule_edit, name="routing_rule_create"),
    path("leads/routing/<int:pk>/", routing_rule_edit, name="routing_rule_edit"),
    path("leads/routing/<int:pk>/delete/", routing_rule_delete, name="routing_rule_delete"),
    path("leads/forms/", web_forms, name="web_forms"),
    path("leads/forms/new/", web_form_edit, name="web_form_create"),
    path("leads/forms/<int:pk>/", web_form_edit, name="web_form_edit"),
    path("leads/forms/<int:pk>/active/", web_form_active, name="web_form_active"),
]
