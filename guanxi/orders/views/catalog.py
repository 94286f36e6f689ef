"""Pages: products, price lists and customer groups.

Every member of staff reads them (a rep checks a price before quoting); administrators and
sales managers change them. The unit cost shows only to those who may see margins."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from guanxi.core.access import get_visible
from guanxi.core.errors import DomainError, FieldErrors
from guanxi.core.forms import DateInput, add_domain_error
from guanxi.core.locale import current_currency
from guanxi.core.pages import posted
from guanxi.core.views import refusals_as_http
from guanxi.customers.models import Account
from guanxi.orders import permissions as perms
from guanxi.orders.models import CustomerGroup, Product
from guanxi.orders.selectors import catalog as sel
from guanxi.orders.services import catalog as svc

PAGE_SIZE = 50
MEMBERS_SHOWN = 200


def _editor(request: HttpRequest) -> None:
    if not perms.can_edit_catalog(request.user):
        raise PermissionDenied(_("Only administrators and sales managers change the catalogue."))


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {"can_edit": perms.can_edit_catalog(request.user),
            "can_see_cost": perms.can_see_cost(request.user), **extra}


# --- Products --------------------------------------------------------------------------------

class ProductFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False,
                             choices=[("", gettext_lazy("All kinds")), *Product.Kind.choices])
    active = forms.ChoiceField(label=gettext_lazy("Status"), required=False, choices=[
        ("yes", gettext_lazy("Active")), ("no", gettext_lazy("Inactive")),
        ("", gettext_lazy("All"))])


class ProductForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=40)
    name_zh = forms.CharField(label=gettext_lazy("Name (Chinese)"), max_length=200)
    name_en = forms.CharField(label=gettext_lazy("Name (English)"), max_length=200,
                              required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Product.Kind.choices)
    unit = forms.CharField(label=gettext_lazy("Unit"), max_length=20, initial="件",
                           help_text=gettext_lazy("e.g. 件, 台, 套, kg, hour"))
    list_price = forms.DecimalField(label=gettext_lazy("List price"), max_digits=16,
                                    decimal_places=2, initial=Decimal("0"))
    cost = forms.DecimalField(label=gettext_lazy("Unit cost"), max_digits=16,
                              decimal_places=2, required=False)
    currency = forms.CharField(label=gettext_lazy("Currency"), max_length=3,
                               initial=current_currency)
    tax_rate = forms.DecimalField(label=gettext_lazy("VAT rate (%)"), max_digits=5,
                                  decimal_places=2, initial=Decimal("13"),
                                  help_text=gettext_lazy("Usually 13, 9, 6 or 0."))
    description = forms.CharField(label=gettext_lazy("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def _product_filters(request: HttpRequest) -> tuple[ProductFilterForm, dict[str, Any]]:
    data = request.GET.copy()
    data.setdefault("active", "yes")
    form = ProductFilterForm(data)
    form.is_valid()
    cleaned = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    active = {"yes": True, "no": False}.get(cleaned.get("active") or "")
    return form, {"query": cleaned.get("q") or "", "kind": cleaned.get("kind") or None,
                  "active": active}


@login_required
@refusals_as_http
@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    form, filters = _product_filters(request)
    page = Paginator(sel.search_products(**filters).order_by("code"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    context = _context(request, form=form, page=page, products=page.object_list)
    if request.htmx and request.htmx.target == "product-table":
        return render(request, "orders/catalog/_product_table.html", context)
    return render(request, "orders/catalog/products.html", context)


@login_required
@refusals_as_http
@require_GET
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_visible(Product.objects.all(), pk=pk)
    prices = (product.prices.select_related("price_list", "price_list__group")
              .order_by("price_list__currency", "price_list__name", "min_quantity"))
    return render(request, "orders/catalog/product.html",
                  _context(request, product=product, prices=prices))


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def product_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _editor(request)
    product = get_visible(Product.objects.all(), pk=pk) if pk else None
    initial = {f: getattr(product, f) for f in svc.PRODUCT_FIELDS} | {
        "version": product.version} if product else None
    form = ProductForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        if data.get("cost") is None:
            data.pop("cost")
        try:
            if product is None:
                product = svc.create_product(request.user, svc.ProductInput(**data))
                messages.success(request, _("Product created."))
            else:
                svc.update_product(request.user, product, svc.ProductInput(**data), version)
                messages.success(request, _("Changes saved."))
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("orders:product", pk=product.pk)
    return render(request, "orders/catalog/product_form.html",
                  _context(request, form=form, product=product))


# --- Price lists -----------------------------------------------------------------------------

class PriceListForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    currency = forms.CharField(label=gettext_lazy("Currency"), max_length=3,
                               initial=current_currency)
    group = forms.ModelChoiceField(label=gettext_lazy("Customer group"), required=False,
                                   queryset=CustomerGroup.objects.all(),
                                   empty_label=gettext_lazy("Every customer"))
    valid_from = forms.DateField(label=gettext_lazy("Valid from"), required=False,
                                 widget=DateInput())
    valid_until = forms.DateField(label=gettext_lazy("Valid until"), required=False,
                                  widget=DateInput())
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def _posted_rows(request: HttpRequest) -> list[dict[str, str]]:
    """The price rows of the form, blank rows dropped (so row numbers match the page)."""
    codes = request.POST.getlist("item_code")
    prices = request.POST.getlist("item_price")
    quantities = request.POST.getlist("item_qty")
    rows = []
    for code, price, qty in zip(codes, prices, quantities, strict=False):
        if code.strip() or price.strip():
            rows.append({"product_code": code, "unit_price": price, "min_quantity": qty})
    return rows


def _row_errors(exc: DomainError, rows: list[dict]) -> tuple[dict[int, list[str]], bool]:
    """Errors named ``items.<n>.<field>`` go to their row; True when some went elsewhere."""
    errors = exc.errors if isinstance(exc, FieldErrors) else {exc.field: [exc.message]}
    by_row: dict[int, list[str]] = {}
    other = False
    for field, texts in errors.items():
        parts = (field or "").split(".")
        if len(parts) == 3 and parts[0] == "items" and parts[1].isdigit() \
                and int(parts[1]) < len(rows):
            by_row.setdefault(int(parts[1]), []).extend(texts)
        else:
            other = True
    return by_row, other


@login_required
@refusals_as_http
@require_GET
def price_list_list(request: HttpRequest) -> HttpResponse:
    lists = sel.price_lists().annotate(n_items=Count("items")).order_by(
        "currency", "-active", "name")
    return render(request, "orders/catalog/price_lists.html",
                  _context(request, price_lists=lists, today=sel.today()))


@login_required
@refusals_as_http
@require_GET
def price_list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    price_list = get_visible(sel.price_lists(), pk=pk)
    return render(request, "orders/catalog/price_list.html", _context(
        request, price_list=price_list, items=sel.price_list_items(price_list)))


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def price_list_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The list's terms and all its prices in one form; a bad row keeps everything as typed
    and shows the error on that row."""
    _editor(request)
    price_list = get_visible(sel.price_lists(), pk=pk) if pk else None
    initial = {"name": price_list.name, "currency": price_list.currency,
               "group": price_list.group_id, "valid_from": price_list.valid_from,
               "valid_until": price_list.valid_until, "active": price_list.active,
               "version": price_list.version} if price_list else None
    form = PriceListForm(posted(request), initial=initial)
    if request.method == "POST":
        rows = _posted_rows(request)
    elif price_list is not None:
        rows = [{"product_code": i.product.code, "unit_price": i.unit_price,
                 "min_quantity": i.min_quantity} for i in sel.price_list_items(price_list)]
    else:
        rows = []
    row_errors: dict[int, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            items = svc.PriceItemInput.rows(rows)
            if price_list is None:
                price_list = svc.create_price_list(request.user, svc.PriceListInput(**data),
                                                   items=items)
                messages.success(request, _("Price list created."))
            else:
                svc.update_price_list(request.user, price_list, svc.PriceListInput(**data),
                                      version, items=items)
                messages.success(request, _("Changes saved."))
        except DomainError as exc:
            row_errors, other = _row_errors(exc, rows)
            if other:
                add_domain_error(form, _without_rows(exc))
            if row_errors:
                form.add_error(None, _("Some prices need correcting: see the marked rows."))
        else:
            return redirect("orders:price_list", pk=price_list.pk)
    lines = [{"row": r, "errors": row_errors.get(n, [])} for n, r in enumerate(rows)]
    if request.method == "GET":
        lines.append({"row": {}, "errors": []})
    return render(request, "orders/catalog/price_list_form.html", _context(
        request, form=form, price_list=price_list, lines=lines,
        codes=Product.objects.filter(active=True).values_list("code", "name_zh")))


def _without_rows(exc: DomainError) -> DomainError:
    errors = exc.errors if isinstance(exc, FieldErrors) else {exc.field: [exc.message]}
    rest = {k: v for k, v in errors.items() if not (k or "").startswith("items.")}
    return FieldErrors(rest)


@login_required
@refusals_as_http
@require_GET
def price_list_row(request: HttpRequest) -> HttpResponse:
    """One empty price row, added to the form with htmx."""
    _editor(request)
    return render(request, "orders/catalog/_item_row.html", {"line": {"row": {}, "errors": []}})


# --- Customer groups -------------------------------------------------------------------------

class GroupForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def customer_group_list(request: HttpRequest) -> HttpResponse:
    form = GroupForm(posted(request))
    if request.method == "POST":
        _editor(request)
        if form.is_valid():
            try:
                group = svc.create_customer_group(request.user, form.cleaned_data["name"])
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Customer group created."))
                return redirect("orders:customer_group", pk=group.pk)
    groups = sel.customer_groups().annotate(n_lists=Count("price_lists", distinct=True))
    return render(request, "orders/catalog/customer_groups.html",
                  _context(request, groups=groups, form=form))


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def customer_group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Members (those you may see), rename, add a customer found by name, remove one."""
    group = get_visible(CustomerGroup.objects.all(), pk=pk)
    form = GroupForm(initial={"name": group.name})
    if request.method == "POST":
        _editor(request)
        action = request.POST.get("action")
        try:
            if action == "rename":
                form = GroupForm(request.POST)
                if form.is_valid():
                    svc.rename_customer_group(request.user, group, form.cleaned_data["name"])
                    messages.success(request, _("Changes saved."))
                    return redirect("orders:customer_group", pk=group.pk)
            elif action in ("add", "remove"):
                account = [request.POST.get("account")]
                svc.change_group_members(request.user, group,
                                         add=account if action == "add" else (),
                                         remove=account if action == "remove" else ())
                messages.success(request, _("Members changed."))
                return redirect("orders:customer_group", pk=group.pk)
        except DomainError as exc:
            if action == "rename":
                add_domain_error(form, exc)
            else:
                messages.error(request, exc.message)
    members, seen, hidden = sel.group_members(request.user, group, limit=MEMBERS_SHOWN)
    find = request.GET.get("find", "").strip()
    found: list[Account] = []
    if find and perms.can_edit_catalog(request.user):
        found = list(Account.objects.visible_to(request.user).filter(name__icontains=find)
                     .exclude(price_groups=group).order_by("name")[:10])
    return render(request, "orders/catalog/customer_group.html", _context(
        request, group=group, form=form, members=members, seen=seen, hidden=hidden, find=find,
        found=found, price_lists=group.price_lists.order_by("currency", "name")))


urls: list = [
    path("products/", product_list, name="products"),
    path("products/new/", product_form, name="product_create"),
    path("products/<int:pk>/", product_detail, name="product"),
    path("products/<int:pk>/edit/", product_form, name="product_edit"),
    path("price-lists/", price_list_list, name="price_lists"),
    path("price-lists/new/", price_list_form, name="price_list_create"),
    path("price-lists/row/", price_list_row, name="price_list_row"),
    path("price-lists/<int:pk>/", price_list_detail, name="price_list"),
    path("price-lists/<int:pk>/edit/", price_list_form, name="price_list_edit"),
    path("customer-groups/", customer_group_list, name="customer_groups"),
    path("customer-groups/<int:pk>/", customer_group_detail, name="customer_group"),
]
