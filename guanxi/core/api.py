"""REST endpoints for custom field definitions: everyone signed in reads the active ones,
administrators write."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from guanxi.core import selectors, services
from guanxi.core.access import get_visible
from guanxi.core.permissions import can_manage_custom_fields
from guanxi.core.schemas import CustomFieldIn, CustomFieldOut, CustomFieldPatch, Id, Version

router = Router(tags=["custom fields"])


@router.get("/custom-fields", response=list[CustomFieldOut])
def list_fields(request: HttpRequest, target: str | None = None,
                include_inactive: bool = False):
    """Active custom fields (administrators may ask for inactive ones too)."""
    return list(selectors.custom_fields(
        target, include_inactive=include_inactive and can_manage_custom_fields(request.auth)))


@router.post("/custom-fields", response={201: CustomFieldOut})
def create_field(request: HttpRequest, payload: CustomFieldIn):
    return Status(201, services.create_field(request.auth, payload.model_dump()))


def _field(request: HttpRequest, field_id: int):
    # Administrators reach inactive fields too, to edit or reactivate them.
    admin = can_manage_custom_fields(request.auth)
    return get_visible(selectors.custom_fields(include_inactive=admin), pk=field_id)


@router.patch("/custom-fields/{field_id}", response=CustomFieldOut)
def update_field(request: HttpRequest, field_id: Id, payload: CustomFieldPatch):
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    return services.update_field(request.auth, _field(request, field_id), data, version)


@router.delete("/custom-fields/{field_id}", response={204: None})
def deactivate_field(request: HttpRequest, field_id: Id, version: Version):
    services.deactivate_field(request.auth, _field(request, field_id), version)
    return Status(204, None)
