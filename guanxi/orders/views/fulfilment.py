"""Pages of sales orders: the list, the order page with its schedule and shipments, the order
status page that refreshes itself, "My deliveries", and creating an order from an accepted
quote or a signed contract.

Each view reads through the scoped selectors (404 for missing and not visible alike), calls
one service and answers; refusals show at the field.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.accounts.models import Role, User
from guanxi.core.access import get_visible
from guanxi.core.errors import DomainError, FieldErrors, NotFound
from guanxi.core.forms import DateInput, add_domain_error
from guanxi.core.pages import done, page_template, posted
from guanxi.core.recent import remember
from guanxi.core.selectors import keyset_page
from guanxi.core.views import refusals_as_http
from guanxi.orders import permissions as perms
from guanxi.orders.models import Contract, Quote, SalesOrder, Shipment
from guanxi.orders.selectors import orders as sel
from guanxi.orders.services import execution
from guanxi.orders.services import orders as svc

PAGE_SIZE = 50
Status = SalesOrder.Status


# --- Forms ---------------------------------------------------------------------------------

def _date_input() -> forms.DateInput:
    return DateInput()


def _people(role: str):
    return User.objects.filter(is_active=True, user_roles__role=role).distinct() \
        .order_by("display_name", "username")


class FilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False, choices=[
        ("", gettext_lazy("Any status")), ("open", gettext_lazy("Not delivered yet")),
        *Status.choices])
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False,
                             choices=[("", gettext_lazy("Any kind")),
                                      *SalesOrder.Kind.choices])
    alert = forms.ChoiceField(label=gettext_lazy("Delivery"), required=False, choices=[
        ("", gettext_lazy("Any")), ("late", gettext_lazy("Late")),
        ("at_risk", pgettext_lazy("delivery", "At risk"))])
    mine = forms.ChoiceField(label=gettext_lazy("Mine"), required=False, choices=[
        ("", gettext_lazy("All I may see")), ("owner", gettext_lazy("I sell")),
        ("delivery", gettext_lazy("I deliver")), ("collection", gettext_lazy("I collect"))])
    delivery_owner = forms.ModelChoiceField(label=gettext_lazy("Delivery owner"),
                                            required=False, queryset=User.objects.none(),
                                            empty_label=gettext_lazy("Anyone"))
    after = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["delivery_owner"].queryset = _people(Role.DELIVERY)


class ConvertForm(forms.Form):
    promised_date = forms.DateField(label=gettext_lazy("Promised delivery"), required=False,
                                    widget=_date_input())
    delivery_address = forms.CharField(label=gettext_lazy("Delivery address"), required=False,
                                       max_length=300)
    special_requirements = forms.CharField(
        label=gettext_lazy("Special requirements"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Anything beyond the catalogue makes a custom order, which goes "
                               "through the order review."))
    delivery_owner = forms.ModelChoiceField(
        label=gettext_lazy("Delivery owner"), required=False, queryset=User.objects.none(),
        empty_label=gettext_lazy("The opportunity's, if any"))
    collection_owner = forms.ModelChoiceField(
        label=gettext_lazy("Collection owner"), required=False, queryset=User.objects.none(),
        empty_label=gettext_lazy("The opportunity's, if any"))
    credit_override_reason = forms.CharField(
        label=gettext_lazy("Credit override reason"), required=False, max_length=300,
        help_text=gettext_lazy("Finance only: why this order may go beyond the customer's "
                               "credit limit."))

    def __init__(self, *args, finance: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["delivery_owner"].queryset = _people(Role.DELIVERY)
        self.fields["collection_owner"].queryset = _people(Role.COLLECTION)
        if not finance:
            del self.fields["credit_override_reason"]

    def service_values(self) -> svc.OrderInput:
        return svc.OrderInput(**{k: v for k, v in self.cleaned_data.items()
                                 if v not in (None, "")})


class ScheduleForm(forms.Form):
    promised_date = forms.DateField(label=gettext_lazy("Promised delivery"), required=False,
                                    widget=_date_input())
    planned_date = forms.DateField(label=gettext_lazy("Planned delivery"), required=False,
                                   widget=_date_input())
    production_status = forms.ChoiceField(label=gettext_lazy("Production"), required=False,
                                          choices=SalesOrder.Production.choices)
    reason = forms.CharField(label=gettext_lazy("Reason for a new promised date"),
                             required=False, max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, order: SalesOrder, **kwargs) -> None:
        kwargs.setdefault("initial", {
            "promised_date": order.promised_date, "planned_date": order.planned_date,
            "production_status": order.production_status, "version": order.version})
        super().__init__(*args, **kwargs)
        if order.kind == SalesOrder.Kind.STOCK:
            del self.fields["production_status"]
        else:
            self.fields["production_status"].choices = [
                c for c in SalesOrder.Production.choices
                if c[0] != SalesOrder.Production.NOT_NEEDED]

    def service_values(self) -> execution.ScheduleInput:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        if not data.get("reason"):
            data.pop("reason", None)
        return execution.ScheduleInput(**data)


class ShipmentForm(forms.Form):
    shipped_on = forms.DateField(label=gettext_lazy("Shipped on"), required=False,
                                 widget=_date_input())
    carrier = forms.CharField(label=gettext_lazy("Carrier"), required=False, max_length=100,
                              help_text=gettext_lazy("e.g. 顺丰, 德邦, own truck"))
    tracking_number = forms.CharField(label=gettext_lazy("Tracking number"), required=False,
                                      max_length=100)
    notes = forms.CharField(label=gettext_lazy("Notes"), required=False, max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    lines = forms.CharField(required=False, widget=forms.HiddenInput)  # errors show here

    def __init__(self, *args, order: SalesOrder, **kwargs) -> None:
        kwargs.setdefault("initial", {"shipped_on": timezone.localdate(),
                                      "version": order.version})
        super().__init__(*args, **kwargs)
        self.order_lines = [li for li in order.lines.all()
                            if li.shipped_quantity < li.quantity]
        for line in self.order_lines:
            line.left = line.quantity - line.shipped_quantity
            line.field_name = f"line_{line.pk}"
            line.posted = self.data.get(line.field_name, "") if self.is_bound else ""

    def shipment_lines(self) -> list[execution.ShipmentLineInput]:
        """The quantities typed per line; one that is not a number is an error at ``lines``."""
        rows = []
        for line in self.order_lines:
            raw = (self.data.get(line.field_name) or "").strip()
            if raw not in ("", "0"):
                rows.append({"order_line": line.pk, "quantity": raw})
        try:
            return execution.ShipmentLineInput.rows(rows)
        except FieldErrors as exc:
            raise FieldErrors({"lines": [m for ms in exc.errors.values() for m in ms]}) \
                from None

    def service_values(self) -> execution.ShipmentInput:
        return execution.ShipmentInput(**{
            k: self.cleaned_data[k] for k in ("shipped_on", "carrier", "tracking_number",
                                              "notes") if self.cleaned_data.get(k)})


# --- List and my deliveries ----------------------------------------------------------------

@login_required
@refusals_as_http
def order_list(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    data = dict(form.cleaned_data) if form.is_bound and form.is_valid() else {}
    try:
        qs = sel.filter_orders(request.user, request.GET)
    except FieldErrors as exc:
        messages.error(request, exc.message)
        qs = sel.orders_for(request.user).none()
    try:
        page = keyset_page(qs, "-order_date", data.get("after") or None, PAGE_SIZE)
    except FieldErrors as exc:
        messages.error(request, exc.message)
        page = keyset_page(qs, "-order_date", None, PAGE_SIZE)
    today = timezone.localdate()
    for order in page.items:
        order.alert = sel.alert_of(order, today)
    context = {"form": form, "rows": page.items, "next_cursor": page.next,
               "filtered": any(v for k, v in request.GET.items() if k != "after")}
    if request.htmx and request.htmx.target == "order-table":
        return render(request, "orders/fulfilment/_table.html", context)
    return render(request, "orders/fulfilment/list.html", context)


@login_required
@refusals_as_http
def deliveries(request: HttpRequest) -> HttpResponse:
    if not perms.can_see_deliveries(request.user):
        raise PermissionDenied(_("This page is for delivery owners and their managers."))
    return render(request, "orders/fulfilment/deliveries.html",
                  {"rows": sel.my_deliveries(request.user)})


# --- Order page ----------------------------------------------------------------------------

def _context(request: HttpRequest, order: SalesOrder) -> dict[str, Any]:
    user = request.user
    can_execute = perms.can_execute_order(user, order)
    return {
        "order": order, "lines": list(order.lines.all()),
        "shipments": list(order.shipments.all()),
        "invoices": list(order.invoices.all()[:20]),
        "status": sel.order_status(order),
        "can_execute": can_execute,
        "can_manage": perms.can_manage_order(user, order),
        "can_ship": can_execute and order.status in execution.SHIPPABLE,
        "can_deliver": can_execute and any(s.delivered_on is None
                                           for s in order.shipments.all()),
        "can_cancel": perms.can_manage_order(user, order) and order.status not in (
            *svc.SHIPPED_STATUSES, Status.CANCELLED, Status.REJECTED),
        "schedule_form": ScheduleForm(order=order)
        if can_execute and order.status in execution.SCHEDULABLE else None,
    }


@login_required
@refusals_as_http
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = sel.get_order(request.user, pk)
    remember(request, "order", order.pk, f"{order} · {order.account.name}", request.path)
    return render(request, "orders/fulfilment/detail.html", _context(request, order))


@login_required
@refusals_as_http
def order_status(request: HttpRequest, pk: int) -> HttpResponse:
    order = sel.get_order(request.user, pk)
    return render(request, "orders/fulfilment/status.html",
                  {"order": order, "status": sel.order_status(order)})


@login_required
@refusals_as_http
def order_status_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """What the status page polls every 30 seconds."""
    order = sel.get_order(request.user, pk)
    return render(request, "orders/fulfilment/_status.html",
                  {"order": order, "status": sel.order_status(order)})


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def order_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    order = sel.get_order(request.user, pk)
    if not perms.can_execute_order(request.user, order):
        raise PermissionDenied(_("Only the delivery owner, a manager of the team or an "
                                 "administrator can change the order's execution."))
    form = ScheduleForm(posted(request), order=order)
    if request.method == "POST" and form.is_valid():
        try:
            execution.update_schedule(request.user, order, form.service_values(),
                                      form.cleaned_data.get("version"))
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Schedule saved."))
            return done(request, reverse("orders:order", args=[order.pk]))
    return render(request, "orders/fulfilment/form.html", {
        "base": page_template(request), "form": form, "order": order,
        "action": reverse("orders:order_schedule", args=[order.pk]),
        "title": _("Schedule and production"), "submit": _("Save")})


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def shipment_create(request: HttpRequest, pk: int) -> HttpResponse:
    order = sel.get_order(request.user, pk)
    if not perms.can_execute_order(request.user, order):
        raise PermissionDenied(_("Only the delivery owner, a manager of the team or an "
                                 "administrator can record shipments."))
    form = ShipmentForm(posted(request), order=order)
    if request.method == "POST" and form.is_valid():
        try:
            execution.add_shipment(request.user, order, form.service_values(),
                                   form.shipment_lines(), form.cleaned_data.get("version"))
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Shipment recorded."))
            return done(request, reverse("orders:order", args=[order.pk]))
    return render(request, "orders/fulfilment/shipment_form.html", {
        "base": page_template(request), "form": form, "order": order,
        "action": reverse("orders:shipment_create", args=[order.pk]),
        "title": _("Record a shipment"), "submit": _("Record shipment")})


@login_required
@refusals_as_http
@require_POST
def order_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """cancel (with a reason), resubmit (after a return), deliver (every open shipment, or
    one with ``shipment``), each with the version the user read."""
    user = request.user
    order = sel.get_order(user, pk)
    raw = request.POST.get("version", "")
    version = int(raw) if raw.isdigit() else None
    try:
        if action == "cancel":
            svc.cancel_order(user, order, request.POST.get("reason", ""), version)
            note = _("Order cancelled.")
        elif action == "resubmit":
            values, lines = _resubmit_values(request, order)
            svc.resubmit_order(user, order, values, version, lines)
            note = _("Order sent to the order review again.")
        elif action == "deliver":
            target: SalesOrder | Shipment = order
            if request.POST.get("shipment"):
                target = get_visible(order.shipments.all(), pk=request.POST["shipment"])
            delivered_on = execution.DeliveryInput.parse(
                {"delivered_on": request.POST.get("delivered_on")}).delivered_on
            execution.mark_delivered(user, target, delivered_on, version=version)
            note = _("Delivery recorded.")
        else:
            raise NotFound()
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, note)
    return redirect("orders:order", pk=order.pk)


def _resubmit_values(request: HttpRequest, order: SalesOrder,
                     ) -> tuple[svc.OrderInput, list[svc.LineQuantityInput]]:
    """The changes posted with a resubmission: fields left out stay as they are."""
    data: dict[str, Any] = {}
    for key in ("special_requirements", "delivery_address", "promised_date"):
        if key in request.POST and (key != "promised_date" or request.POST[key]):
            data[key] = request.POST[key]
    lines = [{"id": line.pk, "quantity": request.POST[f"line_{line.pk}"]}
             for line in order.lines.all() if request.POST.get(f"line_{line.pk}")]
    return svc.OrderInput.parse(data), svc.LineQuantityInput.rows(lines)


# --- Creating an order ---------------------------------------------------------------------

def _convert(request: HttpRequest, source: Quote | Contract, make, back: str) -> HttpResponse:
    user = request.user
    existing = svc.existing_order(source)
    if existing is not None:
        return redirect("orders:order", pk=existing.pk)
    if not perms.can_convert_to_order(user, source):
        raise PermissionDenied(_("Only the owner, a manager of the team, finance or an "
                                 "administrator can create this order."))
    opportunity = source.opportunity
    form = ConvertForm(posted(request), finance=perms.can_override_credit(user), initial={
        "delivery_owner": getattr(opportunity, "delivery_owner_id", None),
        "collection_owner": getattr(opportunity, "collection_owner_id", None)})
    over_limit = False
    if request.method == "POST" and form.is_valid():
        try:
            order = make(user, source, form.service_values())
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            over_limit = exc.code == "over_credit_limit"
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Order %(number)s created.") % {"number": order.number})
            return done(request, reverse("orders:order", args=[order.pk]))
    lines = list(source.lines.all()) if isinstance(source, Quote) \
        else list(source.quote.lines.all()) if source.quote_id else []
    return render(request, "orders/fulfilment/convert.html", {
        "base": page_template(request), "form": form, "source": source, "back": back,
        "action": request.get_full_path(), "over_limit": over_limit, "lines": lines,
        "lines_total": sum((line.total for line in lines), Decimal("0")),
        "title": _("Create an order"), "submit": _("Create order")})


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def order_create_from_quote(request: HttpRequest, pk: int) -> HttpResponse:
    quote = get_visible(Quote.objects.visible_to(request.user).select_related(
        "account", "opportunity"), pk=pk)
    return _convert(request, quote, svc.order_from_quote,
                    reverse("customers:detail", args=[quote.account_id]))


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def order_create_from_contract(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_visible(Contract.objects.visible_to(request.user).select_related(
        "account", "opportunity", "quote"), pk=pk)
    return _convert(request, contract, svc.order_from_contract,
                    reverse("customers:detail", args=[contract.account_id]))


urls: list = [
    path("sales-orders/", order_list, name="orders"),
    path("sales-orders/deliveries/", deliveries, name="deliveries"),
    path("sales-orders/<int:pk>/", order_detail, name="order"),
    path("sales-orders/<int:pk>/status/", order_status, name="order_status"),
    path("sales-orders/<int:pk>/status/live/", order_status_fragment,
         name="order_status_fragment"),
    path("sales-orders/<int:pk>/schedule/", order_schedule, name="order_schedule"),
    path("sales-orders/<int:pk>/shipments/new/", shipment_create, name="shipment_create"),
    path("sales-orders/<int:pk>/<str:action>/", order_action, name="order_action"),
    path("quotes/<int:pk>/order/", order_create_from_quote, name="order_create_from_quote"),
    path("contracts/<int:pk>/order/", order_create_from_contract,
         name="order_create_from_contract"),
]
