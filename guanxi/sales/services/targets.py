"""Setting the company's monthly sales targets (a year at a time, one form)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.core import audit
from guanxi.core.errors import FieldErrors, Forbidden
from guanxi.core.locking import save_versioned
from guanxi.sales.models import SalesTarget
from guanxi.sales.permissions import can_set_targets

LIMIT = Decimal("99999999999999.99")


def _amount(value: Any) -> Decimal | None:
    text = str(value if value is not None else "").strip().replace(",", "")
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError from None
    if not amount.is_finite() or amount < 0 or amount > LIMIT:
        raise ValueError
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def set_targets(actor: User, year: int, amounts: dict[int, Any],
                versions: dict[int, int | None] | None = None) -> list[SalesTarget]:
    """Set the targets of ``year``'s months (1–12 → amount; empty removes the month's target).
    ``versions`` are those the form read, per month: a target changed meanwhile is a
    conflict and nothing is saved."""
    if not can_set_targets(actor):
        raise Forbidden(_("Only executives and administrators set the sales targets."))
    if not 2000 <= year <= 2999:
        raise FieldErrors({"year": [_("Enter a year between 2000 and 2999.")]})
    cleaned: dict[int, Decimal | None] = {}
    errors: dict[str, list[str]] = {}
    for month, value in amounts.items():
        try:
            cleaned[int(month)] = _amount(value)
        except ValueError:
            errors[f"m{int(month)}"] = [_("Enter an amount of 0 or more.")]
    if errors:
        raise FieldErrors(errors)
    versions = versions or {}
    existing = {t.month.month: t for t in SalesTarget.objects.select_for_update()
                .filter(month__year=year)}
    saved = []
    for month, amount in sorted(cleaned.items()):
        if not 1 <= month <= 12:
            continue
        target = existing.get(month)
        if target is None:
            if amount is None:
                continue
            target = SalesTarget.objects.create(month=dt.date(year, month, 1), amount=amount,
                                                updated_by=actor)
            audit.log(actor, "sales.target.set", target,
                      changes={"amount": [None, str(amount)]})
            saved.append(target)
            continue
        if amount is None:
            save_versioned(target, versions.get(month), {})
            audit.log(actor, "sales.target.removed", target,
                      changes={"amount": [str(target.amount), None]})
            target.delete()
            continue
        if amount != target.amount:
            save_versioned(target, versions.get(month), {"amount": amount,
                                                         "updated_by": actor})
            audit.log(actor, "sales.target.set", target,
                      changes={"amount": [str(target.amount), str(amount)]})
            saved.append(target)
    return saved
