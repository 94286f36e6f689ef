"""Approvals, terms change requests, the public pool and merging."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.core.access import get_visible
from guanxi.core.errors import DomainError, FieldErrors, Forbidden, NotFound
from guanxi.core.forms import PickerField, add_domain_error, bind_pickers
from guanxi.core.selectors import keyset_page
from guanxi.core.views import refusals_as_http
from guanxi.customers import permissions as perms
from guanxi.customers import selectors, services
from guanxi.customers.models import (
    Account,
    Approval,
    PoolPolicy,
    SearchToken,
    Settlement,
)
from guanxi.customers.search import search
from guanxi.customers.services.pool import claimed_count

PAGE_SIZE = 50
INBOX_SIZE = 100


def page(view):
    """Signed in, refusals answered as 404/403."""
    return login_required(refusals_as_http(view))


# --- Forms --------------------------------------------------------------------------------

class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", gettext_lazy("Approve")),
                                          ("reject", gettext_lazy("Reject"))])
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=gettext_lazy("Required when you reject."))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class TermsForm(forms.Form):
    discount_rate = forms.DecimalField(label=gettext_lazy("Discount rate (%)"), max_digits=5,
                                       decimal_places=2)
    payment_terms_days = forms.IntegerField(label=gettext_lazy("Payment terms (days)"),
                                            min_value=0, max_value=32767)
    settlement_method = forms.ChoiceField(label=gettext_lazy("Settlement method"),
                                          choices=Settlement.choices)
    credit_limit = forms.DecimalField(label=gettext_lazy("Credit limit"), max_digits=14,
                                      decimal_places=2)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=gettext_lazy("Tell the approvers why the customer "
                                                    "should get these terms."))

    TERMS = ("discount_rate", "payment_terms_days", "settlement_method", "credit_limit")


class ReleaseForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why give this customer back?"),
                             max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class AssignForm(forms.Form):
    owner = PickerField("rep", label=gettext_lazy("New owner"))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)


class MergeForm(forms.Form):
    other = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    other_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    keep = forms.ChoiceField(label=gettext_lazy("Keep"), widget=forms.RadioSelect,
                             choices=[("this", gettext_lazy("this record")),
                                      ("other", gettext_lazy("the other record"))],
                             initial="this")


class PoolPolicyForm(forms.Form):
    return_after_days = forms.IntegerField(
        label=gettext_lazy("Return to the pool after this many days without follow-up"),
        min_value=1, max_value=3650)
    claim_limit = forms.IntegerField(
        label=gettext_lazy("Customers one rep may hold from the pool"), min_value=1,
        max_value=100_000)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def _change_rows(changes: dict) -> list[tuple[str, object, object]]:
    """``{field: [old, new]}`` as (label, old, new) with choice values spelled out."""
    rows = []
    for name, pair in changes.items():
        try:
            field = Account._meta.get_field(name)
        except FieldDoesNotExist:
            rows.append((name, *pair))
            continue
        labels = dict(field.choices or ())
        old, new = pair
        rows.append((field.verbose_name, labels.get(old, old), labels.get(new, new)))
    return rows


def _approve(form: DecisionForm) -> bool:
    return form.cleaned_data["decision"] == "approve"


# --- Approvals inbox ----------------------------------------------------------------------

def _approvals_page(request: HttpRequest, failed: tuple[str, int, forms.Form] | None = None,
                    status: int = 200) -> HttpResponse:
    """The inbox; ``failed`` (kind, pk, bound form) re-shows one decision with its errors."""
    user = request.user
    customers = list(selectors.pending_approvals(user).order_by("created_at")[:INBOX_SIZE])
    requests = list(selectors.terms_requests_waiting_for(user)
                    .order_by("status_since", "id")[:INBOX_SIZE])

    def form_for(kind: str, obj) -> forms.Form:
        if failed and failed[0] == kind and failed[1] == obj.pk:
            return failed[2]
        return DecisionForm(initial={"version": obj.version}, prefix=f"{kind}-{obj.pk}")

    mine = list(selectors.visible_terms_requests(user).filter(requested_by=user)
                .select_related("account").order_by("-requested_at")[:50])
    for req in [*requests, *mine]:
        req.change_rows = _change_rows(req.changes)
    entered = (selectors.visible_accounts(user)
               .filter(created_by=user, approval__in=[Approval.PENDING, Approval.REJECTED])
               .order_by("-created_at")[:50])
    return render(request, "customers/workflow/approvals.html", {
        "customers": [(a, form_for("customer", a)) for a in customers],
        "terms_requests": [(r, form_for("terms", r)) for r in requests],
        "my_requests": mine,
        "my_customers": list(entered),
        "decides": perms.can_decide_approvals(user),
    }, status=status)


@page
def approvals(request: HttpRequest) -> HttpResponse:
    return _approvals_page(request)


def _decide(request: HttpRequest, kind: str, obj, decide, success) -> HttpResponse:
    """Shared by both decisions of the inbox: run ``decide(approve, comment, version)``; show
    its refusal at the item's form on the inbox page, or ``success()`` as a message."""
    form = DecisionForm(request.POST, prefix=f"{kind}-{obj.pk}")
    if not form.is_valid():
        return _approvals_page(request, (kind, obj.pk, form), 400)
    try:
        decide(_approve(form), form.cleaned_data["comment"], form.cleaned_data["version"])
    except DomainError as exc:
        if isinstance(exc, Forbidden | NotFound):
            raise
        add_domain_error(form, exc)
        return _approvals_page(request, (kind, obj.pk, form), exc.status)
    messages.success(request, success(_approve(form)))
    return redirect("customers:approvals")


