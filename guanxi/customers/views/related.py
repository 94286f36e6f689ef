"""Small forms around a customer: contacts, addresses and relationships between people.

They open in the shared modal with htmx and work as plain pages without JavaScript.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from guanxi.core.access import get_visible
from guanxi.core.errors import DomainError
from guanxi.core.forms import add_domain_error
from guanxi.core.pages import done, page_template, posted
from guanxi.core.views import refusals_as_http
from guanxi.customers import permissions as perms
from guanxi.customers import selectors, services
from guanxi.customers.forms import AddressForm, ConfirmForm, ContactForm, RelationshipForm
from guanxi.customers.models import Address, Relationship
from guanxi.customers.search import search as search_index


def _done(request: HttpRequest, account_id: int, message: str) -> HttpResponse:
    messages.success(request, message)
    return done(request, reverse("customers:detail", args=[account_id]))


def _refuse_unless_editable(request: HttpRequest, account) -> HttpResponse | None:
    if perms.can_edit_account(request.user, account):
        return None
    return render(request, "customers/refused.html", {
        "account": account,
        "message": _("Only the owner, the team's manager or assistant can change this "
                     "customer's contacts and addresses.")}, status=403)


def _get_address(request: HttpRequest, pk: int) -> Address:
    visible = selectors.visible_accounts(request.user)
    return get_visible(Address.objects.select_related("account").filter(account__in=visible),
                       pk=pk)


# --- Contacts -------------------------------------------------------------------------------

@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.get_account(request.user, pk)
    if refused := _refuse_unless_editable(request, account):
        return refused
    form = ContactForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.add_contact(request.user, account, form.data_for_service(),
                                           custom=form.custom_values())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return _done(request, account.pk, _("Contact %(name)s added.") % {"name": contact})
    return render(request, "customers/contact_form.html", {
        "base": page_template(request), "form": form, "account": account,
        "title": _("Add a contact"), "submit": _("Add contact"),
        "action": reverse("customers:contact_create", args=[account.pk]),
    })


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = selectors.get_contact(request.user, pk)
    account = contact.account
    if refused := _refuse_unless_editable(request, account):
        return refused
    form = ContactForm(posted(request), contact=contact)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_contact(request.user, contact, form.data_for_service(),
                                    version=form.version_value(contact.version),
                                    custom=form.custom_values())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return _done(request, account.pk, _("Contact saved."))
    return render(request, "customers/contact_form.html", {
        "base": page_template(request), "form": form, "account": account, "contact": contact,
        "title": _("Edit contact"), "submit": _("Save"),
        "action": reverse("customers:contact_edit", args=[contact.pk]),
    })


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def contact_remove(request: HttpRequest, pk: int) -> HttpResponse:
    contact = selectors.get_contact(request.user, pk)
    account = contact.account
    if refused := _refuse_unless_editable(request, account):
        return refused
    form = ConfirmForm(posted(request), initial={"version": contact.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.remove_contact(request.user, contact,
                                    version=form.version_value(contact.version))
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return _done(request, account.pk, _("Contact %(name)s removed.") % {"name": contact})
    return render(request, "customers/confirm.html", {
        "base": page_template(request), "form": form, "account": account,
        "title": _("Remove contact"),
        "question": _("Remove %(name)s from %(account)s? The history keeps them.")
        % {"name": contact.name, "account": account.name},
        "submit": _("Remove"), "action": reverse("customers:contact_remove", args=[contact.pk]),
    })


# --- Addresses ------------------------------------------------------------------------------

@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def address_create(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.get_account(request.user, pk)
    if refused := _refuse_unless_editable(request, account):
        return refused
    form = AddressForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.add_address(request.user, account, form.data_for_service())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return _done(request, account.pk, _("Address added."))
    return render(request, "customers/address_form.html", {
        "base": page_template(request), "form": form, "account": account,
        "title": _("Add an address"), "submit": _("Add address"),
        "action": reverse("customers:address_create", args=[account.pk]),
    })


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def address_edit(request: HttpRequest, pk: int) -> HttpResponse:
    address = _get_address(request, pk)
    account = address.account
    if refused := _refuse_unless_editable(request, account):
        return refused
    form = AddressForm(posted(request), address=address)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_address(request.user, address, form.data_for_service(),
                                    version=form.version_value(address.version))
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return _done(request, account.pk, _("Address saved."))
    return render(request, "customers/address_form.html", {
        "base": page_template(request), "form": form, "account": account,
        "title": _("Edit address"), "submit": _("Save"),
        "action": reverse("customers:address_edit", args=[address.pk]),
    })


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def address_remove(request: HttpRequest, pk: int) -> HttpResponse:
    address = _get_address(request, pk)
    account = address.account
    if refused := _refuse_unless_editable(request, account):
        return refused
    form = ConfirmForm(posted(request), initial={"version": address.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.remove_address(request.user, address, form.version_value(address.version))
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return _done(request, account.pk, _("Address removed."))
    return render(request, "customers/confirm.html", {
        "base": page_template(request), "form": form, "account": account,
        "title": _("Remove address"),
        "question": _("Remove the address %(address)s?") % {"address": address},
        "submit": _("Remove"), "action": reverse("customers:address_remove", args=[address.pk]),
    })


# --- Relationships --------------------------------------------------------------------------

@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def relationship_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Relate a contact of this customer to another person: a colleague here, or someone at
    another customer found by name, pinyin or phone."""
    user = request.user
    account = selectors.get_account(user, pk)
    if refused := _refuse_unless_editable(request, account):
        return refused
    find = (request.POST.get("find") or request.GET.get("find") or "").strip()[:100]
    form = RelationshipForm(posted(request),
                            account=account)
    contacts = list(account.contacts.filter(is_active=True))
    candidates = [{"id": c.pk, "name": c.name, "where": c.title or account.name}
                  for c in contacts]
    if find:
        hits = search_index(user, find, limit=15, kinds=("contact",))
        known = {c["id"] for c in candidates}
        candidates += [{"id": h.id, "name": h.name, "where": h.account_name}
                       for h in hits if h.id not in known]
    chose = request.method == "POST" and "find_only" not in request.POST
    if chose and form.is_valid():
        try:
            other = selectors.get_contact(user, form.cleaned_data["to_contact"])
        except DomainError:
            form.add_error("to_contact", _("Choose a person from the list."))
        else:
            try:
                services.add_relationship(user, form.cleaned_data["from_contact"], other,
                                          form.cleaned_data["kind"],
                                          form.cleaned_data.get("note") or "")
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                return _done(request, account.pk, _("Relationship recorded."))
    if "find_only" in request.POST:
        form.errors.clear()
    selected = request.POST.get("to_contact", "")
    return render(request, "customers/relationship_form.html", {
        "base": page_template(request), "form": form, "account": account, "find": find,
        "candidates": candidates, "selected": selected,
        "title": _("Add a relationship"), "submit": _("Add relationship"),
        "action": reverse("customers:relationship_create", args=[account.pk]),
    })


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def relationship_remove(request: HttpRequest, pk: int) -> HttpResponse:
    visible = selectors.visible_accounts(request.user)
    relationship = get_visible(
        Relationship.objects.select_related("from_contact__account", "to_contact__account")
        .filter(Q(from_contact__account__in=visible) | Q(to_contact__account__in=visible)),
        pk=pk)
    account = relationship.from_contact.account
    back = account.pk
    raw = request.POST.get("account") or request.GET.get("account") or ""
    if raw.isdigit() and int(raw) == relationship.to_contact.account_id:
        back = int(raw)
    if refused := _refuse_unless_editable(request, account):
        return refused
    form = ConfirmForm(posted(request))
    if request.method == "POST" and form.is_valid():
        services.remove_relationship(request.user, relationship)
        return _done(request, back, _("Relationship removed."))
    return render(request, "customers/confirm.html", {
        "base": page_template(request), "form": form, "account": account, "back": back,
        "title": _("Remove relationship"),
        "question": _("Remove “%(a)s — %(kind)s — %(b)s”?") % {
            "a": relationship.from_contact.name, "b": relationship.to_contact.name,
            "kind": relationship.get_kind_display()},
        "submit": _("Remove"),
        "action": reverse("customers:relationship_remove", args=[relationship.pk]),
    })
