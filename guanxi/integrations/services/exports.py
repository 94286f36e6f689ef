"""Exporting a list as CSV or XLSX, with the user's scope and the list's filters applied.

A registry of lists: each entry gives the scoped, filtered queryset for a user and the query
parameters of its page, and its columns. Adding a list is one ``ListExport`` entry.

**Formula injection.** A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return would be run by a spreadsheet as a formula; such a value gets a leading single quote
(OWASP's advice) in CSV and XLSX alike. That includes phone numbers in E.164 form
(``+8613812345678`` → ``'+8613812345678``): the digits stay readable and searchable, and a
phone number can never turn into a formula. Our import takes the quote off again, so an
exported file re-imports unchanged.

Every export is recorded in the audit trail: who, which list, which filters, how many rows.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.db.models import Model, Prefetch, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.accounts.models import User
from guanxi.core.errors import FieldErrors
from guanxi.core.models import AuditEntry
from guanxi.customers.models import Account, Address, Contact

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would evaluate, made inert with a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def restore(value: str) -> str:
    """The inverse, for imports: a quote our export added comes off."""
    if value.startswith("'") and value[1:2] and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


@dataclass(frozen=True)
class Column:
    header: Promise | str
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class ListExport:
    key: str
    label: Promise | str
    model: type[Model]
    rows: Callable[[User, QueryDict], QuerySet]  # scoped and filtered
    columns: tuple[Column, ...]


def _text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if hasattr(value, "isoformat"):
        if hasattr(value, "hour"):
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        return value.isoformat()
    if isinstance(value, Model | Promise):
        return str(value)
    return value


def field_columns(model: type[Model], names: tuple[str, ...]) -> tuple[Column, ...]:
    """Columns named by the model's own field labels; choices give their label."""
    out = []
    for name in names:
        field = model._meta.get_field(name)
        header = capfirst(field.verbose_name)
        if getattr(field, "choices", None):
            out.append(Column(header, lambda o, n=name: getattr(o, f"get_{n}_display")()))
        else:
            out.append(Column(header, lambda o, n=name: getattr(o, n)))
    return tuple(out)


# --- customers and contacts ------------------------------------------------------------------

def customer_rows(user: User, params: QueryDict) -> QuerySet[Account]:
    """The customers list's filters (page and API names alike) over the user's scope."""
    from guanxi.customers.filters import filter_accounts

    f: dict[str, Any] = {}
    for key in ("q", "owner", "industry", "size", "source", "approval", "tag", "province"):
        if params.get(key):
            f[key] = params[key]
    pool = params.get("pool") or params.get("in_pool")
    if pool:
        f["in_pool"] = pool in ("yes", "true", "1")
    for page_key, api_key in (("below", "completeness_lt"), ("completeness_lt",
                                                             "completeness_lt"), ("team", "team")):
        if params.get(page_key):
            if not params[page_key].isdigit():
                raise FieldErrors({page_key: [_("Enter a whole number.")]})
            f[api_key] = int(params[page_key])
    custom = {k[3:]: v for k, v in params.items() if k.startswith("cf_") and v}
    primary_contacts = Prefetch("contacts", queryset=Contact.objects.filter(is_active=True),
                                to_attr="active_contacts")
    return (filter_accounts(user, f, custom).select_related("owner", "team")
            .prefetch_related(primary_contacts, Prefetch("addresses",
                                                         queryset=Address.objects.all()),
                              "tags").order_by("-updated_at", "-id"))


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


# Headers are the import's field labels, so an exported file maps itself when imported again.
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


def contact_rows(user: User, params: QueryDict) -> QuerySet[Contact]:
    from guanxi.customers.selectors import visible_contacts

    qs = visible_contacts(user).select_related("account")
    if params.get("account") and params["account"].isdigit():
        qs = qs.filter(account_id=int(params["account"]))
    if params.get("q"):
        from guanxi.customers.search import search

        hits = search(user, params["q"], limit=500, kinds=("contact",))
        qs = qs.filter(pk__in=[h.id for h in hits])
    return qs.order_by("account_id", "-is_primary", "id")


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


# --- leads and opportunities (the sales selectors' own scope and filters) ----------------------

