"""Pages: receivables aging, invoices, payments and their allocation, "My collections".

Each view reads through the scoped selectors (404 for missing and not visible alike), calls
one service and answers; refusals show at the field. Writes are finance's: the services
refuse anyone else (403), the pages only hide the buttons.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.accounts.models import Role, Team, User
from guanxi.core.access import get_visible
from guanxi.core.errors import DomainError, FieldErrors, Forbidden
from guanxi.core.forms import DateInput, add_domain_error
from guanxi.core.pages import done, posted
from guanxi.core.recent import remember
from guanxi.core.selectors import keyset_page
from guanxi.core.templatetags.guanxi_ui import money
from guanxi.core.views import refusals_as_http
from guanxi.customers.models import Account
from guanxi.orders import permissions as perms
from guanxi.orders.models import Allocation, Invoice, Payment, SalesOrder
from guanxi.orders.selectors import receivables as sel
from guanxi.orders.services import dunning
from guanxi.orders.services import receivables as svc
from guanxi.orders.services.receivables import order_remainder

PAGE_SIZE = 50


def _date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _int(value: Any) -> int | None:
    return int(value) if value and str(value).isdigit() else None


def _require_finance(user: User) -> None:
    """The forms are finance's; the services check again on every write."""
    if not perms.can_handle_receivables(user):
        raise Forbidden(_("Only finance can issue invoices and record or allocate payments."))


# --- Receivables (aging) ---------------------------------------------------------------------