@require_POST
@page
def decide_customer(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.get_account(request.user, pk)
    return _decide(
        request, "customer", account,
        lambda approve, comment, version: services.decide_new_customer(
            request.user, account, approve, comment, version=version),
        lambda approved: (_("%(name)s approved.") if approved else _("%(name)s rejected."))
        % {"name": account.name})


@require_POST
@page
def decide_terms(request: HttpRequest, pk: int) -> HttpResponse:
    req = get_visible(selectors.visible_terms_requests(request.user)
                      .select_related("account", "requested_by"), pk=pk)
    return _decide(
        request, "terms", req,
        lambda approve, comment, version: services.decide_terms_change(
            request.user, req, approve, comment, version=version),
        lambda approved: _("Decision on the terms of %(name)s recorded: %(status)s.")
        % {"name": req.account.name, "status": req.get_status_display()})


@require_POST
@page
def withdraw_terms(request: HttpRequest, pk: int) -> HttpResponse:
    req = get_visible(selectors.visible_terms_requests(request.user)
                      .select_related("account"), pk=pk)
    try:
        services.withdraw_terms_change(request.user, req)
    except DomainError as exc:
        if isinstance(exc, Forbidden | NotFound):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Terms change request withdrawn."))
    return redirect("customers:approvals")


# --- Terms change request -----------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@page
def terms_request(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.get_account(request.user, pk)
    if not perms.can_request_terms(request.user, account):
        raise PermissionDenied(_("Only the customer's owner, team or manager ask for new "
                                 "terms."))
    current = {name: getattr(account, name) for name in TermsForm.TERMS}
    status = 200
    if request.method == "POST":
        form = TermsForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.request_terms_change(
                    request.user, account, {k: data[k] for k in TermsForm.TERMS},
                    reason=data["reason"])
            except DomainError as exc:
                if isinstance(exc, Forbidden | NotFound):
                    raise
                add_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Terms change requested. The market manager "
                                            "decides first, then finance."))
                return redirect("customers:detail", pk=account.pk)
        else:
            status = 400
    else:
        form = TermsForm(initial=current)
    history = list(account.terms_requests.select_related("requested_by")
                   .prefetch_related("steps__actor").order_by("-requested_at")[:10])
    for req in history:
        req.change_rows = _change_rows(req.changes)
    return render(request, "customers/workflow/terms_request.html", {
        "account": account, "form": form, "current": current, "history": list(history),
        "open_request": next((r for r in history if r.is_open), None),
    }, status=status)


# --- Public pool --------------------------------------------------------------------------

@page
def pool(request: HttpRequest) -> HttpResponse:
    user = request.user
    queryset = selectors.visible_accounts(user).filter(in_pool=True).select_related("team")
    cursor = request.GET.get("after") or None
    try:
        window = keyset_page(queryset, "-pool_since", cursor, PAGE_SIZE)
    except FieldErrors as exc:
        messages.error(request, exc.message)
        window = keyset_page(queryset, "-pool_since", None, PAGE_SIZE)
        cursor = None
    can_claim = perms.can_claim(user)
    return render(request, "customers/workflow/pool.html", {
        "rows": window.items, "next_cursor": window.next, "paged": bool(cursor),
        "policy": PoolPolicy.current(), "can_claim": can_claim,
        "claimed": claimed_count(user) if can_claim else None,
        "is_admin": perms.can_change_pool_policy(user),
    })


@require_POST
@page
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.get_account(request.user, pk)
    try:
        services.claim(request.user, account)
    except DomainError as exc:
        if isinstance(exc, Forbidden | NotFound):
            raise
        messages.error(request, exc.message)
        return redirect("customers:pool")
    messages.success(request, _("%(name)s is now yours. Follow it up within %(days)s days, "
                                "or it returns to the pool.")
                     % {"name": account.name, "days": PoolPolicy.current().return_after_days})
    return redirect("customers:pool")


@require_http_methods(["GET", "POST"])
@page
def release(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.get_account(request.user, pk)
    if not perms.can_release(request.user, account):
        raise PermissionDenied(_("Only the customer's owner or manager can release it."))
    status = 200
    form = ReleaseForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.release(request.user, account, form.cleaned_data["reason"])
            except DomainError as exc:
                if isinstance(exc, Forbidden | NotFound):
                    raise
                add_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("%(name)s is back in the public pool.")
                                 % {"name": account.name})
                return redirect("customers:pool")
        else:
            status = 400
    return render(request, "customers/workflow/release.html",
                  {"account": account, "form": form}, status=status)


