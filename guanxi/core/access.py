"""Fetching single records through the scoped queryset: one helper, one answer for
"missing" and "not yours" alike."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from guanxi.core.errors import Forbidden, NotFound

M = TypeVar("M", bound=Model)


def get_visible(queryset: QuerySet[M], **lookup: Any) -> M:
    """Return the one record matching ``lookup`` inside an already scoped queryset or raise
    NotFound (404) — never PermissionDenied, so existence does not leak."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Not found.")) from None


def require(condition: bool, message: str | None = None) -> None:
    """Refuse (403) unless ``condition`` holds: the one way services turn a rule into an answer."""
    if not condition:
        raise Forbidden(message or _("You are not allowed to do this."))