@login_required
@refusals_as_http
def receivables(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    as_of = _date(request.GET.get("as_of"), today)
    collector = _int(request.GET.get("collection_owner"))
    team = _int(request.GET.get("team"))
    top = min(_int(request.GET.get("top")) or 15, 100)
    report = sel.aging(request.user, as_of=as_of, collection_owner=collector, team=team,
                       top=top)
    peak = max([*report.totals.buckets.values(), 0]) or 1
    bars = [(label, amount, int(100 * amount / peak))
            for label, amount in report.totals.bucket_list]
    return render(request, "orders/receivables/aging.html", {
        "report": report, "as_of": as_of, "today": today, "bars": bars,
        "collector": collector, "team": team,
        "collectors": User.objects.filter(is_active=True, user_roles__role__in=(
            Role.COLLECTION, Role.FINANCE)).distinct().order_by("username"),
        "teams": Team.objects.order_by("path"),
        "is_finance": perms.can_handle_receivables(request.user),
    })


# --- Invoices --------------------------------------------------------------------------------

class InvoiceFilterForm(forms.Form):
    STATUSES = [("", gettext_lazy("All")), ("open", gettext_lazy("Outstanding")),
                *Invoice.Status.choices]
    q = forms.CharField(label=gettext_lazy("Search"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=STATUSES, required=False)
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)
    account = forms.IntegerField(required=False, widget=forms.HiddenInput)
    after = forms.CharField(required=False, widget=forms.HiddenInput)


@login_required
@refusals_as_http
def invoice_list(request: HttpRequest) -> HttpResponse:
    form = InvoiceFilterForm(request.GET or None)
    data = dict(form.cleaned_data) if form.is_bound and form.is_valid() else {}
    today = timezone.localdate()
    try:
        qs = sel.filter_invoices(request.user, request.GET, today=today)
    except FieldErrors as exc:
        messages.error(request, exc.message)
        qs = Invoice.objects.visible_to(request.user).none()
    qs = qs.select_related("account", "collection_owner")
    try:
        page = keyset_page(qs, "-issue_date", data.get("after") or None, PAGE_SIZE)
    except FieldErrors as exc:
        messages.error(request, exc.message)
        page = keyset_page(qs, "-issue_date", None, PAGE_SIZE)
    # The customer's name heads the list only for a customer the user may see.
    account = Account.objects.visible_to(request.user).filter(pk=data["account"]).first() \
        if data.get("account") else None
    context = {"form": form, "rows": page.items, "next_cursor": page.next, "today": today,
               "paged": bool(data.get("after")), "account": account,
               "filtered": any(v for k, v in request.GET.items() if k != "after"),
               "is_finance": perms.can_handle_receivables(request.user)}
    if request.htmx and request.htmx.target == "invoice-table":
        return render(request, "orders/receivables/_invoice_table.html", context)
    return render(request, "orders/receivables/invoices.html", context)


@login_required
@refusals_as_http
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = sel.get_invoice(request.user, pk)
    remember(request, "invoice", invoice.pk, f"{invoice} · {invoice.account.name}",
             request.path)
    today = timezone.localdate()
    return render(request, "orders/receivables/invoice.html", {
        "invoice": invoice, "allocations": sel.allocations_of_invoice(invoice),
        "reminders": invoice.reminders.all(), "today": today,
        "days_overdue": (today - invoice.due_date).days
        if invoice.outstanding > 0 and invoice.due_date < today else 0,
        "is_finance": perms.can_handle_receivables(request.user),
        "can_remind": invoice.outstanding > 0 and perms.can_remind_invoice(request.user, invoice),
        "can_cancel": perms.can_handle_receivables(request.user) and invoice.paid_amount == 0
        and invoice.status != Invoice.Status.CANCELLED,
    })


class InvoiceForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("VAT invoice number"), max_length=30,
                             help_text=gettext_lazy("8 to 20 digits or letters, as printed "
                                                    "on the invoice."))
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Invoice.Kind.choices)
    issue_date = forms.DateField(label=gettext_lazy("Issue date"), required=False,
                                 widget=DateInput())
    due_date = forms.DateField(label=gettext_lazy("Due date"), required=False,
                               widget=DateInput(),
                               help_text=gettext_lazy("Empty: the issue date plus the "
                                                      "customer's payment terms."))
    net_amount = forms.CharField(label=gettext_lazy("Amount before tax"), required=False)
    tax_amount = forms.CharField(label=gettext_lazy("VAT"), required=False)
    buyer_tax_id = forms.CharField(label=gettext_lazy("Buyer's taxpayer id"), required=False,
                                   max_length=20)
    total = forms.CharField(required=False, widget=forms.HiddenInput)
    order = forms.IntegerField(required=False, widget=forms.HiddenInput)


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def invoice_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    source = request.POST if request.method == "POST" else request.GET
    order = None
    if _int(source.get("order")):
        order = get_visible(SalesOrder.objects.visible_to(user).select_related("account"),
                            pk=source.get("order"))
        account = order.account
    elif _int(source.get("account")):
        account = get_visible(Account.objects.visible_to(user), pk=source.get("account"))
    else:
        _require_finance(user)
        return render(request, "orders/receivables/invoice_choose.html", {
            "customers": _invoice_customers(user)})
    _require_finance(user)
    initial: dict[str, Any] = {"buyer_tax_id": account.registration_id or "",
                               "issue_date": timezone.localdate(),
                               "order": order.pk if order else None}
    if order is not None:
        net, tax = svc._split(order, svc.order_remainder(order))
        initial |= {"net_amount": net, "tax_amount": tax}
    form = InvoiceForm(posted(request), initial=initial)
    if order is None:
        form.fields["order"] = _order_choice(account)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "order"}
        try:
            invoice = svc.issue_invoice(user, account, svc.InvoiceInput.parse(data),
                                        order=order)
        except DomainError as exc:
            if exc.status == 403:
                raise
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Invoice %(number)s recorded.")
                             % {"number": invoice.number})
            return done(request, reverse("orders:invoice", args=[invoice.pk]))
    return render(request, "orders/receivables/invoice_form.html", {
        "form": form, "account": account, "order": order,
        "remainder": svc.order_remainder(order) if order else None,
        "action": reverse("orders:invoice_create"),
    }, status=400 if form.errors else 200)


def _invoice_customers(user: User) -> list[tuple[int, str]]:
    """Customers with live orders not yet fully invoiced (others from their own page)."""
    waiting = SalesOrder.objects.filter(status__in=sel.LIVE_ORDER_STATUSES,
                                        invoiced_amount__lt=F("total")).values("account_id")
    return list(Account.objects.visible_to(user).filter(pk__in=waiting).order_by("name")
                .values_list("pk", "name")[:300])


def _order_choice(account: Account) -> forms.Field:
    """Which of the customer's orders the invoice is for (optional)."""
    orders = SalesOrder.objects.filter(account=account, status__in=sel.LIVE_ORDER_STATUSES,
                                       invoiced_amount__lt=F("total")).order_by("order_date")
    return forms.TypedChoiceField(
        label=_("Order"), required=False, coerce=int, empty_value=None,
        choices=[("", _("No order")), *((o.pk, f"{o.number} · {money(order_remainder(o))}")
                                        for o in orders[:100])],
        help_text=_("With an order and no amounts: what the order has left to invoice."))


