"""Pages of sales expenses (营销费用): my claims, my team's and those waiting for me; the claim
form, its page with the approval panel, submit and withdraw; and the expense report per
customer (against revenue), per rep and per period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.accounts.models import Team, User
from guanxi.core.errors import DomainError, FieldErrors, NotFound
from guanxi.core.forms import DateInput, PickerWidget, add_domain_error, bind_pickers
from guanxi.core.locale import current_currency
from guanxi.core.pages import done
from guanxi.core.views import refusals_as_http
from guanxi.customers.models import Account
from guanxi.customers.selectors import find_account
from guanxi.orders import permissions as perms
from guanxi.orders.models import ExpenseClaim
from guanxi.orders.selectors import expenses as sel
from guanxi.orders.services import expenses as svc
from guanxi.sales.selectors.opportunities import visible_opportunities

Category = ExpenseClaim.Category


def _require_sees(request: HttpRequest) -> None:
    if not sel.sees_expenses(request.user):
        raise PermissionDenied(_("Sales expenses are for sales staff, finance and "
                                 "management."))


class ClaimForm(forms.Form):
    customer = forms.CharField(label=gettext_lazy("Customer"), max_length=200, required=False,
                               widget=PickerWidget("customer"),
                               help_text=gettext_lazy("May stay empty with an opportunity."))
    opportunity = forms.TypedChoiceField(label=gettext_lazy("Opportunity"), coerce=int,
                                         required=False, empty_value=None)
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=Category.choices)
    amount = forms.DecimalField(label=gettext_lazy("Amount"), max_digits=16, decimal_places=2)
    currency = forms.CharField(label=gettext_lazy("Currency"), max_length=3,
                               initial=current_currency)
    spent_on = forms.DateField(label=gettext_lazy("Date"),
                               widget=DateInput())
    description = forms.CharField(label=gettext_lazy("What for"), max_length=300,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: User, account: Account | None = None,
                 claim: ExpenseClaim | None = None, **kwargs: Any) -> None:
        if claim is not None:
            kwargs.setdefault("initial", {
                "customer": claim.account_id or "",
                "opportunity": claim.opportunity_id, "category": claim.category,
                "amount": claim.amount, "currency": claim.currency,
                "spent_on": claim.spent_on, "description": claim.description,
                "version": claim.version})
        elif account is not None:
            kwargs.setdefault("initial", {"customer": account.pk})
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)
        target = account or (claim.account if claim else None)
        opps = visible_opportunities(user).select_related("account")
        opps = opps.filter(account=target) if target else opps.filter(
            Q(owner=user) | Q(pk=getattr(claim, "opportunity_id", None) or 0))
        self.fields["opportunity"].choices = [("", "—")] + [
            (o.pk, f"{o.name} · {o.account.name}") for o in opps.order_by("-updated_at")[:300]]

    def service_data(self, user: User) -> svc.ClaimInput:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("customer", "version")}
        raw = self.cleaned_data.get("customer")
        account = find_account(user, raw)
        if raw and account is None:
            raise DomainError(_("No customer you can see has this name or number."),
                              field="customer")
        return svc.ClaimInput(account=account, **data)


def _add_error(form: ClaimForm, exc: DomainError) -> None:
    if exc.field == "account":
        exc.field = "customer"
    if hasattr(exc, "errors") and "account" in exc.errors:
        exc.errors["customer"] = exc.errors.pop("account")
    add_domain_error(form, exc)


@login_required
@refusals_as_http
def claims(request: HttpRequest) -> HttpResponse:
    _require_sees(request)
    user = request.user
    show = request.GET.get("show") if request.GET.get("show") in ("team", "waiting", "all") \
        else "mine"
    status = request.GET.get("status", "")
    try:
        rows = list(sel.filter_expenses(user, request.GET).order_by("-spent_on", "-id")[:200])
    except FieldErrors as exc:
        messages.error(request, exc.message)
        rows = []
    return render(request, "orders/expenses/list.html", {
        "rows": rows, "show": show, "status": status, "statuses": ExpenseClaim.Status.choices,
        "can_claim": perms.can_claim_expense(user), "waiting": sel.waiting_count(user),
        "total": sum((r.amount for r in rows), 0)})


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def claim_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not perms.can_claim_expense(user):
        raise PermissionDenied(_("Only sales staff claim sales expenses."))
    account = find_account(user, request.GET.get("account"))
    if request.GET.get("account") and account is None:
        raise NotFound()
    form = ClaimForm(request.POST or None, user=user, account=account,
                     initial={"customer": account.name if account else "",
                              "spent_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            claim = svc.create_claim(user, form.service_data(user))
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            _add_error(form, exc)
        else:
            messages.success(request, _("Expense claim saved as a draft. Submit it when it "
                                        "is complete."))
            return done(request, reverse("orders:expense", args=[claim.pk]))
    return render(request, "orders/expenses/form.html", {
        "form": form, "claim": None, "account": account, "title": _("New expense claim")})


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def claim_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    claim = sel.get_claim(user, pk)
    if not perms.can_edit_expense(user, claim):
        raise PermissionDenied(_("Only the claimant changes a draft or returned claim."))
    form = ClaimForm(request.POST or None, user=user, claim=claim)
    if request.method == "POST" and form.is_valid():
        try:
            svc.update_claim(user, claim, form.cleaned_data.get("version"),
                             form.service_data(user))
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            _add_error(form, exc)
        else:
            messages.success(request, _("Expense claim saved."))
            return done(request, reverse("orders:expense", args=[claim.pk]))
    return render(request, "orders/expenses/form.html", {
        "form": form, "claim": claim, "account": claim.account,
        "title": _("Edit expense claim")})


@login_required
@refusals_as_http
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    claim = sel.get_claim(user, pk)
    from guanxi.orders.selectors.reviews import reviews_of

    history = [r for r in reviews_of("expense", claim.pk) if r.pk != claim.review_id]
    return render(request, "orders/expenses/detail.html", {
        "claim": claim, "can_edit": perms.can_edit_expense(user, claim),
        "can_submit": perms.can_edit_expense(user, claim), "history": history})


@login_required
@refusals_as_http
@require_POST
def claim_action(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    claim = sel.get_claim(user, pk)
    action = request.POST.get("action")
    raw = request.POST.get("version", "")
    version = int(raw) if raw.isdigit() else None
    try:
        if action == "submit":
            svc.submit_claim(user, claim, version)
            messages.success(request, _("Expense claim submitted for approval."))
        elif action == "withdraw":
            svc.withdraw_claim(user, claim, version)
            messages.success(request, _("Expense claim withdrawn: change it and submit it "
                                        "again."))
        else:
            messages.error(request, _("Choose submit or withdraw."))
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, exc.message)
    return done(request, reverse("orders:expense", args=[claim.pk]))


# --- The report -------------------------------------------------------------------------------

def period_bounds(period: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """This month, this quarter, this year or last year, up to today."""
    if period == "month":
        return today.replace(day=1), today
    if period == "quarter":
        return dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1), today
    if period == "last_year":
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    return dt.date(today.year, 1, 1), today


class ReportForm(forms.Form):
    PERIODS = [("year", gettext_lazy("This year")), ("quarter", gettext_lazy("This quarter")),
               ("month", gettext_lazy("This month")), ("last_year", gettext_lazy("Last year")),
               ("custom", gettext_lazy("From … to …"))]
    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=PERIODS, required=False)
    start = forms.DateField(label=gettext_lazy("From"), required=False,
                            widget=DateInput())
    end = forms.DateField(label=gettext_lazy("To"), required=False,
                          widget=DateInput())
    team = forms.TypedChoiceField(label=gettext_lazy("Team"), coerce=int, required=False,
                                  empty_value=None)
    rep = forms.TypedChoiceField(label=gettext_lazy("Claimed by"), coerce=int, required=False,
                                 empty_value=None)
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False,
                                 choices=[("", "—"), *Category.choices])
    by = forms.ChoiceField(label=gettext_lazy("Periods"), required=False,
                           choices=[("month", gettext_lazy("Months")),
                                    ("quarter", gettext_lazy("Quarters"))])

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = Team.objects.all() if perms.can_see_all(user) else Team.objects.filter(
            pk__in=user.team_subtree_ids or [user.team_id or 0])
        self.fields["team"].choices = [("", "—")] + [(t.pk, t.name) for t in teams]
        claimants = User.objects.filter(
            pk__in=sel.ExpenseClaim.objects.visible_to(user).values("claimant_id"))
        self.fields["rep"].choices = [("", "—")] + [(u.pk, str(u)) for u in claimants]

    def filters(self, today: dt.date) -> tuple[sel.Filters, str]:
        data = self.cleaned_data if self.is_valid() else {}
        period = data.get("period") or "year"
        start, end = period_bounds(period, today)
        if period == "custom":
            start = data.get("start") or start
            end = data.get("end") or end
        return sel.Filters(start=start, end=end, team=data.get("team"), rep=data.get("rep"),
                           category=data.get("category") or ""), data.get("by") or "month"


@login_required
@refusals_as_http
def report(request: HttpRequest) -> HttpResponse:
    _require_sees(request)
    user = request.user
    form = ReportForm(request.GET or None, user=user)
    f, by = form.filters(timezone.localdate())
    customers = sel.by_customer(user, f)
    reps = sel.by_rep(user, f)
    periods = sel.by_period(user, f, "quarter" if by == "quarter" else "month")
    total = sel.totals(reps)
    revenue = sum((r["revenue"] for r in customers), 0)
    return render(request, "orders/expenses/report.html", {
        "form": form, "f": f, "customers": customers, "reps": reps, "periods": periods,
        "total": total, "revenue": revenue,
        "customer_total": sel.totals(customers)})


urls = [
    path("expenses/", claims, name="expenses"),
    path("expenses/new/", claim_create, name="expense_create"),
    path("expenses/report/", report, name="expense_report"),
    path("expenses/<int:pk>/", claim_detail, name="expense"),
    path("expenses/<int:pk>/edit/", claim_edit, name="expense_edit"),
    path("expenses/<int:pk>/action/", claim_action, name="expense_action"),
]
