"""Pages of tenders (招投标), contracts with their contract review, and their documents.

Each view reads through the scoped selectors (404 for missing and not visible alike), calls
one service and answers; refusals show at the field. Files are only ever served here, as
attachments, after the parent record's visibility was checked.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.core import uploads
from guanxi.core.errors import DomainError, FieldErrors, Forbidden, NotFound
from guanxi.core.forms import (
    DateInput,
    DateTimeInput,
    PickerWidget,
    add_domain_error,
    bind_pickers,
)
from guanxi.core.locale import current_currency
from guanxi.core.pages import done, page_template, posted
from guanxi.core.recent import remember
from guanxi.core.views import refusals_as_http
from guanxi.customers.models import Account
from guanxi.customers.selectors import find_account
from guanxi.orders import documents
from guanxi.orders import permissions as perms
from guanxi.orders.models import Contract, Tender
from guanxi.orders.selectors import deals as sel
from guanxi.orders.services import contracts as contract_svc
from guanxi.orders.services import tenders as tender_svc

PAGE_SIZE = 100
DATETIME = DateTimeInput()
DATE = DateInput()


# --- Forms ---------------------------------------------------------------------------------

class TenderForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("Tender number"), max_length=60)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    issuer = forms.CharField(label=gettext_lazy("Issuer"), max_length=200)
    customer = forms.CharField(label=gettext_lazy("Customer"), max_length=200,
                               widget=PickerWidget("customer"))
    opportunity = forms.TypedChoiceField(label=gettext_lazy("Opportunity"), coerce=int,
                                         required=False, empty_value=None)
    deadline = forms.DateTimeField(label=gettext_lazy("Bid deadline"), widget=DATETIME)
    opening_at = forms.DateTimeField(label=gettext_lazy("Bid opening"), required=False,
                                     widget=DATETIME)
    budget = forms.DecimalField(label=gettext_lazy("Budget"), max_digits=16, decimal_places=2,
                                required=False)
    bid_amount = forms.DecimalField(label=gettext_lazy("Our bid"), max_digits=16,
                                    decimal_places=2, required=False)
    currency = forms.CharField(label=gettext_lazy("Currency"), max_length=3,
                               initial=current_currency)
    bond_status = forms.ChoiceField(label=gettext_lazy("Bond status"),
                                    choices=Tender.BondStatus.choices)
    bond_amount = forms.DecimalField(label=gettext_lazy("Bond amount"), max_digits=16,
                                     decimal_places=2, required=False, initial=0)
    bond_due = forms.DateField(label=gettext_lazy("Bond due"), required=False, widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, account: Account | None = None,
                 tender: Tender | None = None, user: Any = None, **kwargs: Any) -> None:
        if tender is not None:
            kwargs.setdefault("initial", {
                **{k: getattr(tender, k) for k in (
                    "number", "title", "issuer", "budget", "bid_amount", "currency",
                    "bond_status", "bond_amount", "bond_due", "version")},
                "deadline": timezone.localtime(tender.deadline),
                "opening_at": timezone.localtime(tender.opening_at)
                if tender.opening_at else None,
                "opportunity": tender.opportunity_id})
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)
        self.account = account or (tender.account if tender else None)
        if self.account is not None:
            del self.fields["customer"]
            from guanxi.sales.selectors.opportunities import visible_opportunities

            opps = visible_opportunities(user).filter(account=self.account)
            self.fields["opportunity"].choices = [("", "—")] + [(o.pk, o.name) for o in opps]
        else:
            del self.fields["opportunity"]

    def service_values(self) -> tender_svc.TenderInput:
        return tender_svc.TenderInput(**{k: v for k, v in self.cleaned_data.items()
                                         if k not in ("customer", "version")})


class ResultForm(forms.Form):
    result = forms.ChoiceField(label=gettext_lazy("Result"), widget=forms.RadioSelect,
                               choices=[c for c in Tender.Result.choices if c[0] != "pending"])
    winner = forms.CharField(label=gettext_lazy("Winning bidder"), max_length=200,
                             required=False)
    note = forms.CharField(label=gettext_lazy("Result details"), max_length=300,
                           required=False)
    close_opportunity = forms.BooleanField(
        label=gettext_lazy("Lost: also close the opportunity as lost (tender not won)"),
        required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput)


class BondForm(forms.Form):
    bond_status = forms.ChoiceField(label=gettext_lazy("Bond status"),
                                    choices=Tender.BondStatus.choices)
    bond_amount = forms.DecimalField(label=gettext_lazy("Bond amount"), max_digits=16,
                                     decimal_places=2, required=False)
    bond_due = forms.DateField(label=gettext_lazy("Bond due"), required=False, widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ContractForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False)
    customer = forms.CharField(label=gettext_lazy("Customer"), max_length=200,
                               widget=PickerWidget("customer"))
    opportunity = forms.TypedChoiceField(label=gettext_lazy("Opportunity"), coerce=int,
                                         required=False, empty_value=None)
    amount = forms.DecimalField(label=gettext_lazy("Amount"), max_digits=16, decimal_places=2,
                                required=False)
    currency = forms.CharField(label=gettext_lazy("Currency"), max_length=3, required=False)
    payment_terms = forms.CharField(label=gettext_lazy("Payment terms"), max_length=200,
                                    required=False)
    delivery_terms = forms.CharField(label=gettext_lazy("Delivery terms"), max_length=200,
                                     required=False)
    starts_on = forms.DateField(label=gettext_lazy("Starts"), required=False, widget=DATE)
    ends_on = forms.DateField(label=gettext_lazy("Ends"), required=False, widget=DATE)
    notes = forms.CharField(label=gettext_lazy("Notes"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, account: Account | None = None,
                 contract: Contract | None = None, user: Any = None, **kwargs: Any) -> None:
        if contract is not None:
            kwargs.setdefault("initial", {
                **{k: getattr(contract, k) for k in (
                    "title", "amount", "currency", "payment_terms", "delivery_terms",
                    "starts_on", "ends_on", "notes", "version")},
                "opportunity": contract.opportunity_id})
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)
        self.account = account or (contract.account if contract else None)
        if self.account is not None:
            del self.fields["customer"]
            from guanxi.sales.selectors.opportunities import visible_opportunities

            opps = visible_opportunities(user).filter(account=self.account)
            self.fields["opportunity"].choices = [("", "—")] + [(o.pk, o.name) for o in opps]
        else:
            del self.fields["opportunity"]

    def service_values(self, from_source: bool = False) -> contract_svc.ContractInput:
        data = {k: v for k, v in self.cleaned_data.items()
                if k not in ("customer", "version")}
        if from_source:  # empty fields take the quote's or tender's values
            data = {k: v for k, v in data.items() if v not in (None, "")}
        else:
            data["amount"] = data.get("amount") or Decimal("0")
            data["currency"] = data.get("currency") or "CNY"
        return contract_svc.ContractInput(**data)


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"))
    kind = forms.CharField(label=gettext_lazy("Kind"), max_length=40, required=False,
                           help_text=gettext_lazy("e.g. tender documents, our bid, "
                                                  "clarification"))


class TenderFilters(forms.Form):
    q = forms.CharField(required=False, max_length=100, label=gettext_lazy("Search"))
    result = forms.ChoiceField(label=gettext_lazy("Result"), required=False, choices=[
        ("", gettext_lazy("All")), ("open", gettext_lazy("Open or submitted")),
        *Tender.Result.choices])
    bond = forms.ChoiceField(label=gettext_lazy("Bond status"), required=False,
                             choices=[("", gettext_lazy("All")), *Tender.BondStatus.choices])
    upcoming = forms.BooleanField(label=gettext_lazy("Deadline within 7 days"),
                                  required=False)


class ContractFilters(forms.Form):
    q = forms.CharField(required=False, max_length=100, label=gettext_lazy("Search"))
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False,
                               choices=[("", gettext_lazy("All")), *Contract.Status.choices])
    waiting = forms.ChoiceField(label=gettext_lazy("Review"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["waiting"].choices = [
            ("", gettext_lazy("Any")), ("review", gettext_lazy("Waiting for review")),
            ("overdue", gettext_lazy("Overdue reviews")),
            *[(str(pos), _("Waiting at: %(step)s") % {"step": name})
              for pos, name in sel.waiting_step_names()]]


def _filtered(request: HttpRequest, select: Any, empty: Any) -> Any:
    """The list's selector over the query string (as the API and the export read it); a
    filter it cannot read is a message over an empty list."""
    try:
        return select(request.user, request.GET)
    except FieldErrors as exc:
        messages.error(request, exc.message)
        return empty(request.user).none()


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


# --- Tenders -------------------------------------------------------------------------------

@login_required
@refusals_as_http
def tender_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = TenderFilters(request.GET or None)
    rows = list(_filtered(request, sel.filter_tenders, sel.visible_tenders)[:PAGE_SIZE + 1])
    now = timezone.now()
    for tender in rows:
        tender.soon = sel.deadline_soon(tender, now)
    return render(request, "orders/deals/tenders.html", {
        "form": form, "rows": rows[:PAGE_SIZE], "more": len(rows) > PAGE_SIZE,
        "filtered": any(request.GET.values()),
        "can_create": perms.can_create_deal(user)})


@login_required
@refusals_as_http
def tender_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    tender = sel.get_tender(user, pk)
    can_write = perms.can_write_tender(user, tender)
    docs = documents.listed(user, tender)
    return render(request, "orders/deals/tender.html", {
        "tender": tender, "can_write": can_write, "documents": docs,
        "can_bond": perms.can_change_bond(user, tender),
        "soon": sel.deadline_soon(tender),
        "contracts": sel.visible_contracts(user).filter(tender=tender),
        "upload_form": UploadForm(),
        "can_contract": can_write and tender.result == Tender.Result.WON})


def _tender_form_page(request: HttpRequest, form: TenderForm, *, title: str, submit: str,
                      action: str, tender: Tender | None = None) -> HttpResponse:
    return render(request, "orders/deals/form.html", {
        "base": page_template(request), "form": form, "title": title, "submit": submit,
        "action": action, "account": form.account,
        "cancel": reverse("orders:tender", args=[tender.pk]) if tender
        else reverse("orders:tenders")})


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def tender_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not perms.can_create_deal(user):
        raise PermissionDenied(_("Your role cannot enter tenders."))
    account = find_account(request.user, request.GET.get("account"))
    if request.GET.get("account") and account is None:
        raise NotFound()
    initial = {"opportunity": request.GET.get("opportunity")} \
        if str(request.GET.get("opportunity", "")).isdigit() else {}
    form = TenderForm(posted(request), account=account, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        target = account or find_account(request.user, form.cleaned_data.get("customer"))
        if target is None:
            form.add_error("customer", _("No customer you can see has this name or number."))
        else:
            try:
                tender = tender_svc.create_tender(user, target, form.service_values())
            except (Forbidden, NotFound):
                raise
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Tender entered."))
                return done(request, reverse("orders:tender", args=[tender.pk]))
    return _tender_form_page(request, form, title=_("New tender"), submit=_("Save"),
                             action=request.get_full_path())


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def tender_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    tender = sel.get_tender(user, pk)
    tender_svc.require_write(user, tender)
    form = TenderForm(posted(request), tender=tender, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            tender_svc.update_tender(user, tender, form.cleaned_data.get("version"),
                                     form.service_values())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return done(request, reverse("orders:tender", args=[tender.pk]))
    return _tender_form_page(request, form, title=_("Edit tender"), submit=_("Save"),
                             action=reverse("orders:tender_edit", args=[tender.pk]),
                             tender=tender)


def _small_form(request: HttpRequest, form: forms.Form, save, *, back: str, saved: str,
                title: str, submit: str, action: str, account: Account) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except (Forbidden, NotFound):
            raise
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, saved)
            return done(request, back)
    return render(request, "orders/deals/form.html", {
        "base": page_template(request), "form": form, "title": title, "submit": submit,
        "action": action, "account": account, "cancel": back})


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def tender_result(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    tender = sel.get_tender(user, pk)
    tender_svc.require_write(user, tender)
    form = ResultForm(posted(request), initial={
        "version": tender.version, "winner": tender.winner, "note": tender.result_note,
        "result": None if tender.result == Tender.Result.PENDING else tender.result})
    return _small_form(
        request, form,
        lambda d: tender_svc.record_result(user, tender, d["version"], d["result"],
                                           note=d["note"], winner=d["winner"],
                                           close_opportunity=d["close_opportunity"]),
        back=reverse("orders:tender", args=[tender.pk]), saved=_("Result recorded."),
        title=_("Tender result"), submit=_("Save"), account=tender.account,
        action=reverse("orders:tender_result", args=[tender.pk]))


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def tender_bond(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    tender = sel.get_tender(user, pk)
    if not perms.can_change_bond(user, tender):
        raise PermissionDenied(_("Only finance or whoever may edit the tender can change its "
                                 "bond."))
    form = BondForm(posted(request), initial={
        "version": tender.version, "bond_status": tender.bond_status,
        "bond_amount": tender.bond_amount, "bond_due": tender.bond_due})
    return _small_form(
        request, form,
        lambda d: tender_svc.set_bond(user, tender, d["version"], d["bond_status"],
                                      d["bond_amount"], d["bond_due"]),
        back=reverse("orders:tender", args=[tender.pk]), saved=_("Bond updated."),
        title=_("Bid bond"), submit=_("Save"), account=tender.account,
        action=reverse("orders:tender_bond", args=[tender.pk]))


def _upload(request: HttpRequest, back: str, **parent: Any) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file."))
        return redirect(back)
    try:
        documents.store_upload(request.user, form.cleaned_data["file"],
                               kind=form.cleaned_data["kind"], **parent)
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Document attached."))
    return redirect(back)


@login_required
@refusals_as_http
@require_POST
def tender_document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    tender = sel.get_tender(request.user, pk)
    return _upload(request, reverse("orders:tender", args=[tender.pk]), tender=tender)


# --- Contracts -----------------------------------------------------------------------------

@login_required
@refusals_as_http
def contract_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ContractFilters(request.GET or None)
    rows = list(_filtered(request, sel.filter_contracts,
                          sel.visible_contracts)[:PAGE_SIZE + 1])
    return render(request, "orders/deals/contracts.html", {
        "form": form, "rows": rows[:PAGE_SIZE], "more": len(rows) > PAGE_SIZE,
        "filtered": any(request.GET.values()),
        "can_create": perms.can_create_deal(user)})


@login_required
@refusals_as_http
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    contract = sel.get_contract(user, pk)
    remember(request, "contract", contract.pk, f"{contract} · {contract.account.name}",
             request.path)
    can_write = perms.can_write_contract(user, contract)
    docs = documents.listed(user, contract)
    status = contract.current_status
    return render(request, "orders/deals/contract.html", {
        "contract": contract, "can_write": can_write, "documents": docs,
        "contract_waits": sel.where_waits(contract.review),
        "history": sel.reviews_history(contract),
        "upload_form": UploadForm(),
        "can_edit": perms.can_edit_contract(user, contract),
        "can_submit": can_write and status in contract_svc.SUBMITTABLE,
        "can_sign": can_write and status == Contract.Status.APPROVED,
        "can_cancel": can_write and status in perms.CONTRACT_CANCELLABLE,
        "today": timezone.localdate()})


def _contract_form_page(request: HttpRequest, form: ContractForm, *, title: str,
                        action: str, cancel: str, source: Any = None) -> HttpResponse:
    return render(request, "orders/deals/form.html", {
        "base": page_template(request), "form": form, "title": title, "submit": _("Save"),
        "action": action, "account": form.account, "cancel": cancel, "source": source})


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def contract_create(request: HttpRequest) -> HttpResponse:
    """A new draft; ``?quote=<id>`` of an accepted quote or ``?tender=<id>`` of a won tender
    fills in the customer, amount and opportunity."""
    user = request.user
    if not perms.can_create_deal(user):
        raise PermissionDenied(_("Your role cannot draw up contracts."))
    quote = tender = None
    if request.GET.get("quote"):
        quote = sel.get_visible_quote(user, request.GET["quote"])
    elif request.GET.get("tender"):
        tender = sel.get_tender(user, request.GET["tender"])
    source = quote or tender
    account = source.account if source else find_account(request.user, request.GET.get("account"))
    if request.GET.get("account") and account is None:
        raise NotFound()
    initial: dict[str, Any] = {}
    if quote is not None:
        initial = {"title": quote.title, "amount": quote.total, "currency": quote.currency,
                   "opportunity": quote.opportunity_id}
    elif tender is not None:
        initial = {"title": tender.title, "amount": tender.bid_amount,
                   "currency": tender.currency, "opportunity": tender.opportunity_id}
    form = ContractForm(posted(request), account=account, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        target = account or find_account(request.user, form.cleaned_data.get("customer"))
        if target is None:
            form.add_error("customer", _("No customer you can see has this name or number."))
        else:
            try:
                contract = contract_svc.create_contract(
                    user, target, form.service_values(from_source=source is not None),
                    quote=quote, tender=tender)
            except (Forbidden, NotFound):
                raise
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Contract drawn up."))
                return done(request, reverse("orders:contract", args=[contract.pk]))
    return _contract_form_page(request, form, title=_("New contract"),
                               action=request.get_full_path(),
                               cancel=reverse("orders:contracts"), source=source)


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def contract_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    contract = sel.get_contract(user, pk)
    tender_svc.require_write(user, contract)
    if contract.current_status not in perms.CONTRACT_EDITABLE:
        messages.error(request, _("A contract in review, approved, signed or closed cannot "
                                  "be changed."))
        return redirect("orders:contract", pk=contract.pk)
    form = ContractForm(posted(request), contract=contract, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            contract_svc.update_contract(user, contract, form.cleaned_data.get("version"),
                                         form.service_values())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return done(request, reverse("orders:contract", args=[contract.pk]))
    return _contract_form_page(request, form, title=_("Edit contract"),
                               action=reverse("orders:contract_edit", args=[contract.pk]),
                               cancel=reverse("orders:contract", args=[contract.pk]))


@login_required
@refusals_as_http
@require_POST
def contract_action(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit to contract review, sign or cancel (POST with the version read)."""
    user = request.user
    contract = sel.get_contract(user, pk)
    action = request.POST.get("action", "")
    version = _version(request)
    try:
        if action == "submit":
            contract_svc.submit_contract(user, contract, version)
            messages.success(request, _("Submitted for contract review."))
        elif action == "sign":
            signed_on = contract_svc.SigningInput.parse(
                {"signed_on": request.POST.get("signed_on")}).signed_on
            contract_svc.sign_contract(user, contract, signed_on, version,
                                       scan=request.FILES.get("scan"))
            messages.success(request, _("Contract signed."))
        elif action == "cancel":
            contract_svc.cancel_contract(user, contract, version,
                                         request.POST.get("reason", ""))
            messages.success(request, _("Contract cancelled."))
        else:
            messages.error(request, _("Choose submit, sign or cancel."))
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("orders:contract", pk=contract.pk)