@login_required
@refusals_as_http
@require_POST
def invoice_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = sel.get_invoice(request.user, pk)
    try:
        svc.cancel_invoice(request.user, invoice, _int(request.POST.get("version")))
    except DomainError as exc:
        if exc.status == 403:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Invoice %(number)s cancelled.")
                         % {"number": invoice.number})
    return done(request, reverse("orders:invoice", args=[pk]))


@login_required
@refusals_as_http
@require_POST
def dunning_send(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = sel.get_invoice(request.user, pk)
    try:
        reminder = dunning.send_now(request.user, invoice)
    except DomainError as exc:
        if exc.status == 403:
            raise
        messages.error(request, exc.message)
    else:
        if reminder.sent_to:
            messages.success(request, _("Reminder sent to %(to)s.") % {"to": reminder.sent_to})
        else:
            messages.warning(request, _("The customer has no e-mail address: please call."))
    back = request.POST.get("next") or ""
    return done(request, back if back.startswith("/") and not back.startswith("//")
                else reverse("orders:invoice", args=[pk]))


# --- Payments --------------------------------------------------------------------------------

@login_required
@refusals_as_http
def payment_list(request: HttpRequest) -> HttpResponse:
    data = {"q": request.GET.get("q", ""), "unallocated": request.GET.get("unallocated") == "1"}
    try:
        qs = sel.filter_payments(request.user, request.GET)
    except FieldErrors as exc:
        messages.error(request, exc.message)
        qs = Payment.objects.visible_to(request.user).none()
    qs = qs.select_related("account")
    try:
        page = keyset_page(qs, "-received_on", request.GET.get("after") or None, PAGE_SIZE)
    except FieldErrors as exc:
        messages.error(request, exc.message)
        page = keyset_page(qs, "-received_on", None, PAGE_SIZE)
    return render(request, "orders/receivables/payments.html", {
        "rows": page.items, "next_cursor": page.next, "q": data["q"],
        "unallocated": data["unallocated"], "paged": bool(request.GET.get("after")),
        "is_finance": perms.can_handle_receivables(request.user)})


@login_required
@refusals_as_http
def payment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    payment = sel.get_payment(request.user, pk)
    is_finance = perms.can_handle_receivables(request.user)
    return render(request, "orders/receivables/payment.html", {
        "payment": payment, "allocations": sel.allocations_of_payment(payment),
        "is_finance": is_finance,
        "items": sel.open_items(payment.account) if is_finance and payment.unallocated > 0
        else None})


class PaymentForm(forms.Form):
    account = forms.IntegerField(label=gettext_lazy("Customer"), widget=forms.Select)
    amount = forms.CharField(label=gettext_lazy("Amount received"))
    received_on = forms.DateField(label=gettext_lazy("Received on"), required=False,
                                  widget=DateInput())
    method = forms.ChoiceField(label=gettext_lazy("Method"), choices=Payment.Method.choices)
    reference = forms.CharField(label=gettext_lazy("Bank reference"), required=False,
                                max_length=100)
    notes = forms.CharField(label=gettext_lazy("Notes"), required=False, max_length=300)
    allocations = forms.CharField(required=False, widget=forms.HiddenInput)


def _customer_choices(user: User, selected: int | None) -> list[tuple[Any, str]]:
    """Customers with something open (invoices or unpaid orders), plus the chosen one."""
    with_invoices = Invoice.objects.filter(outstanding__gt=0).values("account_id")
    with_orders = SalesOrder.objects.filter(status__in=sel.LIVE_ORDER_STATUSES,
                                            paid_amount__lt=F("total")).values("account_id")
    rows = list(Account.objects.visible_to(user)
                .filter(Q(pk__in=with_invoices) | Q(pk__in=with_orders) | Q(pk=selected or 0))
                .order_by("name").values_list("pk", "name")[:300])
    return [("", "—"), *rows]


def _allocation_rows(post: Any) -> list[svc.AllocationInput]:
    """The amounts typed per open invoice and order; one that is not a number is an error
    naming its row."""
    rows: list[dict[str, Any]] = []
    for key, value in post.items():
        if not value or not str(value).strip():
            continue
        if key.startswith("alloc_invoice_"):
            rows.append({"invoice": key.removeprefix("alloc_invoice_"), "amount": value})
        elif key.startswith("alloc_order_"):
            rows.append({"order": key.removeprefix("alloc_order_"), "amount": value})
    try:
        return svc.AllocationInput.rows(rows)
    except FieldErrors as exc:  # the page shows them together, at its allocations
        raise FieldErrors({"allocations": [m for ms in exc.errors.values() for m in ms]}) \
            from None


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def payment_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_finance(user)
    source = request.POST if request.method == "POST" else request.GET
    selected = _int(source.get("account"))
    account = get_visible(Account.objects.visible_to(user), pk=selected) if selected else None
    if request.htmx and request.method == "GET" and request.htmx.target == "open-items":
        return render(request, "orders/receivables/_open_items.html", {
            "items": sel.open_items(account) if account else None, "posted": {}})
    form = PaymentForm(posted(request), initial={"account": selected,
                                                 "received_on": timezone.localdate()})
    form.fields["account"].widget.choices = _customer_choices(user, selected)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("account",
                                                                        "allocations")}
        try:
            payment = svc.record_payment(user, account, svc.PaymentInput.parse(data),
                                         _allocation_rows(request.POST),
                                         auto=request.POST.get("auto") == "1")
        except DomainError as exc:
            if exc.status == 403:
                raise
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Payment %(number)s recorded.")
                             % {"number": payment.number})
            return done(request, reverse("orders:payment", args=[payment.pk]))
    return render(request, "orders/receivables/payment_form.html", {
        "form": form, "account": account, "posted": request.POST,
        "items": sel.open_items(account) if account else None,
        "action": reverse("orders:payment_create")}, status=400 if form.errors else 200)