@require_http_methods(["GET", "POST"])
@page
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.get_account(request.user, pk)
    if not perms.can_manage_account(request.user, account):
        raise PermissionDenied(_("Only the team's manager can reassign customers."))
    status = 200
    if request.method == "POST":
        form = AssignForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.assign_owner(request.user, account, form.cleaned_data["owner"],
                                      version=form.cleaned_data["version"])
            except DomainError as exc:
                if isinstance(exc, Forbidden | NotFound):
                    raise
                add_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("%(name)s now belongs to %(owner)s.")
                                 % {"name": account.name, "owner": form.cleaned_data["owner"]})
                return redirect("customers:detail", pk=account.pk)
        else:
            status = 400
    else:
        form = AssignForm(initial={"owner": account.owner_id, "version": account.version},
                          user=request.user)
    return render(request, "customers/workflow/assign.html",
                  {"account": account, "form": form}, status=status)


# --- Merge --------------------------------------------------------------------------------

# Rows that follow the customer but are bookkeeping, not something a user would call "moved".
_NOT_SHOWN = {SearchToken}


def _related_counts(account: Account) -> list[tuple[str, int]]:
    """What hangs on ``account`` (and so moves when it is merged away), by record type."""
    counts = []
    for rel in Account._meta.related_objects:
        if rel.many_to_many or rel.related_model in _NOT_SHOWN or rel.related_model is Account:
            continue
        n = rel.related_model._base_manager.filter(**{rel.field.name: account}).count()
        if n:
            counts.append((str(rel.related_model._meta.verbose_name_plural), n))
    tags = account.tags.count()
    if tags:
        counts.append((str(Account.tags.field.verbose_name), tags))
    return counts


COMPARED = ("name", "name_en", "registration_id", "phone", "email", "industry", "size",
            "owner", "team", "approval", "completeness", "created_at")


@require_http_methods(["GET", "POST"])
@page
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    account = selectors.get_account(user, pk)
    if not perms.can_manage_account(user, account):
        raise PermissionDenied(_("Only the manager of both customers can merge them."))
    status = 200
    other = None
    if request.method == "POST":
        form = MergeForm(request.POST)
        if form.is_valid():
            other = selectors.get_account(user, form.cleaned_data["other"])
            versions = (form.cleaned_data["version"], form.cleaned_data["other_version"])
            keep, remove = ((account, other) if form.cleaned_data["keep"] == "this"
                            else (other, account))
            if keep is not account:
                versions = versions[::-1]
            try:
                kept = services.merge_accounts(user, keep, remove, *versions)
            except DomainError as exc:
                if isinstance(exc, Forbidden | NotFound):
                    raise
                add_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("%(removed)s was merged into %(kept)s.")
                                 % {"removed": remove.name, "kept": kept.name})
                return redirect("customers:detail", pk=kept.pk)
        else:
            status = 400
    else:
        if request.GET.get("other"):
            other = selectors.get_account(user, request.GET["other"])
        form = MergeForm(initial={"other": other.pk if other else None, "keep": "this",
                                  "version": account.version,
                                  "other_version": other.version if other else None})
    q = request.GET.get("q", "").strip()
    hits = [h for h in search(user, q, kinds=("account",)) if h.account_id != account.pk] \
        if q else []
    rows = []
    if other is not None:
        for name in COMPARED:
            field = Account._meta.get_field(name)
            rows.append((field.verbose_name, _display(account, name), _display(other, name)))
    return render(request, "customers/workflow/merge.html", {
        "account": account, "other": other, "form": form, "q": q, "hits": hits,
        "rows": rows,
        "moves_this": _related_counts(account) if other else [],
        "moves_other": _related_counts(other) if other else [],
        "manages_other": other is not None and perms.can_manage_account(user, other),
    }, status=status)


def _display(account: Account, name: str) -> str:
    getter = getattr(account, f"get_{name}_display", None)
    value = getter() if getter else getattr(account, name)
    return "" if value is None else str(value)


# --- Pool rules ---------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@page
def pool_policy(request: HttpRequest) -> HttpResponse:
    if not perms.can_change_pool_policy(request.user):
        raise PermissionDenied(_("Only administrators change the pool rules."))
    policy = PoolPolicy.current()
    status = 200
    if request.method == "POST":
        form = PoolPolicyForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_policy(request.user, data["return_after_days"],
                                       data["claim_limit"], version=data["version"])
            except DomainError as exc:
                if isinstance(exc, Forbidden | NotFound):
                    raise
                add_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Pool rules saved."))
                return redirect("customers:pool_policy")
        else:
            status = 400
    else:
        form = PoolPolicyForm(initial={"return_after_days": policy.return_after_days,
                                       "claim_limit": policy.claim_limit,
                                       "version": policy.version})
    return render(request, "customers/workflow/pool_policy.html",
                  {"form": form, "policy": policy}, status=status)
