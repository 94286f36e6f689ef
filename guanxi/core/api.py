"""REST endpoints for custom field definitions: everyone signed in reads the active ones,
administrators write."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from guanxi.core import approvals, lists, pickers, selectors, services
from guanxi.core.access import get_visible
from guanxi.core.errors import FieldErrors
from guanxi.core.permissions import can_manage_custom_fields
from guanxi.core.schemas import (
    BulkIn,
    BulkOut,
    CustomFieldIn,
    CustomFieldOut,
    CustomFieldPatch,
    Id,
    InboxBulkIn,
    InboxDecisionIn,
    InboxItemOut,
    InboxOutcomeOut,
    SavedViewIn,
    SavedViewOut,
    SavedViewPatch,
    Version,
)

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


# --- The approvals inbox ----------------------------------------------------------------------

def _item_out(item: approvals.Item) -> dict:
    return {"ref": item.ref, "kind": item.kind, "kind_label": item.kind_label, "id": item.id,
            "title": item.title, "url": item.url, "version": item.version,
            "since": item.since, "account": item.account,
            "submitted_by": item.submitted_by, "step": item.step, "note": item.note,
            "overdue": item.overdue, "needs_comment": item.needs_comment,
            "can_return": item.can_return,
            # Plain values (amounts and rates as decimal strings); the reader formats them.
            "figures": [{"label": str(f.label), "kind": f.kind, "currency": f.currency,
                         "value": None if f.value is None else
                         (f.value.isoformat() if hasattr(f.value, "isoformat")
                          else str(f.value))} for f in item.figures]}


@router.get("/inbox", response=list[InboxItemOut], tags=["inbox"])
def approvals_waiting(request: HttpRequest, kind: list[str] | None = Query(None)):  # noqa: B008
    """Everything waiting for the caller's decision, overdue first, then longest waiting;
    ``kind`` (repeatable) narrows to some kinds (customer, terms, discount, contract, order,
    expense, support)."""
    return [_item_out(i) for i in approvals.waiting(request.auth, set(kind) if kind else None)]


@router.post("/inbox/decide", response=InboxOutcomeOut, tags=["inbox"])
def approvals_decide(request: HttpRequest, payload: InboxDecisionIn):
    """Approve, reject (a comment is required) or return one item, by its ``ref``."""
    approvals.decide(request.auth, payload.ref, payload.decision, payload.comment,
                     payload.version)
    return {"ref": payload.ref, "ok": True, "message": ""}


@router.post("/inbox/bulk", response=list[InboxOutcomeOut], tags=["inbox"])
def approvals_bulk(request: HttpRequest, payload: InboxBulkIn):
    """Approve several items that need no comment; each answers on its own."""
    return [{"ref": o.ref, "ok": o.ok, "message": o.message}
            for o in approvals.bulk_approve(request.auth, payload.items)]


# --- Pickers ---------------------------------------------------------------------------------

class ChoiceOut(Schema):
    id: int
    label: str
    detail: str = ""
    url: str = ""


@router.get("/pick/{kind}", response=list[ChoiceOut], url_name="pick", tags=["pickers"])
def pick(request: HttpRequest, kind: str, q: str = "",
         limit: int = Query(10, ge=1, le=pickers.LIMIT)):
    """What a picker offers: records of ``kind`` (customer, contact, product, user, quote,
    order, contract, invoice, case, opportunity …) the caller may see, matching ``q`` by name,
    pinyin, initials, phone or number, best first. Other query values narrow a kind (a
    customer's contacts: ``account=<id>``)."""
    if pickers.get(kind) is None:
        raise FieldErrors({"kind": [_("Choose one of: %(kinds)s.")
                                    % {"kinds": ", ".join(pickers.keys())}]})
    params = {k: v for k, v in request.GET.items() if k not in ("q", "limit")}
    return [vars(c) for c in pickers.choices(request.auth, kind, q, limit, params)]


# --- Record lists: saved views and bulk actions ----------------------------------------------

@router.get("/lists/{key}/views", response=list[SavedViewOut], tags=["lists"])
def list_views(request: HttpRequest, key: str):
    """The views of a list the user sees: their own, their team's (and above), and for
    managers those shared with the teams they manage."""
    lists.get(key)
    return list(selectors.visible_views(request.auth, key))


@router.post("/lists/{key}/views", response={201: SavedViewOut}, tags=["lists"])
def create_view(request: HttpRequest, key: str, payload: SavedViewIn):
    lists.get(key)
    user = request.auth
    return Status(201, services.save_view(user, key, payload.name, payload.params,
                                          team_id=user.team_id if payload.share else None,
                                          default=payload.default))


@router.patch("/lists/{key}/views/{view_id}", response=SavedViewOut, tags=["lists"])
def update_view(request: HttpRequest, key: str, view_id: Id, payload: SavedViewPatch):
    view = get_visible(selectors.visible_views(request.auth, key), pk=view_id)
    return services.update_view(request.auth, view, payload.version, name=payload.name,
                                params=payload.params)


@router.delete("/lists/{key}/views/{view_id}", response={204: None}, tags=["lists"])
def delete_view(request: HttpRequest, key: str, view_id: Id):
    view = get_visible(selectors.visible_views(request.auth, key), pk=view_id)
    services.delete_view(request.auth, view)
    return Status(204, None)


@router.post("/lists/{key}/bulk", response=BulkOut, tags=["lists"])
def bulk(request: HttpRequest, key: str, payload: BulkIn):
    """Apply a bulk action; each row answers for itself (``ok`` or the refusal)."""
    definition = lists.get(key)
    results = lists.run_bulk(request.auth, definition, payload.action,
                             ids=None if payload.all else payload.ids, params=payload.params,
                             value=payload.value)
    done = sum(1 for r in results if r.ok)
    return {"done": done, "refused": len(results) - done,
            "results": [r.as_dict() for r in results]}