@login_required
@refusals_as_http
@require_POST
def payment_allocate(request: HttpRequest, pk: int) -> HttpResponse:
    payment = sel.get_payment(request.user, pk)
    try:
        svc.allocate(request.user, payment, _allocation_rows(request.POST),
                     _int(request.POST.get("version")), auto=request.POST.get("auto") == "1")
    except DomainError as exc:
        if exc.status == 403:
            raise
        errors = exc.errors if isinstance(exc, FieldErrors) else {exc.field: [exc.message]}
        for message in [m for ms in errors.values() for m in ms]:
            messages.error(request, message)
    else:
        messages.success(request, _("Payment allocated."))
    return done(request, reverse("orders:payment", args=[pk]))


@login_required
@refusals_as_http
@require_POST
def allocation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    visible = sel.filter_payments(request.user, {}).values("pk")
    allocation = get_visible(Allocation.objects.filter(payment__in=visible)
                             .select_related("payment", "invoice", "order"), pk=pk)
    try:
        svc.unallocate(request.user, allocation)
    except DomainError as exc:
        if exc.status == 403:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Allocation taken back."))
    return done(request, reverse("orders:payment", args=[allocation.payment_id]))


# --- My collections --------------------------------------------------------------------------

@login_required
@refusals_as_http
def collections(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    items = sel.overdue_for_collector(request.user, today)
    return render(request, "orders/receivables/collections.html", {
        "items": items, "today": today,
        "total": sum((i.invoice.outstanding for i in items), sel.ZERO)})


urls = [
    path("receivables/", receivables, name="receivables"),
    path("invoices/", invoice_list, name="invoices"),
    path("invoices/new/", invoice_create, name="invoice_create"),
    path("invoices/<int:pk>/", invoice_detail, name="invoice"),
    path("invoices/<int:pk>/cancel/", invoice_cancel, name="invoice_cancel"),
    path("invoices/<int:pk>/remind/", dunning_send, name="dunning_send"),
    path("payments/", payment_list, name="payments"),
    path("payments/new/", payment_create, name="payment_create"),
    path("payments/<int:pk>/", payment_detail, name="payment"),
    path("payments/<int:pk>/allocate/", payment_allocate, name="payment_allocate"),
    path("allocations/<int:pk>/delete/", allocation_delete, name="allocation_delete"),
    path("collections/", collections, name="collections"),
]