def lead_rows(user: User, params: QueryDict) -> QuerySet:
    from guanxi.sales.selectors.leads import filter_leads, visible_leads

    f = {k: params.get(k, "") for k in ("status", "timeframe", "source", "owner", "q")}
    return filter_leads(visible_leads(user), user, **f).select_related("owner").order_by("-id")


def opportunity_rows(user: User, params: QueryDict) -> QuerySet:
    from guanxi.sales.selectors.opportunities import filter_opportunities

    keys = ("pipeline", "stage", "status", "owner", "closing", "account", "q")
    f = {k: params[k] for k in keys if params.get(k)}
    return filter_opportunities(user, f).select_related("account", "stage", "owner").order_by(
        "-id")


def _sales_lists() -> list[ListExport]:
    from guanxi.sales.models import Lead, Opportunity

    return [
        ListExport("leads", gettext_lazy("Leads"), Lead, lead_rows, field_columns(Lead, (
            "name", "company", "title", "phone", "email", "province", "city", "source",
            "timeframe", "interest", "budget", "status", "score", "owner", "created_at"))),
        ListExport("opportunities", gettext_lazy("Opportunities"), Opportunity,
                   opportunity_rows, field_columns(Opportunity, (
                       "name", "account", "stage", "amount", "currency", "probability",
                       "expected_close", "source", "owner", "next_step"))),
    ]


def lists() -> dict[str, ListExport]:
    registry = {
        "customers": ListExport("customers", gettext_lazy("Customers"), Account, customer_rows,
                                CUSTOMER_COLUMNS),
        "contacts": ListExport("contacts", gettext_lazy("Contacts"), Contact, contact_rows,
                               CONTACT_COLUMNS),
    }
    registry.update({e.key: e for e in _sales_lists()})
    from guanxi.orders.exports import export_lists

    registry.update({e.key: e for e in export_lists()})
    return registry


def get_list(key: str) -> ListExport:
    entry = lists().get(key)
    if entry is None:
        raise FieldErrors({"list": [_("There is no list “%(key)s” to export.") % {"key": key}]})
    return entry


# --- writing -----------------------------------------------------------------------------------

@dataclass
class Export:
    entry: ListExport
    queryset: QuerySet
    rows: int
    file_name: str


def start(user: User, key: str, params: QueryDict, fmt: str) -> Export:
    """Check, count and record the export; the caller streams ``csv_chunks`` or
    ``xlsx_file``."""
    if fmt not in ("csv", "xlsx"):
        raise FieldErrors({"format": [_("Choose CSV or XLSX.")]})
    entry = get_list(key)
    qs = entry.rows(user, params)
    count = qs.count()
    filters = {k: v for k, v in params.items() if k not in ("format", "page", "sort") and v}
    AuditEntry.objects.create(
        actor=user, action="integrations.exported",
        object_type=f"{entry.model._meta.app_label}.{entry.model._meta.model_name}",
        object_id="", object_repr=str(entry.label)[:200],
        data={"list": key, "filters": filters, "format": fmt, "rows": count})
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return Export(entry, qs, count, f"{key}-{stamp}.{fmt}")


def _values(export: Export) -> Iterator[list[Any]]:
    columns = export.entry.columns
    for obj in export.queryset.iterator(chunk_size=CHUNK):
        yield [neutralise(_text(c.value(obj))) for c in columns]


def csv_chunks(export: Export) -> Iterator[str]:
    """UTF-8 with BOM (Excel then reads Chinese correctly), a few hundred rows per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    writer.writerow([str(c.header) for c in export.entry.columns])
    for n, row in enumerate(_values(export), 1):
        writer.writerow(row)
        if n % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_file(export: Export) -> IO[bytes]:
    """An XLSX workbook written row by row in constant memory to a temporary file (deleted
    when closed); strings are written as strings, never as formulas."""
    import xlsxwriter

    out = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it)
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                     "strings_to_numbers": False, "strings_to_urls": False})
    sheet = book.add_worksheet(str(export.entry.label)[:31])
    bold = book.add_format({"bold": True})
    for col, column in enumerate(export.entry.columns):
        sheet.write_string(0, col, str(column.header), bold)
    for r, row in enumerate(_values(export), 1):
        for col, value in enumerate(row):
            if isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, str(value) if value is not None else "")
    book.close()
    out.seek(0)
    return out
