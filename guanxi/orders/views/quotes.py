"""Pages of quotes: the list, the quote page with its actions and versions, the editor with
lines priced live on the server, sending by e-mail and the PDF download.

Each view reads through the scoped selector (404 for missing and not visible alike), calls
one service and answers; refusals show at the field or the line."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.accounts.models import User
from guanxi.core.errors import DomainError, FieldErrors, Forbidden, NotFound
from guanxi.core.forms import DateInput, PickerField, add_domain_error, bind_pickers
from guanxi.core.pages import done, page_template, posted
from guanxi.core.recent import remember
from guanxi.core.selectors import keyset_page
from guanxi.core.views import refusals_as_http
from guanxi.customers.models import Account, Contact
from guanxi.customers.selectors import find_account
from guanxi.orders import permissions as perms
from guanxi.orders.models import Product, Quote, QuoteLine
from guanxi.orders.pages import QuoteDraft, quote_editor
from guanxi.orders.selectors import quotes as sel
from guanxi.orders.services import pdf
from guanxi.orders.services import quotes as svc
from guanxi.orders.services.quotes import S
from guanxi.sales.selectors.opportunities import account_opportunity, visible_opportunities

PAGE_SIZE = 50


# --- Forms ---------------------------------------------------------------------------------

class FilterForm(forms.Form):
    STATUSES = [("", gettext_lazy("All current")), ("live", gettext_lazy("Open")),
                *S.choices, ("all", gettext_lazy("All versions"))]
    q = forms.CharField(label=gettext_lazy("Search"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=STATUSES, required=False)
    owner = forms.ChoiceField(label=gettext_lazy("Owner"), required=False, choices=[
        ("", gettext_lazy("Anyone")), ("me", gettext_lazy("Mine"))])
    account = forms.IntegerField(widget=forms.HiddenInput, required=False)
    after = forms.CharField(widget=forms.HiddenInput, required=False)


class ChooseCustomerForm(forms.Form):
    """The first step of a new quote from the quote list: whom it is for."""

    customer = PickerField("customer", label=gettext_lazy("Customer"),
                           not_found=gettext_lazy("No customer you can see has this name or "
                                                  "number."))

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)


class QuoteForm(forms.Form):
    """The quote's own fields; the lines come as parallel lists (see ``_posted_lines``)."""

    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False)
    contact = forms.ModelChoiceField(label=gettext_lazy("Contact"), required=False,
                                     queryset=Contact.objects.none())
    opportunity = forms.ModelChoiceField(label=gettext_lazy("Opportunity"), required=False,
                                         queryset=None)
    currency = forms.CharField(label=gettext_lazy("Currency"), max_length=3, required=False)
    issue_date = forms.DateField(label=gettext_lazy("Date"), required=False,
                                 widget=DateInput())
    valid_until = forms.DateField(label=gettext_lazy("Valid until"), required=False,
                                  widget=DateInput())
    discount_percent = forms.DecimalField(label=gettext_lazy("Quote discount (%)"),
                                          required=False, decimal_places=2, max_digits=6)
    terms = forms.CharField(label=gettext_lazy("Terms"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    notes = forms.CharField(label=gettext_lazy("Internal notes"), required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, account: Account, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = account.contacts.filter(is_active=True)
        self.fields["opportunity"].queryset = visible_opportunities(user).filter(
            account=account)
        self.fields["discount_percent"].widget.attrs.update(
            {"hx-post": reverse("orders:quote_lines"), "hx-target": "#quote-lines",
             "hx-swap": "outerHTML", "hx-trigger": "change", "hx-include": "#quote-form"})

    def service_data(self) -> svc.QuoteInput:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        if data.get("discount_percent") is None:
            data["discount_percent"] = Decimal("0")
        for key in ("issue_date", "valid_until", "currency"):
            if not data.get(key):
                data.pop(key)
        return svc.QuoteInput(**data)


class SendForm(forms.Form):
    to = forms.EmailField(label=gettext_lazy("To"))
    language = forms.ChoiceField(label=gettext_lazy("Language of the e-mail"), choices=[
        ("zh-hans", "中文"), ("en", "English")])
    message = forms.CharField(label=gettext_lazy("Message"), required=False,
                              widget=forms.Textarea(attrs={"rows": 5}))
    version = forms.IntegerField(widget=forms.HiddenInput)


# --- The editor's lines --------------------------------------------------------------------

@dataclass
class Row:
    """One line of the editor: what was typed, its errors and (when valid) its amounts."""

    product: str = ""
    quantity: str = ""
    unit_price: str = ""
    discount_percent: str = ""
    description: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    line: QuoteLine | None = None
    label: str = ""

    def as_input(self) -> dict[str, str]:
        data = {"product": self.product, "quantity": self.quantity,
                "unit_price": self.unit_price, "discount_percent": self.discount_percent,
                "description": self.description}
        return {k: v for k, v in data.items() if v not in ("", None)}


def _lines(rows: list[Row]) -> list[svc.QuoteLineInput]:
    """The rows as typed, parsed once; a value that is not a number is an error on its row."""
    return svc.QuoteLineInput.rows([r.as_input() for r in rows])


def _posted_rows(request: HttpRequest) -> list[Row]:
    columns = [request.POST.getlist(f"line_{name}") for name in
               ("product", "quantity", "unit_price", "discount_percent", "description")]
    rows = []
    for values in zip(*columns, strict=False):
        row = Row(*[(v or "").strip() for v in values])
        if row.product or row.quantity or row.unit_price:
            rows.append(row)
    return rows


def _rows_of(quote: Quote) -> list[Row]:
    # A price equal to the customer's price is left empty, so it follows quantity breaks.
    return [Row(product=str(li.product_id), quantity=f"{li.quantity.normalize():f}",
                unit_price="" if li.unit_price == li.list_price else str(li.unit_price),
                discount_percent=f"{li.discount_percent.normalize():f}"
                if li.discount_percent else "",
                description=li.description if li.description != li.product.name_zh else "",
                line=li) for li in sel.lines_of(quote)]


def _price(rows: list[Row], account: Account, currency: str, discount: Decimal,
           issue_date: dt.date | None) -> tuple[Any, dict[str, list[str]]]:
    """Price ``rows`` through the same service the save uses; errors land on their rows."""
    try:
        priced = svc.price_quote_lines(account, _lines(rows),
                                       currency or account.currency or "CNY",
                                       issue_date or timezone.localdate(), discount)
    except FieldErrors as exc:
        _attach(rows, exc.errors)
        return None, exc.errors
    for row, line in zip(rows, priced.lines, strict=True):
        row.line = line
    return priced.totals, {}


def _attach(rows: list[Row], errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Put ``lines[i].field`` errors on row i; return the others."""
    rest = {}
    for key, messages_ in errors.items():
        if key and key.startswith("lines[") and "]" in key:
            index, _sep, name = key[6:].partition("]")
            if index.isdigit() and int(index) < len(rows):
                rows[int(index)].errors[name.lstrip(".") or "product"] = messages_[0]
                continue
        rest[key] = messages_
    return rest


def _label_rows(rows: list[Row]) -> None:
    """What the product picker of each row shows: the chosen product's code and name."""
    ids = {int(r.product) for r in rows if r.product.isdigit() and len(r.product) < 16}
    products = {p.pk: p for p in Product.objects.filter(pk__in=ids)
                .only("pk", "code", "name_zh", "name_en")} if ids else {}
    for row in rows:
        product = products.get(int(row.product)) if row.product.isdigit() \
            and len(row.product) < 16 else None
        row.label = f"{product.code} {product.label}" if product else row.product


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value or "0"))
    except ArithmeticError:
        return Decimal("0")


def _lines_context(rows: list[Row], totals: Any, currency: str,
                   errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    _label_rows(rows)
    return {"rows": rows, "totals": totals, "currency": currency or "CNY",
            "line_errors": errors or {}}


# --- List ----------------------------------------------------------------------------------

@login_required
@refusals_as_http
def quote_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = FilterForm(request.GET or None)
    data = dict(form.cleaned_data) if form.is_bound and form.is_valid() else {}
    try:
        qs = sel.filter_quotes(user, request.GET)
    except FieldErrors as exc:
        messages.error(request, exc.message)
        qs = sel.visible_quotes(user).none()
    qs = qs.select_related("account", "owner")
    try:
        page = keyset_page(qs, "-issue_date", data.get("after") or None, PAGE_SIZE)
    except FieldErrors:
        page = keyset_page(qs, "-issue_date", None, PAGE_SIZE)
    account = Account.objects.visible_to(user).filter(pk=data["account"]).first() \
        if data.get("account") else None
    context = {"form": form, "rows": page.items, "next_cursor": page.next,
               "paged": bool(data.get("after")), "account": account,
               "filtered": any(v for k, v in request.GET.items() if k != "after"),
               "can_create": perms.can_create_quote(user)}
    if request.htmx and request.htmx.target == "quote-table":
        return render(request, "orders/quotes/_table.html", context)
    return render(request, "orders/quotes/list.html", context)


# --- Detail --------------------------------------------------------------------------------

@login_required
@refusals_as_http
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    quote = sel.get_quote(user, pk)
    remember(request, "quote", quote.pk, f"{quote} · {quote.account.name}", request.path)
    steps = list(quote.review.steps.select_related("decided_by").order_by("position")) \
        if quote.review_id else []
    return render(request, "orders/quotes/detail.html", {
        "quote": quote, "lines": sel.lines_of(quote), "versions": sel.revisions_of(quote),
        "actions": svc.actions_for(user, quote), "steps": steps,
    })


# --- Create and edit -----------------------------------------------------------------------

@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def quote_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not perms.can_create_quote(user):
        raise PermissionDenied(_("Your role cannot write quotes."))
    raw = request.POST.get("account") or request.GET.get("account") \
        or request.GET.get("customer")
    account = find_account(request.user, raw)
    if account is None:
        if request.GET.get("account") or request.POST.get("account"):
            raise NotFound()
        choose = ChooseCustomerForm(request.GET or None, user=user)
        if choose.is_bound:
            choose.is_valid()  # shows why the typed customer was not found
        return render(request, "orders/quotes/choose_customer.html", {"form": choose})
    opportunity = None
    if request.GET.get("opportunity", "").isdigit():
        opportunity = account_opportunity(user, account, request.GET["opportunity"])
    initial = {"currency": account.currency, "opportunity": opportunity,
               "contact": account.contacts.filter(is_active=True).first()}
    form = QuoteForm(posted(request), account=account, user=user, initial=initial)
    if request.method == "POST":
        rows = _posted_rows(request)
        if form.is_valid():
            try:
                quote = svc.create_quote(user, account, form.service_data(), _lines(rows))
            except (Forbidden, NotFound):
                raise
            except DomainError as exc:
                _show(form, rows, exc)
            else:
                messages.success(request, _("Quote %(number)s saved.")
                                 % {"number": quote.display_number})
                return done(request, reverse("orders:quote", args=[quote.pk]))
        return _editor(request, form, account, rows, None)
    return _editor(request, form, account, [Row()], None)


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def quote_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    quote = sel.get_quote(user, pk)
    if not perms.can_edit_quote(user, quote):
        raise PermissionDenied(_("You may not change this quote."))
    if quote.status not in svc.EDITABLE:
        messages.error(request, _("Only a draft or rejected quote can be edited; revise an "
                                  "approved or sent quote instead."))
        return done(request, reverse("orders:quote", args=[quote.pk]))
    initial = {"title": quote.title, "contact": quote.contact,
               "opportunity": quote.opportunity, "currency": quote.currency,
               "issue_date": quote.issue_date, "valid_until": quote.valid_until,
               "discount_percent": quote.discount_percent, "terms": quote.terms,
               "notes": quote.notes, "version": quote.version}
    form = QuoteForm(posted(request), account=quote.account, user=user, initial=initial)
    if request.method == "POST":
        rows = _posted_rows(request)
        if form.is_valid():
            try:
                svc.update_quote(user, quote, form.service_data(), _lines(rows),
                                 form.cleaned_data["version"])
            except (Forbidden, NotFound):
                raise
            except DomainError as exc:
                _show(form, rows, exc)
            else:
                messages.success(request, _("Quote %(number)s saved.")
                                 % {"number": quote.display_number})
                return done(request, reverse("orders:quote", args=[quote.pk]))
        return _editor(request, form, quote.account, rows, quote)
    return _editor(request, form, quote.account, _rows_of(quote) or [Row()], quote)


def _show(form: forms.Form, rows: list[Row], exc: DomainError) -> None:
    """Errors of lines on their rows, the others at the form's fields."""
    errors = exc.errors if isinstance(exc, FieldErrors) else {exc.field: [exc.message]}
    rest = _attach(rows, errors)
    if rest:
        add_domain_error(form, FieldErrors(rest))


def _editor(request: HttpRequest, form: QuoteForm, account: Account, rows: list[Row],
            quote: Quote | None) -> HttpResponse:
    data = form.cleaned_data if form.is_bound and hasattr(form, "cleaned_data") else {}
    currency = data.get("currency") or (quote.currency if quote else account.currency)
    discount = data.get("discount_percent") if data.get("discount_percent") is not None \
        else (quote.discount_percent if quote else Decimal("0"))
    if any(r.errors for r in rows):
        totals = None
    else:
        totals, _errors = _price(rows, account, currency, _decimal(discount),
                                 data.get("issue_date"))
    products = tuple(int(r.product) for r in rows if str(r.product).isdigit())
    return render(request, "orders/quotes/form.html", {
        "form": form, "account": account, "quote": quote,
        "panels": quote_editor.bind(request, QuoteDraft(account, quote, products)),
        "action": reverse("orders:quote_edit", args=[quote.pk]) if quote
        else reverse("orders:quote_create"),
        **_lines_context(rows, totals, currency)})


@login_required
@refusals_as_http
@require_POST
def quote_lines(request: HttpRequest) -> HttpResponse:
    """The editor's lines and totals, recalculated from what is typed (htmx). ``add`` adds an
    empty line, ``remove`` (an index) takes one out."""
    if not perms.can_create_quote(request.user):
        raise PermissionDenied(_("Your role cannot write quotes."))
    account = find_account(request.user, request.POST.get("account"))
    if account is None:
        raise Http404
    rows = _posted_rows(request)
    for row in rows:  # a product just picked starts with one of it
        if row.product and not row.quantity:
            row.quantity = "1"
    remove = request.POST.get("remove", "")
    if remove.isdigit() and int(remove) < len(rows):
        rows.pop(int(remove))
    currency = (request.POST.get("currency") or account.currency or "CNY").strip().upper()
    discount = _decimal(request.POST.get("discount_percent"))
    errors: dict[str, list[str]] = {}
    totals = None
    if rows:
        if not Decimal("0") <= discount <= Decimal("100"):
            errors = {"discount_percent": [_("A discount is between 0 and 100 percent.")]}
        else:
            try:
                issue_date = dt.date.fromisoformat(request.POST.get("issue_date") or "")
            except ValueError:
                issue_date = None
            totals, errors = _price(rows, account, currency, discount, issue_date)
            errors = {k: v for k, v in errors.items() if not k.startswith("lines[")}
    if request.POST.get("add") or not rows:
        rows.append(Row())
    return render(request, "orders/quotes/_lines.html",
                  _lines_context(rows, totals, currency, errors))


# --- Actions -------------------------------------------------------------------------------

ACTIONS = ("submit", "accept", "decline", "revise", "cancel")


@login_required
@refusals_as_http
@require_POST
def quote_action(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit for approval, accept, decline (with a reason), revise or cancel."""
    user = request.user
    quote = sel.get_quote(user, pk)
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        raise Http404
    version = request.POST.get("version")
    version = int(version) if (version or "").isdigit() else None
    reason = request.POST.get("reason", "")
    target = quote
    try:
        if action == "submit":
            svc.submit_quote(user, quote, version)
            quote.refresh_from_db()
            messages.success(request, _("Approved: no discount needs approval.")
                             if quote.status == S.APPROVED
                             else _("Submitted for discount approval."))
        elif action == "accept":
            svc.accept_quote(user, quote, version)
            messages.success(request, _("Quote accepted."))
        elif action == "decline":
            svc.decline_quote(user, quote, reason, version)
            messages.success(request, _("Quote declined."))
        elif action == "revise":
            target = svc.revise_quote(user, quote, version)
            messages.success(request, _("New version %(number)s: change it and submit it "
                                        "again.") % {"number": target.display_number})
            return done(request, reverse("orders:quote_edit", args=[target.pk]))
        elif action == "cancel":
            svc.cancel_quote(user, quote, version, reason)
            messages.success(request, _("Quote cancelled."))
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    return done(request, reverse("orders:quote", args=[target.pk]))


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def quote_send(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    quote = sel.get_quote(user, pk)
    if not perms.can_edit_quote(user, quote):
        raise PermissionDenied(_("You may not send this quote."))
    initial = {"to": quote.sent_to or (quote.contact.email if quote.contact else "")
               or quote.account.email, "version": quote.version, "language": "zh-hans"}
    form = SendForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            svc.send_quote(user, quote, data["to"], data["message"], data["version"],
                           language=data["language"])
        except (Forbidden, NotFound):
            raise
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Quote %(number)s is on its way to %(to)s.")
                             % {"number": quote.display_number, "to": data["to"]})
            return done(request, reverse("orders:quote", args=[quote.pk]))
    return render(request, "orders/quotes/send.html", {
        "form": form, "quote": quote, "base": page_template(request),
        "action": reverse("orders:quote_send", args=[quote.pk])})


@login_required
@refusals_as_http
def quote_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    quote = sel.get_quote(request.user, pk)
    language = request.GET.get("language") or "zh-hans"
    if language not in svc.LANGUAGES:
        language = "zh-hans"
    try:
        document = pdf.quote_pdf(quote, language)
    except pdf.PdfUnavailable as exc:
        return render(request, "orders/quotes/pdf_unavailable.html",
                      {"quote": quote, "error": exc.message}, status=503)
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf.filename(quote)}"'
    return response


urls = [
    path("quotes/", quote_list, name="quotes"),
    path("quotes/new/", quote_create, name="quote_create"),
    path("quotes/lines/", quote_lines, name="quote_lines"),
    path("quotes/<int:pk>/", quote_detail, name="quote"),
    path("quotes/<int:pk>/edit/", quote_edit, name="quote_edit"),
    path("quotes/<int:pk>/send/", quote_send, name="quote_send"),
    path("quotes/<int:pk>/action/", quote_action, name="quote_action"),
    path("quotes/<int:pk>/pdf/", quote_pdf, name="quote_pdf"),
]
