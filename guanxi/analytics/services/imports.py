"""Importing a transaction file: CSV with a header row naming the columns

    customer (id, registration id or exact name) | date | amount | cost (optional) | id (optional)

in UTF-8, UTF-8 with BOM or GB18030. Every row is checked first; the report names each bad
row with its line and field. By default a file with any bad row changes nothing; with
``skip_errors`` the good rows go in and the bad ones are reported. Rows carrying an ``id``
are imported once: the same file loaded twice adds nothing the second time.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.analytics import permissions as perms
from guanxi.analytics.models import Transaction
from guanxi.core import audit
from guanxi.core.errors import DomainError, Forbidden
from guanxi.customers.models import Account

MAX_ROWS = 200_000
HEADERS = {
    "customer": ("customer", "account", "account_id", "customer_id", "客户", "客户名称"),
    "date": ("date", "日期"),
    "amount": ("amount", "金额"),
    "cost": ("cost", "成本"),
    "id": ("id", "external_id", "单号"),
}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d")


@dataclass
class RowError:
    line: int
    field: str
    message: str


@dataclass
class Report:
    rows: int = 0
    added: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError(_("The file is neither UTF-8 nor GB18030 text."), field="file",
                      code="encoding")


def _columns(header: list[str]) -> dict[str, int]:
    names = [h.strip().lower() for h in header]
    found = {}
    for key, aliases in HEADERS.items():
        for i, name in enumerate(names):
            if name in aliases:
                found[key] = i
                break
    missing = [k for k in ("customer", "date", "amount") if k not in found]
    if missing:
        raise DomainError(_("The header row must name the columns customer, date and amount "
                            "(missing: %(names)s).") % {"names": ", ".join(missing)},
                          field="file", code="header")
    return found


def _date(raw: str) -> dt.date:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(raw.strip(), fmt).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    raise ValueError


def _money(raw: str) -> Decimal:
    value = Decimal(raw.strip().replace(",", "").replace("¥", "").replace("￥", ""))
    if not value.is_finite():
        raise InvalidOperation
    return value.quantize(Decimal("0.01"))


def _resolve(keys: set[str], actor: User | None) -> dict[str, int | None]:
    """Customer key → id (None where two customers share the name)."""
    accounts = Account.objects.visible_to(actor) if actor else Account.objects.filter(
        is_active=True)
    ids = {int(k) for k in keys if k.isdigit() and len(k) < 18}
    regs = {k.upper() for k in keys if len(k) == 18}
    names = {k for k in keys if not k.isdigit()}
    found: dict[str, int | None] = {}
    if ids:
        for pk in accounts.filter(pk__in=ids).values_list("pk", flat=True):
            found[str(pk)] = pk
    if regs:
        for pk, reg in accounts.filter(registration_id__in=regs).values_list(
                "pk", "registration_id"):
            found[reg] = pk
    if names:
        for pk, name, name_en in accounts.filter(Q(name__in=names) | Q(name_en__in=names)) \
                .values_list("pk", "name", "name_en"):
            for key in (name, name_en):
                if key in names:
                    found[key] = None if key in found and found[key] != pk else pk
    return found


def import_transactions(actor: User | None, data: bytes, *, skip_errors: bool = False,
                        source: str = Transaction.Source.IMPORT) -> Report:
    """Check every row, then add the transactions (see the module docstring)."""
    if actor is not None and not perms.can_import_transactions(actor):
        raise Forbidden(_("Only administrators and finance import transactions."))
    reader = csv.reader(io.StringIO(decode(data)))
    try:
        rows = list(reader)
    except csv.Error as exc:  # a NUL byte, a value beyond the field size limit
        raise DomainError(_("Line %(line)s is not valid CSV (%(error)s).")
                          % {"line": reader.line_num, "error": exc}, field="file",
                          code="csv") from exc
    if not rows:
        raise DomainError(_("The file is empty."), field="file", code="empty")
    cols = _columns(rows[0])
    body = [(n, r) for n, r in enumerate(rows[1:], start=2) if any(c.strip() for c in r)]
    if len(body) > MAX_ROWS:
        raise DomainError(_("At most %(n)s rows per file; split it.") % {"n": f"{MAX_ROWS:,}"},
                          field="file", code="too_many")
    report = Report(rows=len(body))

    def cell(row: list[str], key: str) -> str:
        i = cols.get(key)
        return row[i].strip() if i is not None and i < len(row) else ""

    customers = _resolve({cell(r, "customer") for _n, r in body if cell(r, "customer")}, actor)
    today = timezone.localdate()
    good: list[Transaction] = []
    for line, row in body:
        problems = _check(row, cell, customers, today)
        report.errors += [RowError(line, f, m) for f, m in problems]
        if not problems:
            key = cell(row, "customer")
            account_id = customers.get(key) or customers.get(key.upper())
            assert account_id is not None  # _check reports unknown and ambiguous customers
            good.append(Transaction(
                account_id=account_id,
                date=_date(cell(row, "date")), amount=_money(cell(row, "amount")),
                cost=_money(cell(row, "cost")) if cell(row, "cost") else None,
                source=source, external_id=cell(row, "id")[:100]))
    if report.errors and not skip_errors:
        return report
    with transaction.atomic():
        ids = {t.external_id for t in good if t.external_id}
        known = set(Transaction.objects.filter(source=source, external_id__in=ids)
                    .values_list("external_id", flat=True)) if ids else set()
        seen: set[str] = set()
        fresh = []
        for t in good:
            if t.external_id and (t.external_id in known or t.external_id in seen):
                report.skipped += 1
                continue
            seen.add(t.external_id)
            fresh.append(t)
        Transaction.objects.bulk_create(fresh, batch_size=5000)
        report.added = len(fresh)
        if actor is not None and fresh:
            audit.log(actor, "analytics.transactions.imported", fresh[0],
                      data={"added": report.added, "skipped": report.skipped,
                            "refused": len(report.errors)})
    return report


def _check(row: list[str], cell, customers: dict[str, int | None],
           today: dt.date) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    key = cell(row, "customer")
    if not key:
        problems.append(("customer", _("No customer given.")))
    elif key not in customers and key.upper() not in customers:
        problems.append(("customer", _("No customer “%(key)s” that you can see.")
                         % {"key": key}))
    elif customers.get(key, customers.get(key.upper())) is None:
        problems.append(("customer", _("Several customers are named “%(key)s”: give the id or "
                                       "registration id.") % {"key": key}))
    try:
        if _date(cell(row, "date")) > today:
            problems.append(("date", _("The date is in the future.")))
    except ValueError:
        problems.append(("date", _("“%(value)s” is not a date (use YYYY-MM-DD).")
                         % {"value": cell(row, "date")}))
    for name, required in (("amount", True), ("cost", False)):
        raw = cell(row, name)
        if not raw:
            if required:
                problems.append((name, _("No amount given.")))
            continue
        try:
            value = _money(raw)
        except InvalidOperation:
            problems.append((name, _("“%(value)s” is not a number.") % {"value": raw}))
            continue
        if value < 0 or (name == "amount" and value == 0):
            problems.append((name, _("Must be more than zero.") if name == "amount"
                             else _("Must not be negative.")))
    return problems
