"""Pages: automation rules for administrators — list, a structured editor, on/off, run log."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.accounts.models import Role, User
from guanxi.core.access import get_visible
from guanxi.core.errors import DomainError, FieldErrors, Forbidden, NotFound
from guanxi.core.events import event_types
from guanxi.core.views import refusals_as_http
from guanxi.integrations import hooks_selectors as selectors
from guanxi.integrations.models import AutomationRule, AutomationRun
from guanxi.integrations.services import automation
from guanxi.integrations.services.webhooks import require_admin

EMPTY_RULE = {"name": "", "trigger": "event", "event_type": "", "target": "customers.account",
              "field": "", "value": "", "days": 30, "active": True, "conditions": [],
              "actions": [{"type": "notify", "to": "owner", "message": ""}]}


def _choices() -> dict[str, Any]:
    """Everything the editor offers, for its drop-downs."""
    from guanxi.sales.models import EmailTemplate, Stage

    return {
        "triggers": AutomationRule.Trigger.choices,
        "events": [(k, str(v)) for k, v in event_types().items()],
        "targets": [(k, str(t.label)) for k, t in automation.targets().items()],
        "fields": {t: automation.fields_of(t) for t in automation.targets()},
        "operators": [(k, str(v)) for k, v in automation.OPERATORS.items()],
        "actions": [(k, str(v)) for k, v in automation.ACTIONS.items()],
        "recipients": [(k, str(v)) for k, v in automation.RECIPIENTS.items()],
        "roles": [(k, str(v)) for k, v in Role.choices],
        "users": [(u.pk, str(u)) for u in User.objects.filter(is_active=True)
                  .order_by("display_name", "username")[:500]],
        "templates": [(t.pk, t.name) for t in EmailTemplate.objects.filter(active=True)],
        "stages": sorted({(s.key, s.label) for s in Stage.objects.filter(active=True)}),
        "priorities": [("low", _("Low")), ("normal", _("Normal")), ("high", _("High"))],
    }


def _definition(rule: AutomationRule) -> dict[str, Any]:
    return {"name": rule.name, "trigger": rule.trigger, "event_type": rule.event_type,
            "target": rule.target or "customers.account", "field": rule.field,
            "value": rule.value, "days": rule.days or 30, "active": rule.active,
            "conditions": rule.conditions, "actions": rule.actions}


def _rule(request: HttpRequest, pk: int) -> AutomationRule:
    return get_visible(selectors.rules(request.user), pk=pk)


@login_required
@refusals_as_http
def rule_list(request: HttpRequest) -> HttpResponse:
    rules = list(selectors.rules(request.user))
    labels = event_types()
    return render(request, "integrations/automation/list.html",
                  {"rules": [(r, labels.get(r.event_type, r.event_type)) for r in rules]})


@require_http_methods(["GET", "POST"])
@login_required
@refusals_as_http
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    rule = _rule(request, pk) if pk else None
    require_admin(request.user)
    errors: dict[str, list[str]] = {}
    definition = _definition(rule) if rule else EMPTY_RULE
    status = 200
    if request.method == "POST":
        try:
            definition = json.loads(request.POST.get("definition") or "{}")
            if not isinstance(definition, dict):
                raise ValueError
        except ValueError:
            definition, errors = EMPTY_RULE, {"form": [_("The rule could not be read.")]}
            status = 400
        else:
            try:
                if rule is None:
                    rule = automation.create_rule(request.user, definition)
                else:
                    automation.update_rule(request.user, rule, definition,
                                           int(request.POST.get("version") or 0))
            except (Forbidden, NotFound):
                raise
            except FieldErrors as exc:
                errors, status = exc.errors, exc.status
            except DomainError as exc:
                errors, status = {exc.field or "form": [exc.message]}, exc.status
            else:
                messages.success(request, _("Rule “%(name)s” saved.") % {"name": rule.name})
                return redirect("integrations:automation")
    return render(request, "integrations/automation/edit.html", {
        "rule": rule, "definition": definition, "choices": _choices(), "errors": errors},
        status=status)


@require_POST
@login_required
@refusals_as_http
def rule_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _rule(request, pk)
    try:
        automation.set_active(request.user, rule, request.POST.get("active") == "1",
                              int(request.POST.get("version") or 0))
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("integrations:automation")


@require_POST
@login_required
@refusals_as_http
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _rule(request, pk)
    automation.delete_rule(request.user, rule)
    messages.success(request, _("Rule “%(name)s” deleted.") % {"name": rule.name})
    return redirect("integrations:automation")


@login_required
@refusals_as_http
def run_log(request: HttpRequest) -> HttpResponse:
    rule = None
    if request.GET.get("rule"):
        rule = _rule(request, request.GET["rule"])
    result = request.GET.get("result") or ""
    if result not in AutomationRun.Result.values:
        result = ""
    runs = selectors.runs(request.user, rule, result or None)[:200]
    return render(request, "integrations/automation/runs.html", {
        "runs": runs, "rule": rule, "result": result,
        "results": AutomationRun.Result.choices,
        "rules": selectors.rules(request.user)})


urls: list = [
    path("automation/", rule_list, name="automation"),
    path("automation/new/", rule_edit, name="automation_create"),
    path("automation/<int:pk>/", rule_edit, name="automation_edit"),
    path("automation/<int:pk>/active/", rule_toggle, name="automation_toggle"),
    path("automation/<int:pk>/delete/", rule_delete, name="automation_delete"),
    path("automation/runs/", run_log, name="automation_runs"),
]
