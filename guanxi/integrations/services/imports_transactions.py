"""Importing transactions (purchases or payments from an ERP) for the customer analytics.
A transaction with an external id is imported once: the same id again is a duplicate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.accounts.models import Role, User
from guanxi.analytics.models import Transaction
from guanxi.integrations.services.imports_contacts import (
    customer_ref,
    pick_customer,
    resolve_customers,
)
from guanxi.integrations.services.imports_kinds import Item, Kind, RowError, Target, register

T = Target
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%d/%m/%Y")


def _date(text: str) -> dt.date:
    text = text.strip().split(" ")[0]
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a date, no time)
        except ValueError:
            continue
    raise ValueError(_("“%(value)s” is not a date (write 2026-03-31).") % {"value": text})


def _money(text: str, required: bool) -> Decimal | None:
    text = text.strip().replace(",", "").replace("¥", "").replace("￥", "")
    if not text:
        if required:
            raise ValueError(_("This field is required."))
        return None
    try:
        value = Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValueError(_("“%(value)s” is not an amount.") % {"value": text}) from None
    if abs(value) >= Decimal("1e12"):
        raise ValueError(_("This amount is too large."))
    return value


class Transactions(Kind):
    key = "transactions"
    label = gettext_lazy("Transactions")
    roles = (Role.MANAGER, Role.ADMIN)  # the figures the value models learn from
    unique_keys = frozenset({"external_id"})
    targets = (
        T("customer", gettext_lazy("Customer name"), ("客户名称", "客户", "公司名称", "customer",
                                                     "company"), required=True),
        T("customer_registration_id", gettext_lazy("Customer registration id (USCC)"),
          ("统一社会信用代码", "信用代码", "uscc", "registration id")),
        T("date", gettext_lazy("Date"), ("日期", "交易日期", "订单日期", "date"), required=True),
        T("amount", gettext_lazy("Amount"), ("金额", "交易金额", "amount", "total"),
          required=True),
        T("cost", gettext_lazy("Cost of goods"), ("成本", "cost")),
        T("external_id", gettext_lazy("External id"), ("单号", "订单号", "编号", "external id",
                                                       "order number", "id")),
    )

    def clean(self, ctx: Any, values: dict[str, str]) -> dict[str, Any]:
        from guanxi.integrations.services.imports_customers import describe

        errors: dict[str, list[str]] = {}
        ref = customer_ref(values, errors)
        data: dict[str, Any] = {"external_id": (values.get("external_id") or "").strip()[:100]}
        for key, parse in (("date", _date), ("amount", lambda t: _money(t, True)),
                           ("cost", lambda t: _money(t, False))):
            try:
                data[key] = parse(values.get(key) or "")
            except ValueError as exc:
                errors[key] = [str(exc)]
        if errors:
            raise RowError(describe(self, errors))
        return {"customer": ref, "transaction": data}

    def keys(self, data: dict[str, Any]) -> list[tuple[str, str]]:
        ext = data["transaction"]["external_id"]
        return [("external_id", ext)] if ext else []

    def write(self, ctx: Any, actor: User, items: list[Item], policy: str,
              job_id: int) -> dict[str, Any]:
        found = resolve_customers(actor, items)
        ext_ids = {i.data["transaction"]["external_id"] for i in items} - {""}
        existing = {t.external_id: t for t in Transaction.objects.filter(
            source=Transaction.Source.IMPORT, external_id__in=ext_ids)}
        new, updated = [], []
        for item in items:
            if item.dup_of:
                item.error = _("Duplicate of row %(row)s in this file.") % {"row": item.dup_of[0]}
                continue
            account = pick_customer(actor, item, found, edit=False)
            if account is None:
                continue
            t = item.data["transaction"]
            old = existing.get(t["external_id"]) if t["external_id"] else None
            if old is None:
                new.append(Transaction(account=account, source=Transaction.Source.IMPORT, **t))
                item.outcome = "imported"
            elif policy == "update":
                for key, value in t.items():
                    setattr(old, key, value)
                old.account = account
                old.save()
                item.outcome, item.object_id = "updated", old.pk
                updated.append(old.pk)
            else:
                item.outcome = "skipped"
                item.error = _("Transaction %(id)s is already imported; skipped.") % {
                    "id": t["external_id"]}
        Transaction.objects.bulk_create(new)
        return {"created": len(new), "updated": updated}


register(Transactions())
