"""API: opportunities, their selling team, the kanban board, pipelines and stages.

Reads go through the scoped selector (404 for missing and not visible alike); writes call one
service each and take the ``version`` the caller read (409 when stale).
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from guanxi.core.access import get_visible
from guanxi.core.schemas import Id
from guanxi.core.selectors import keyset_page
from guanxi.customers.models import Account
from guanxi.sales.api import opportunity_schemas as s
from guanxi.sales.models import Opportunity, Pipeline, Stage
from guanxi.sales.selectors import opportunities as sel
from guanxi.sales.services import opportunities as svc
from guanxi.sales.services import pipelines as pipeline_svc

router = Router(tags=["opportunities"])
pipelines_router = Router(tags=["pipelines"])
router.add_router("", pipelines_router)

Sort = Literal["name", "-name", "amount", "-amount", "expected_close", "-expected_close",
               "updated_at", "-updated_at", "created_at", "-created_at"]


class OpportunityFilters(Schema):
    q: str | None = Field(None, description="Part of the opportunity's or customer's name")
    pipeline: Id | None = None
    stage: Id | None = None
    status: Literal["open", "won", "lost", "all"] = Field(
        "open", description="Open deals unless asked otherwise, as on the list page")
    owner: str | None = Field(None, description="`me`, `team` or a user id")
    closing: Literal["month", "quarter"] | None = Field(
        None, description="Expected to close this month or quarter")
    account: Id | None = None
    sort: Sort = "-updated_at"
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


def _opp(request: HttpRequest, opportunity_id: int) -> Opportunity:
    return sel.get_opportunity(request.auth, opportunity_id)


@router.get("/opportunities", response=s.OpportunityPage)
def list_opportunities(request: HttpRequest, filters: Query[OpportunityFilters]):
    """Opportunities you may see, filtered; keyset pages: follow `next` until it is null."""
    qs = sel.filter_opportunities(request.auth, request.GET).select_related(
        "account", "stage", "owner")
    page = keyset_page(qs, filters.sort, filters.cursor, filters.limit)
    return {"items": page.items, "next": page.next}


@router.get("/opportunities/board", response=s.BoardOut)
def board(request: HttpRequest, pipeline: Id | None = None,
          owner: Literal["me", "team"] | None = None):
    """The kanban board of a pipeline (default: the default one): per stage the count, the
    amount and the latest cards. Won and lost show what closed in the last 30 days."""
    current = svc.default_pipeline() if pipeline is None else get_visible(
        Pipeline.objects.filter(active=True), pk=pipeline)
    columns = sel.board(request.auth, current, owner=owner)
    return {"pipeline": current, "columns": columns}


@router.get("/opportunities/mine", response=s.WorkOut)
def my_work(request: HttpRequest, include_closed: bool = False):
    """Opportunities where you are owner, finder, delivery or collection owner or a
    supporting member, by role."""
    return sel.my_work(request.auth, include_closed=include_closed)


@router.post("/opportunities", response={201: s.OpportunityOut})
def create_opportunity(request: HttpRequest, payload: s.OpportunityIn):
    data = payload.model_dump(exclude_unset=True)
    account = get_visible(Account.objects.visible_to(request.auth), pk=data.pop("account_id"))
    opp = svc.create_opportunity(request.auth, account, svc.OpportunityInput(**_ids(data)))
    return Status(201, _opp(request, opp.pk))


def _ids(data: dict[str, Any]) -> dict[str, Any]:
    """API names (``owner_id``) to service names (``owner``)."""
    renamed = {}
    for key, value in data.items():
        name = key[:-3] if key.endswith("_id") else key
        renamed[name] = value
    return renamed


@router.get("/opportunities/{opportunity_id}", response=s.OpportunityOut)
def get_opportunity(request: HttpRequest, opportunity_id: Id):
    """One opportunity with its selling team and stage history."""
    return _opp(request, opportunity_id)


@router.patch("/opportunities/{opportunity_id}", response=s.OpportunityOut)
def update_opportunity(request: HttpRequest, opportunity_id: Id, payload: s.OpportunityPatch):
    opp = _opp(request, opportunity_id)
    data = _ids(payload.model_dump(exclude_unset=True))
    version = data.pop("version")
    svc.update_opportunity(request.auth, opp, version, svc.OpportunityInput(**data))
    return _opp(request, opportunity_id)


@router.post("/opportunities/{opportunity_id}/move", response=s.OpportunityOut)
def move(request: HttpRequest, opportunity_id: Id, payload: s.MoveIn):
    """Move to another stage of the pipeline; lost needs a `loss_reason`."""
    opp = _opp(request, opportunity_id)
    svc.move_stage(request.auth, opp, payload.version, payload.stage,
                   loss_reason=payload.loss_reason, loss_note=payload.loss_note)
    return _opp(request, opportunity_id)


@router.put("/opportunities/{opportunity_id}/team", response=s.OpportunityOut)
def set_team_role(request: HttpRequest, opportunity_id: Id, payload: s.TeamRoleIn):
    """Name the owner, finder, delivery owner or collection owner; they are notified."""
    opp = _opp(request, opportunity_id)
    svc.set_team_role(request.auth, opp, payload.version, payload.role, payload.user_id)
    return _opp(request, opportunity_id)


@router.post("/opportunities/{opportunity_id}/members", response={201: s.OpportunityMemberOut})
def add_member(request: HttpRequest, opportunity_id: Id, payload: s.MemberIn):
    """Add a supporting member; they are notified."""
    member = svc.add_member(request.auth, _opp(request, opportunity_id), payload.user_id,
                            payload.role)
    return Status(201, member)


@router.delete("/opportunities/{opportunity_id}/members/{user_id}", response={204: None})
def remove_member(request: HttpRequest, opportunity_id: Id, user_id: Id):
    svc.remove_member(request.auth, _opp(request, opportunity_id), user_id)
    return Status(204, None)


# --- Pipelines and stages --------------------------------------------------------------------

def _pipelines():
    return Pipeline.objects.prefetch_related("stages")


@pipelines_router.get("/pipelines", response=list[s.PipelineOut])
def list_pipelines(request: HttpRequest):
    """Every pipeline with its stages in order (inactive ones flagged)."""
    return list(_pipelines())


@pipelines_router.post("/pipelines", response={201: s.PipelineOut})
def create_pipeline(request: HttpRequest, payload: s.PipelineIn):
    pipeline = pipeline_svc.create_pipeline(request.auth, payload.model_dump())
    return Status(201, _pipelines().get(pk=pipeline.pk))


@pipelines_router.get("/pipelines/{pipeline_id}", response=s.PipelineOut)
def get_pipeline(request: HttpRequest, pipeline_id: Id):
    return get_visible(_pipelines(), pk=pipeline_id)


@pipelines_router.patch("/pipelines/{pipeline_id}", response=s.PipelineOut)
def update_pipeline(request: HttpRequest, pipeline_id: Id, payload: s.PipelinePatch):
    pipeline = get_visible(Pipeline.objects.all(), pk=pipeline_id)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    pipeline_svc.update_pipeline(request.auth, pipeline, version, data)
    return _pipelines().get(pk=pipeline.pk)


@pipelines_router.post("/pipelines/{pipeline_id}/stages", response={201: s.StageOut})
def add_stage(request: HttpRequest, pipeline_id: Id, payload: s.StageIn):
    pipeline = get_visible(Pipeline.objects.all(), pk=pipeline_id)
    data = {k: v for k, v in payload.model_dump().items() if v is not None}
    return Status(201, pipeline_svc.add_stage(request.auth, pipeline, data))


@pipelines_router.put("/pipelines/{pipeline_id}/stage-order", response=s.PipelineOut)
def reorder_stages(request: HttpRequest, pipeline_id: Id, payload: s.StageOrderIn):
    pipeline = get_visible(Pipeline.objects.all(), pk=pipeline_id)
    pipeline_svc.reorder_stages(request.auth, pipeline, payload.stage_ids)
    return _pipelines().get(pk=pipeline.pk)


@pipelines_router.patch("/stages/{stage_id}", response=s.StageOut)
def update_stage(request: HttpRequest, stage_id: Id, payload: s.StagePatch):
    """Rename, change the probability, (de)activate; a stage with opportunities in it cannot
    be deactivated (409)."""
    stage = get_visible(Stage.objects.select_related("pipeline"), pk=stage_id)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    return pipeline_svc.update_stage(request.auth, stage, version, data)


@pipelines_router.delete("/stages/{stage_id}", response={204: None})
def delete_stage(request: HttpRequest, stage_id: Id):
    """Only a stage no opportunity was ever in (409 otherwise: deactivate it instead)."""
    stage = get_visible(Stage.objects.select_related("pipeline"), pk=stage_id)
    pipeline_svc.delete_stage(request.auth, stage)
    return Status(204, None)

