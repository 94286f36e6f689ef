"""Pages of the installed base: the asset list (search by serial number, VIN or plate), the
asset page with its coverages and service history, registering and editing an asset, adding a
coverage and recording a visit with its parts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from guanxi.core.errors import DomainError, FieldErrors
from guanxi.core.forms import DateInput, add_domain_error
from guanxi.core.pages import done, page_template, posted
from guanxi.core.selectors import keyset_page
from guanxi.core.views import refusals_as_http
from guanxi.customers.selectors import find_account
from guanxi.orders.selectors.catalog import search_products
from guanxi.service import permissions as perms
from guanxi.service.models import Asset, CoverageKind
from guanxi.service.selectors import assets as sel
from guanxi.service.selectors.cases import get_case
from guanxi.service.services import assets as svc
from guanxi.service.services import records as rec
from guanxi.service.warranty import decide

PAGE_SIZE = 50
PART_ROWS = 5


class AssetFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False,
                               choices=[("", gettext_lazy("Any status")),
                                        *Asset.Status.choices])


@login_required
@refusals_as_http
def asset_list(request: HttpRequest) -> HttpResponse:
    form = AssetFilterForm(request.GET or None)
    try:
        qs = sel.filter_assets(request.user, request.GET)
        page = keyset_page(qs, "-id", request.GET.get("after") or None, PAGE_SIZE)
    except FieldErrors as exc:
        messages.error(request, exc.message)
        page = keyset_page(sel.visible_assets(request.user).none(), "-id", None, PAGE_SIZE)
    return render(request, "service/assets/list.html", {
        "form": form, "rows": page.items, "next_cursor": page.next,
        "can_create": perms.can_create_asset(request.user)})


@login_required
@refusals_as_http
def asset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    asset = sel.get_asset(request.user, pk)
    today = timezone.localdate()
    coverages = sel.asset_coverages(asset)
    return render(request, "service/assets/detail.html", {
        "asset": asset, "coverages": coverages,
        "in_force": decide(coverages, today, mileage=None),
        "records": sel.asset_records(request.user, asset),
        "can_edit": perms.can_edit_asset(request.user, asset),
        "can_add_record": perms.can_add_record(request.user, asset)})


class AssetForm(forms.Form):
    account = forms.CharField(label=gettext_lazy("Customer"),
                              help_text=gettext_lazy("Customer number or exact name"))
    product = forms.CharField(label=gettext_lazy("Product code"))
    serial_number = forms.CharField(label=gettext_lazy("Serial number"), required=False)
    vin = forms.CharField(label=gettext_lazy("VIN"), required=False, max_length=30)
    engine_number = forms.CharField(label=gettext_lazy("Engine number"), required=False)
    plate = forms.CharField(label=gettext_lazy("Plate"), required=False)
    mileage = forms.IntegerField(label=gettext_lazy("Mileage (km)"), required=False,
                                 min_value=0)
    purchase_date = forms.DateField(label=gettext_lazy("Purchase date"), required=False,
                                    widget=DateInput())
    notes = forms.CharField(label=gettext_lazy("Notes"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, asset: Asset | None = None,
                 **kwargs: Any) -> None:
        if asset is not None and not args[0]:
            kwargs["initial"] = {
                "account": asset.account.name, "product": asset.product.code,
                "serial_number": asset.serial_number, "vin": asset.vin,
                "engine_number": asset.engine_number, "plate": asset.plate,
                "mileage": asset.mileage, "purchase_date": asset.purchase_date,
                "notes": asset.notes, "version": asset.version}
        super().__init__(*args, **kwargs)
        self.user, self.asset = user, asset
        if asset is not None:
            self.fields["account"].disabled = True

    def clean_account(self) -> Any:
        if self.asset is not None:
            return self.asset.account
        account = find_account(self.user, self.cleaned_data["account"])
        if account is None:
            raise forms.ValidationError(_("No such customer."))
        return account

    def clean_product(self) -> Any:
        code = self.cleaned_data["product"].strip().upper()
        product = search_products(active=None).filter(code__iexact=code).first()
        if product is None:
            raise forms.ValidationError(_("No product with this code."))
        return product

    def values(self) -> svc.AssetInput:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        return svc.AssetInput(**data)


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def asset_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    asset = sel.get_asset(request.user, pk) if pk else None
    allowed = perms.can_edit_asset(request.user, asset) if asset else \
        perms.can_create_asset(request.user)
    if not allowed:
        raise PermissionDenied(_("You may not change the installed base."))
    form = AssetForm(posted(request), user=request.user, asset=asset)
    if request.method == "POST" and form.is_valid():
        try:
            if asset is None:
                asset = svc.create_asset(request.user, form.values())
            else:
                svc.update_asset(request.user, asset, form.values(),
                                 form.cleaned_data.get("version"))
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Asset saved."))
            return done(request, reverse("service:asset", args=[asset.pk]))
    return render(request, "service/form.html", {
        "base": page_template(request), "form": form,
        "action": request.path, "cancel": reverse("service:assets"),
        "title": _("Edit asset") if asset else _("Register an asset"), "submit": _("Save")})


class CoverageForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=CoverageKind.choices)
    starts_on = forms.DateField(label=gettext_lazy("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=gettext_lazy("Ends on"), widget=DateInput())
    max_mileage = forms.IntegerField(label=gettext_lazy("Mileage limit (km)"),
                                     required=False, min_value=0)
    parts = forms.CharField(label=gettext_lazy("Parts covered"), required=False,
                            help_text=gettext_lazy("Part numbers or their beginnings, "
                                                   "comma-separated; empty for every part."))
    description = forms.CharField(label=gettext_lazy("Description"), required=False)


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def coverage_add(request: HttpRequest, pk: int) -> HttpResponse:
    asset = sel.get_asset(request.user, pk)
    if not perms.can_edit_asset(request.user, asset):
        raise PermissionDenied(_("You may not change this asset."))
    form = CoverageForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            svc.add_coverage(request.user, asset, svc.CoverageInput(**form.cleaned_data))
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Coverage added."))
            return done(request, reverse("service:asset", args=[asset.pk]))
    return render(request, "service/form.html", {
        "base": page_template(request), "form": form, "action": request.path,
        "cancel": reverse("service:asset", args=[asset.pk]),
        "title": _("Add a warranty coverage"), "submit": _("Add")})


class RecordForm(forms.Form):
    station = forms.ModelChoiceField(label=gettext_lazy("Station"), queryset=sel.stations(
        active=True))
    technician = forms.ModelChoiceField(label=gettext_lazy("Technician"), required=False,
                                        queryset=sel.technicians(active=True))
    performed_on = forms.DateField(label=gettext_lazy("Performed on"), widget=DateInput())
    failure_on = forms.DateField(label=gettext_lazy("Failure date"), required=False,
                                 widget=DateInput())
    mileage = forms.IntegerField(label=gettext_lazy("Mileage (km)"), required=False,
                                 min_value=0)
    complaint = forms.CharField(label=gettext_lazy("Reported problem"), required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))
    work_done = forms.CharField(label=gettext_lazy("Work done"),
                                widget=forms.Textarea(attrs={"rows": 3}))
    labour_hours = forms.DecimalField(label=gettext_lazy("Labour hours"), required=False,
                                      min_value=Decimal(0), decimal_places=2)
    labour_amount = forms.DecimalField(label=gettext_lazy("Labour"), required=False,
                                       min_value=Decimal(0), decimal_places=2)
    warranty_claim = forms.BooleanField(label=gettext_lazy("Warranty claim"), required=False)
    labour_covered = forms.BooleanField(label=gettext_lazy("Labour covered by warranty"),
                                        required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(PART_ROWS):
            self.fields[f"part_{n}_number"] = forms.CharField(
                label=_("Part %(n)d: number") % {"n": n + 1}, required=False)
            self.fields[f"part_{n}_quantity"] = forms.DecimalField(
                label=_("quantity"), required=False, min_value=Decimal(0))
            self.fields[f"part_{n}_price"] = forms.DecimalField(
                label=_("unit price"), required=False, min_value=Decimal(0))
            self.fields[f"part_{n}_covered"] = forms.BooleanField(
                label=_("covered by warranty"), required=False)

    def values(self) -> rec.RecordInput:
        keys = ("station", "technician", "performed_on", "failure_on", "mileage", "complaint",
                "work_done", "labour_hours", "labour_amount", "warranty_claim",
                "labour_covered")
        return rec.RecordInput(**{k: self.cleaned_data.get(k) for k in keys})

    def parts(self) -> list[rec.PartInput]:
        d = self.cleaned_data
        return [rec.PartInput(part_number=d[f"part_{n}_number"],
                              quantity=d[f"part_{n}_quantity"],
                              unit_price=d[f"part_{n}_price"],
                              covered=d[f"part_{n}_covered"])
                for n in range(PART_ROWS) if d.get(f"part_{n}_number")]

    def add_error_for(self, exc: DomainError) -> None:
        errors = exc.errors if isinstance(exc, FieldErrors) else {exc.field: [exc.message]}
        names = {"part_number": "number", "quantity": "quantity", "unit_price": "price",
                 "covered": "covered"}
        rows = [n for n in range(PART_ROWS) if self.cleaned_data.get(f"part_{n}_number")]
        for field, msgs in errors.items():
            name = field if field in self.fields else None
            if field and field.startswith("parts["):
                index, attr = field[6:].split("].", 1)
                name = f"part_{rows[int(index)]}_{names.get(attr, 'number')}"
            for m in msgs:
                self.add_error(name, m)


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def record_add(request: HttpRequest, pk: int) -> HttpResponse:
    asset = sel.get_asset(request.user, pk)
    if not perms.can_add_record(request.user, asset):
        raise PermissionDenied(_("You may not add service records to this asset."))
    case_id = request.GET.get("case", "")
    case = get_case(request.user, case_id) if case_id.isdigit() else None
    form = RecordForm(posted(request), initial={"performed_on": timezone.localdate(),
                                                "mileage": asset.mileage})
    if request.method == "POST" and form.is_valid():
        try:
            rec.add_record(request.user, asset, form.values(), form.parts(), case=case)
        except DomainError as exc:
            form.add_error_for(exc)
        else:
            messages.success(request, _("Service record added."))
            return done(request, reverse("service:case", args=[case.pk]) if case else
                        reverse("service:asset", args=[asset.pk]))
    return render(request, "service/form.html", {
        "base": page_template(request), "form": form, "action": request.path,
        "cancel": reverse("service:asset", args=[asset.pk]),
        "title": _("Record a service visit"), "submit": _("Save")})
