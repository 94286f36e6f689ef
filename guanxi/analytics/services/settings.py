"""Changing the analysis parameters (administrators)."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.analytics import permissions as perms
from guanxi.analytics.models import AnalyticsSettings
from guanxi.core import audit
from guanxi.core.errors import FieldErrors, Forbidden
from guanxi.core.locking import save_versioned


def check_segment_map(value: Any) -> dict[str, str]:
    """A segment map is {segment key: regular expression over the two digits "RF"}."""
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise FieldErrors({"segment_map": [_("Give an object of segment name → pattern, such "
                                             "as {\"champions\": \"[4-5][4-5]\"}.")]})
    for key, pattern in value.items():
        if not isinstance(key, str) or not key or not isinstance(pattern, str):
            raise FieldErrors({"segment_map": [_("Names and patterns must be text.")]})
        try:
            re.compile(pattern)
        except re.error:
            raise FieldErrors({"segment_map": [_("“%(pattern)s” is not a valid pattern.")
                                               % {"pattern": pattern}]}) from None
    return value


def update_settings(actor: User, version: int, changes: dict[str, Any]) -> AnalyticsSettings:
    if not perms.can_change_settings(actor):
        raise Forbidden(_("Only administrators change the analytics settings."))
    if "segment_map" in changes:
        changes["segment_map"] = check_segment_map(changes["segment_map"])
    with transaction.atomic():
        current = AnalyticsSettings.current()
        before = {k: getattr(current, k) for k in changes}
        save_versioned(current, version, changes)
        audit.log(actor, "analytics.settings.updated", current,
                  changes=audit.diff(before, changes))
    return current
