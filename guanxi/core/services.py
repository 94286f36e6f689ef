"""Writes on custom field definitions: administrators add, edit and retire fields.

The settings pages and the API call these same functions, so both refuse the same input.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.core import audit
from guanxi.core.access import require
from guanxi.core.errors import Conflict, FieldErrors
from guanxi.core.locking import save_versioned
from guanxi.core.models import CustomFieldDefinition, DefaultView, SavedView
from guanxi.core.permissions import can_edit_view, can_manage_custom_fields, can_share_view

T = CustomFieldDefinition.Type
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
CREATE_FIELDS = ("target", "key", "label_en", "label_zh", "type", "choices", "required",
                 "position")
# Key, record type and value type are fixed once created: stored values depend on them.
UPDATE_FIELDS = ("label_en", "label_zh", "choices", "required", "position", "active")


def _require_admin(actor: User) -> None:
    require(can_manage_custom_fields(actor), _("Only administrators manage custom fields."))


def _clean(data: dict[str, Any], allowed: tuple[str, ...], type_: str) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for name in data:
        if name not in allowed:
            errors[name] = [_("This field cannot be set here.")]
    if "target" in data:
        if data["target"] not in CustomFieldDefinition.Target.values:
            errors["target"] = [_("Choose the record type: customer or contact.")]
        cleaned["target"] = data["target"]
    if "key" in data:
        key = str(data["key"] or "").strip()
        if not KEY_RE.match(key):
            errors["key"] = [_("Use 1–40 lower-case letters, digits and underscores, "
                               "starting with a letter.")]
        cleaned["key"] = key
    for name in ("label_en", "label_zh"):
        if name in data:
            label = str(data[name] or "").strip()
            if len(label) > 80:
                errors[name] = [_("At most 80 characters.")]
            cleaned[name] = label
    if "label_en" in cleaned and not cleaned["label_en"]:
        errors["label_en"] = [_("This field is required.")]
    if "type" in data:
        if data["type"] not in T.values:
            errors["type"] = [_("Choose text, number, date, choice or multiple choice.")]
        cleaned["type"] = data["type"]
    if "choices" in data:
        raw = data["choices"] if isinstance(data["choices"], list | tuple) else None
        values = [str(c).strip() for c in raw or []]
        if raw is None or any(not v or len(v) > 100 for v in values):
            errors["choices"] = [_("Give a list of choices of 1–100 characters each.")]
        elif len(set(values)) != len(values):
            errors["choices"] = [_("Each choice may appear only once.")]
        cleaned["choices"] = values
    for name in ("required", "active"):
        if name in data:
            if not isinstance(data[name], bool):
                errors[name] = [_("Answer yes or no.")]
            cleaned[name] = data[name]
    if "position" in data:
        position = data["position"]
        if isinstance(position, bool) or not isinstance(position, int) \
                or not 0 <= position <= 10000:
            errors["position"] = [_("Enter a whole number from 0 to 10000.")]
        cleaned["position"] = position
    if type_ in (T.CHOICE, T.MULTI) and "choices" not in errors \
            and not cleaned.get("choices", ["?"]):
        errors["choices"] = [_("A choice field needs at least one choice.")]
    if errors:
        raise FieldErrors(errors)
    return cleaned


@transaction.atomic
def create_field(actor: User, data: dict[str, Any]) -> CustomFieldDefinition:
    """Add a custom field to customers or contacts."""
    _require_admin(actor)
    cleaned = _clean(data, CREATE_FIELDS, data.get("type") or T.TEXT)
    missing = {name: [_("This field is required.")] for name in ("target", "key", "label_en")
               if not cleaned.get(name)}
    if missing:
        raise FieldErrors(missing)
    cleaned.setdefault("type", T.TEXT)
    if cleaned["type"] in (T.CHOICE, T.MULTI) and not cleaned.get("choices"):
        raise FieldErrors({"choices": [_("A choice field needs at least one choice.")]})
    if cleaned["type"] not in (T.CHOICE, T.MULTI):
        cleaned["choices"] = []
    if CustomFieldDefinition.objects.filter(target=cleaned["target"],
                                            key=cleaned["key"]).exists():
        raise Conflict(_("A field with this key already exists (perhaps inactive: edit it "
                         "instead)."), field="key", code="duplicate")
    field = CustomFieldDefinition.objects.create(**cleaned)
    audit.log(actor, "core.custom_field.created", field,
              changes={k: [None, v] for k, v in cleaned.items()})
    return field


@transaction.atomic
def update_field(actor: User, field: CustomFieldDefinition, data: dict[str, Any],
                 version: int) -> CustomFieldDefinition:
    """Edit labels, choices, required, position or reactivate a field."""
    _require_admin(actor)
    fixed = {name: [_("This cannot be changed once the field exists.")]
             for name in ("target", "key", "type")
             if name in data and data[name] != getattr(field, name)}
    if fixed:
        raise FieldErrors(fixed)
    data = {k: v for k, v in data.items() if k not in ("target", "key", "type")}
    cleaned = _clean(data, UPDATE_FIELDS, field.type)
    if field.type not in (T.CHOICE, T.MULTI) and cleaned.get("choices"):
        raise FieldErrors({"choices": [_("Only choice fields have choices.")]})
    before = {k: getattr(field, k) for k in cleaned}
    save_versioned(field, version, cleaned)
    changes = audit.diff(before, cleaned)
    if changes:
        audit.log(actor, "core.custom_field.updated", field, changes=changes)
    return field


@transaction.atomic
def deactivate_field(actor: User, field: CustomFieldDefinition, version: int) -> None:
    """Retire a field: forms, filters and the API stop offering it; stored values stay, so
    reactivating it brings them back."""
    _require_admin(actor)
    if not field.active:
        raise Conflict(_("This field is already inactive."), code="inactive")
    save_versioned(field, version, {"active": False})
    audit.log(actor, "core.custom_field.deactivated", field,
              changes={"active": [True, False]})


# --- Saved list views ------------------------------------------------------------------------

def _clean_view(actor: User, list_key: str, name: str, params: dict[str, Any],
                team_id: int | None) -> tuple[str, dict[str, Any]]:
    from guanxi.core import lists

    definition = lists.get(list_key)
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("This field is required.")]
    elif len(name) > 80:
        errors["name"] = [_("Use at most 80 characters.")]
    clean = {str(k): str(v) for k, v in (params or {}).items()
             if k not in lists.NOT_SAVED and v not in (None, "")}
    if len(json.dumps(clean)) > 4000:
        errors["params"] = [_("This view has too many filters.")]
    if clean.get("density") not in (None, *SavedView.Density.values):
        errors["density"] = [_("Choose comfortable or compact.")]
    sort = clean.get("sort", "").lstrip("-")
    if sort and sort not in definition.sorts():
        errors["sort"] = [_("This column cannot be sorted.")]
    if errors:
        raise FieldErrors(errors)
    # The list's own selector reads the filters: a view holds nothing the list refuses.
    definition.select(actor, clean)
    if team_id is not None:
        require(can_share_view(actor, team_id),
                _("Only a manager over the team shares a view with it."))
    return name, clean


@transaction.atomic
def save_view(actor: User, list_key: str, name: str, params: dict[str, Any], *,
              team_id: int | None = None, default: bool = False) -> SavedView:
    """A new view of the list from its query string; ``team_id`` shares it with a team."""
    name, clean = _clean_view(actor, list_key, name, params, team_id)
    view = SavedView.objects.create(list_key=list_key, name=name, owner=actor,
                                    team_id=team_id, params=clean)
    if default:
        set_default_view(actor, list_key, view)
    return view


@transaction.atomic
def update_view(actor: User, view: SavedView, version: int, *, name: str | None = None,
                params: dict[str, Any] | None = None,
                team_id: int | None | Literal["keep"] = "keep") -> SavedView:
    require(can_edit_view(actor, view))
    team = view.team_id if team_id == "keep" else team_id
    name, clean = _clean_view(actor, view.list_key, view.name if name is None else name,
                              view.params if params is None else params, team)
    save_versioned(view, version, {"name": name, "params": clean, "team_id": team})
    return view


@transaction.atomic
def delete_view(actor: User, view: SavedView) -> None:
    require(can_edit_view(actor, view))
    view.delete()


@transaction.atomic
def set_default_view(actor: User, list_key: str, view: SavedView | None) -> None:
    """The view the user's list opens with (None: the list's own default)."""
    if view is None:
        DefaultView.objects.filter(user=actor, list_key=list_key).delete()
        return
    DefaultView.objects.update_or_create(user=actor, list_key=list_key,
                                         defaults={"view": view})
