"""Pages of the review engine: the approvals inbox (every step waiting for me, across quote
discounts, contracts, custom orders and expenses; and what I submitted), deciding and
withdrawing from the review panel or the inbox, and the review steps settings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.accounts.models import Role, User
from guanxi.core.access import get_visible
from guanxi.core.approval_views import inbox_url
from guanxi.core.errors import DomainError
from guanxi.core.forms import add_domain_error
from guanxi.core.pages import done
from guanxi.core.views import refusals_as_http
from guanxi.orders import permissions as perms
from guanxi.orders.approval_items import KIND_OF
from guanxi.orders.models import Condition, Flow, Review, ReviewRule, ReviewStep
from guanxi.orders.selectors import reviews as sel
from guanxi.orders.services import reviews as engine


def next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                  request.is_secure()):
        return target
    return default


def _amount_of(subject: Any) -> tuple[Any, str]:
    """What the document is worth, whichever field the domain calls it."""
    for name in ("total", "amount", "net_amount"):
        value = getattr(subject, name, None)
        if value is not None:
            return value, getattr(subject, "currency", "")
    return None, ""


def inbox_rows(steps: list[ReviewStep], now: dt.datetime) -> list[dict[str, Any]]:
    """Waiting steps with their document, overdue first, then longest waiting."""
    subjects = engine.subjects_of([s.review for s in steps])
    rows = []
    for step in steps:
        subject = subjects.get(step.review_id)
        amount, currency = _amount_of(subject)
        rows.append({"step": step, "review": step.review, "subject": subject,
                     "url": engine.url_of(step.review, subject), "amount": amount,
                     "currency": currency, "overdue": engine.is_overdue(step, now),
                     "hours": engine.waiting_hours(step, now)})
    far_past = dt.datetime.min.replace(tzinfo=dt.UTC)
    rows.sort(key=lambda r: (not r["overdue"], r["step"].started_at or far_past,
                             r["step"].pk))
    return rows


def mine_rows(reviews: list[Review]) -> list[dict[str, Any]]:
    subjects = engine.subjects_of(reviews)
    rows = []
    for review in reviews:
        subject = subjects.get(review.pk)
        amount, currency = _amount_of(subject)
        rows.append({"review": review, "step": review.current_step, "subject": subject,
                     "url": engine.url_of(review, subject), "amount": amount,
                     "currency": currency})
    return rows


@login_required
@refusals_as_http
def inbox(request: HttpRequest) -> HttpResponse:
    user = request.user
    tab = "mine" if request.GET.get("tab") == "mine" else "waiting"
    if tab == "waiting":
        # What waits for a decision lives in the one approvals inbox; this address (in mails
        # and notifications) opens it on the documents' kinds.
        return redirect(inbox_url(list(KIND_OF.values())))
    now = timezone.now()
    waiting = list(sel.waiting_for(user).select_related("review__team")
                   .prefetch_related("review__steps")[:200])
    context: dict[str, Any] = {"tab": tab, "waiting_total": len(waiting), "now": now}
    if tab == "waiting":
        context["rows"] = inbox_rows(waiting, now)
    else:
        context["rows"] = mine_rows(list(sel.submitted_by(user)[:100]))
    return render(request, "orders/reviews/inbox.html", context)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[(d, d) for d in engine.DECISIONS])
    comment = forms.CharField(required=False, max_length=2000)
    version = forms.IntegerField(required=False)


def _answer(request: HttpRequest, review: Review, error: str = "", field: str | None = None,
            comment: str = "", status: int = 422) -> HttpResponse:
    review = sel.get_review(request.user, review.pk)
    if request.htmx:
        context: dict[str, Any] = {"review": review, "error": error, "error_field": field,
                                   "comment": comment,
                                   "return_to": next_url(request, "")}
        if request.POST.get("part") == "row":
            step_id = request.POST.get("step", "")
            step = review.steps.filter(pk=step_id).select_related("approver").first() \
                if step_id.isdigit() else None
            if step is not None:
                step.review = review
            context["row"] = inbox_rows([step], timezone.now())[0] if step else None
            template = "orders/reviews/_inbox_row.html"
        else:
            template = "orders/reviews/_panel.html"
        # htmx swaps 422 and 409 answers in (app.js): the error shows at the field.
        return render(request, template, context, status=status if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("%(flow)s: %(status)s.") % {
            "flow": review.get_flow_display(), "status": review.get_status_display()})
    return done(request, next_url(request, reverse("orders:reviews")))


@login_required
@refusals_as_http
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    review = sel.get_review(request.user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _answer(request, review, _("Choose approve, reject or return."), "decision")
    data = form.cleaned_data
    try:
        engine.decide(request.user, review, data["decision"], data["comment"],
                      data["version"])
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return _answer(request, review, exc.message, exc.field, data["comment"],
                       409 if exc.status == 409 else 422)
    return _answer(request, review)


@login_required
@refusals_as_http
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    review = sel.get_review(request.user, pk)
    version = request.POST.get("version")
    try:
        if not engine.withdrawable(review):
            raise DomainError(_("Withdraw it from the document's own page."),
                              code="withdraw_on_document")
        engine.withdraw(request.user, review,
                        version=int(version) if str(version or "").isdigit() else None)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return _answer(request, review, exc.message,
                       status=409 if exc.status == 409 else 422)
    return _answer(request, review)


# --- Review steps settings (administrators) --------------------------------------------------

def _require_admin(request: HttpRequest) -> None:
    if not perms.can_edit_review_rules(request.user):
        raise PermissionDenied(_("This page is for administrators."))


class RuleForm(forms.Form):
    name_en = forms.CharField(label=gettext_lazy("Name (English)"), max_length=80)
    name_zh = forms.CharField(label=gettext_lazy("Name (Chinese)"), max_length=80,
                              required=False)
    approver_role = forms.ChoiceField(label=gettext_lazy("Decided by role"), required=False,
                                      choices=[("", "—"), *Role.choices])
    approver = forms.ModelChoiceField(
        label=gettext_lazy("Decided by person"), required=False,
        queryset=User.objects.filter(is_active=True).order_by("display_name", "username"),
        help_text=gettext_lazy("A named reviewer, e.g. the technical or legal reviewer; "
                               "leave empty to use the role."))
    condition = forms.ChoiceField(label=gettext_lazy("Condition"), choices=Condition.choices)
    threshold = forms.DecimalField(
        label=gettext_lazy("Threshold"), required=False, min_value=0, max_digits=16,
        decimal_places=2,
        help_text=gettext_lazy("Percentage points for discounts, an amount for "
                               "\"amount at least\"."))
    due_hours = forms.IntegerField(label=gettext_lazy("Due within (hours)"), min_value=1,
                                   max_value=2160, initial=48)
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def _rule_initial(rule: ReviewRule) -> dict[str, Any]:
    return {"name_en": rule.name_en, "name_zh": rule.name_zh,
            "approver_role": rule.approver_role, "approver": rule.approver_id,
            "condition": rule.condition, "threshold": rule.threshold,
            "due_hours": rule.due_hours, "active": rule.active, "version": rule.version}


@login_required
@refusals_as_http
def rules(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    all_rules = list(ReviewRule.objects.select_related("approver").order_by(
        "flow", "position", "id"))
    groups = [(value, label, [r for r in all_rules if r.flow == value])
              for value, label in Flow.choices]
    return render(request, "orders/reviews/rules.html", {"groups": groups})


@require_http_methods(["GET", "POST"])
@login_required
@refusals_as_http
def rule_create(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    flow = request.POST.get("flow") or request.GET.get("flow") or Flow.QUOTE
    if flow not in Flow.values:
        flow = Flow.QUOTE
    form = RuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version")
        try:
            engine.create_rule(request.user, flow, data)
            messages.success(request, _("Review step added."))
            return done(request, reverse("orders:review_rules") + f"#flow-{flow}")
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(request, "orders/reviews/rule_form.html", {
        "form": form, "flow": flow, "flow_label": Flow(flow).label, "rule": None})


@require_http_methods(["GET", "POST"])
@login_required
@refusals_as_http
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    rule = get_visible(ReviewRule.objects.all(), pk=pk)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    target = reverse("orders:review_rules") + f"#flow-{rule.flow}"
    if action in ("up", "down"):
        engine.move_rule(request.user, rule, action)
        return done(request, target)
    if action in ("deactivate", "activate"):
        try:
            engine.update_rule(request.user, rule, request.POST.get("version") or None,
                               {"active": action == "activate"})
        except DomainError as exc:
            messages.error(request, exc.message)
        return done(request, target)
    form = RuleForm(request.POST or None, initial=_rule_initial(rule))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            engine.update_rule(request.user, rule, version, data)
            messages.success(request, _("Review step saved."))
            return done(request, target)
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(request, "orders/reviews/rule_form.html", {
        "form": form, "flow": rule.flow, "flow_label": rule.get_flow_display(),
        "rule": rule})


urls = [
    path("reviews/", inbox, name="reviews"),
    path("reviews/<int:pk>/decide/", decide, name="review_decide"),
    path("reviews/<int:pk>/withdraw/", withdraw, name="review_withdraw"),
    path("settings/review-steps/", rules, name="review_rules"),
    path("settings/review-steps/new/", rule_create, name="review_rule_create"),
    path("settings/review-steps/<int:pk>/", rule_edit, name="review_rule_edit"),
]
