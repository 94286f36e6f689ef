"""A customer's standing (prospect → lead customer 线索客户 → customer 正式客户): changed only
here, always forward, with a new version, an audit entry and so a timeline entry."""

from __future__ import annotations

from typing import Any

from django.db.models import F

from guanxi.accounts.models import User
from guanxi.core import audit
from guanxi.customers.models import Account, Standing

ORDER = (Standing.PROSPECT, Standing.LEAD, Standing.CUSTOMER)


def promote_standing(actor: User | None, account: Account, to: str, reason: str,
                     params: dict[str, Any] | None = None,
                     data: dict[str, Any] | None = None) -> bool:
    """Move ``account`` forward to ``to``; a customer already there or further stays as it is.
    ``reason`` is an untranslated message (gettext_noop) with its ``params``: the timeline
    shows it in each reader's language. Returns whether the standing changed."""
    below = ORDER[:ORDER.index(Standing(to))]
    old = Account.objects.filter(pk=account.pk, standing__in=below) \
        .values_list("standing", flat=True).first()
    if old is None or not Account.objects.filter(pk=account.pk, standing=old).update(
            standing=to, version=F("version") + 1):
        return False
    account.standing = to
    account.version += 1
    audit.log(actor, "customers.account.standing_changed", account,
              changes={"standing": [old, to]},
              data={**(data or {}), "reason": [reason, params or {}]})
    return True
