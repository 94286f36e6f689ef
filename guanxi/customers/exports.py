"""The customer and contact lists in the export registry (``guanxi.core.exports``): the
list selectors the pages and the API use, and the columns. Headers are the import's field
labels, so an exported file maps itself when imported again."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy

from guanxi.core.exports import Column, ListExport, register
from guanxi.customers.models import Account, Address, Contact
from guanxi.customers.selectors import filter_contacts, filter_customers


def _first(items: list) -> Any:
    return items[0] if items else None


def _contact(a: Account, attr: str) -> str:
    c = _first(a.active_contacts)
    return getattr(c, attr) if c else ""


def _address(a: Account, attr: str) -> str:
    addr = _first(list(a.addresses.all()))
    return getattr(addr, attr) if addr else ""


def _owner(a: Account) -> str:
    return a.owner.username if a.owner else ""


CUSTOMER_COLUMNS = (
    Column(gettext_lazy("Customer name"), lambda a: a.name),
    Column(gettext_lazy("English name"), lambda a: a.name_en),
    Column(gettext_lazy("Company or person"), lambda a: a.get_kind_display()),
    Column(gettext_lazy("Registration id (USCC)"), lambda a: a.registration_id),
    Column(gettext_lazy("Industry"), lambda a: a.get_industry_display()),
    Column(gettext_lazy("Size"), lambda a: a.get_size_display()),
    Column(gettext_lazy("Source"), lambda a: a.get_source_display()),
    Column(gettext_lazy("Phone"), lambda a: a.phone),
    Column(gettext_lazy("E-mail"), lambda a: a.email),
    Column(gettext_lazy("Website"), lambda a: a.website),
    Column(gettext_lazy("Notes"), lambda a: a.description),
    Column(gettext_lazy("Needs"), lambda a: a.needs),
    Column(gettext_lazy("Contact name"), lambda a: _contact(a, "name")),
    Column(gettext_lazy("Contact mobile"), lambda a: _contact(a, "mobile")),
    Column(gettext_lazy("Contact e-mail"), lambda a: _contact(a, "email")),
    Column(gettext_lazy("Contact job title"), lambda a: _contact(a, "title")),
    Column(gettext_lazy("Province"), lambda a: _address(a, "province")),
    Column(gettext_lazy("City"), lambda a: _address(a, "city")),
    Column(gettext_lazy("District"), lambda a: _address(a, "district")),
    Column(gettext_lazy("Address"), lambda a: _address(a, "street") or _address(a, "lines")),
    Column(gettext_lazy("Tags"), lambda a: ", ".join(t.name for t in a.tags.all())),
    Column(gettext_lazy("Owner"), _owner),
    Column(gettext_lazy("Team"), lambda a: a.team),
    Column(gettext_lazy("Approval"), lambda a: a.get_approval_display()),
    Column(gettext_lazy("In public pool"), lambda a: a.in_pool),
    Column(gettext_lazy("Completeness"), lambda a: a.completeness),
    Column(gettext_lazy("Last follow-up"), lambda a: a.last_follow_up_at),
    Column(gettext_lazy("Created"), lambda a: a.created_at),
    Column(gettext_lazy("Customer id"), lambda a: a.pk),
)


CONTACT_COLUMNS = (
    Column(gettext_lazy("Customer name"), lambda c: c.account.name),
    Column(gettext_lazy("Customer registration id (USCC)"), lambda c: c.account.registration_id),
    Column(gettext_lazy("Contact name"), lambda c: c.name),
    Column(gettext_lazy("English name"), lambda c: c.name_en),
    Column(gettext_lazy("Job title"), lambda c: c.title),
    Column(gettext_lazy("Department"), lambda c: c.department),
    Column(gettext_lazy("Gender"), lambda c: c.get_gender_display()),
    Column(gettext_lazy("Mobile"), lambda c: c.mobile),
    Column(gettext_lazy("Phone"), lambda c: c.phone),
    Column(gettext_lazy("E-mail"), lambda c: c.email),
    Column(gettext_lazy("WeChat"), lambda c: c.wechat),
    Column(gettext_lazy("Notes"), lambda c: c.notes),
    Column(gettext_lazy("Birthday"), lambda c: c.birthday),
    Column(gettext_lazy("Primary contact"), lambda c: c.is_primary),
)


def register_exports() -> None:
    active_contacts = Prefetch("contacts", queryset=Contact.objects.filter(is_active=True),
                               to_attr="active_contacts")
    register(ListExport("customers", gettext_lazy("Customers"), Account, filter_customers,
                        CUSTOMER_COLUMNS, related=("owner", "team"),
                        prefetch=(active_contacts,
                                  Prefetch("addresses", queryset=Address.objects.all()),
                                  "tags"),
                        order_by=("-updated_at", "-id")))
    register(ListExport("contacts", gettext_lazy("Contacts"), Contact, filter_contacts,
                        CONTACT_COLUMNS, related=("account",),
                        order_by=("account_id", "-is_primary", "id")))
