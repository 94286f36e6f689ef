"""API: the signed-in user's notification preferences."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import ConfigDict

from guanxi.integrations.services import preferences

router = Router(tags=["notification preferences"])


class PreferenceOut(Schema):
    kind: str
    label: str
    email: bool


class PreferencesIn(Schema):
    model_config = ConfigDict(extra="forbid")
    email: dict[str, bool]


def _out(rows: list[tuple[str, str, bool]]) -> list[dict]:
    return [{"kind": k, "label": label, "email": on} for k, label, on in rows]


@router.get("/me/notification-preferences", response=list[PreferenceOut])
def get_preferences(request: HttpRequest):
    """Every kind of notification and whether it also comes by e-mail (the app shows all)."""
    return _out(preferences.preferences(request.auth))


@router.put("/me/notification-preferences", response=list[PreferenceOut])
def set_preferences(request: HttpRequest, payload: PreferencesIn):
    """Turn e-mail on or off per kind: ``{"email": {"sales.lead.assigned": true}}``."""
    return _out(preferences.set_preferences(request.auth, payload.email))