@login_required
@refusals_as_http
@require_POST
def contract_document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    contract = sel.get_contract(request.user, pk)
    return _upload(request, reverse("orders:contract", args=[contract.pk]), contract=contract)


# --- Documents -----------------------------------------------------------------------------

def attachment(document: Any) -> HttpResponse:
    """The stored file as a download with our content type; the browser must not guess. From
    an object store with signed downloads on: a redirect to a URL valid for minutes."""
    url = uploads.signed_url(document.file.storage, document.file.name, document.name,
                             document.content_type)
    if url:
        return HttpResponseRedirect(url)
    response = FileResponse(document.file.open("rb"), as_attachment=True,
                            filename=document.name, content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@refusals_as_http
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    document = sel.get_document(request.user, pk)
    try:
        return attachment(document)
    except FileNotFoundError:
        raise NotFound() from None


@login_required
@refusals_as_http
@require_POST
def document_delete(request: HttpRequest, pk: int) -> HttpResponse:
    document = sel.get_document(request.user, pk)
    back = reverse("orders:tender", args=[document.tender_id]) if document.tender_id \
        else reverse("orders:contract", args=[document.contract_id])
    documents.delete_document(request.user, document)
    messages.success(request, _("Document deleted."))
    return redirect(back)


urls: list = [
    path("tenders/", tender_list, name="tenders"),
    path("tenders/new/", tender_create, name="tender_create"),
    path("tenders/<int:pk>/", tender_detail, name="tender"),
    path("tenders/<int:pk>/edit/", tender_edit, name="tender_edit"),
    path("tenders/<int:pk>/result/", tender_result, name="tender_result"),
    path("tenders/<int:pk>/bond/", tender_bond, name="tender_bond"),
    path("tenders/<int:pk>/documents/", tender_document_upload,
         name="tender_document_upload"),
    path("contracts/", contract_list, name="contracts"),
    path("contracts/new/", contract_create, name="contract_create"),
    path("contracts/<int:pk>/", contract_detail, name="contract"),
    path("contracts/<int:pk>/edit/", contract_edit, name="contract_edit"),
    path("contracts/<int:pk>/action/", contract_action, name="contract_action"),
    path("contracts/<int:pk>/documents/", contract_document_upload,
         name="contract_document_upload"),
    path("documents/<int:pk>/", document_download, name="document"),
    path("documents/<int:pk>/delete/", document_delete, name="document_delete"),
]
