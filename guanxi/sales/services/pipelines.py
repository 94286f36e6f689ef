"""Administering pipelines and their stages. Exactly one active pipeline is the default; a
stage that ever held an opportunity is deactivated, never deleted (the history points at it)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.core import audit
from guanxi.core.errors import Conflict, DomainError, FieldErrors, Forbidden
from guanxi.core.locking import check_version, save_versioned
from guanxi.sales import permissions as perms
from guanxi.sales.models import Opportunity, Pipeline, Stage, StageChange

PIPELINE_FIELDS = ("name_en", "name_zh", "is_default", "active", "position")
STAGE_FIELDS = ("name_en", "name_zh", "probability", "kind", "key")


def _require_admin(actor: User) -> None:
    if not perms.can_configure(actor):
        raise Forbidden(_("Only administrators change pipelines."))


def _text(data: dict[str, Any], key: str, errors: dict, required: bool = False) -> str:
    value = str(data.get(key) or "").strip()
    if required and not value:
        errors[key] = [_("This field is required.")]
    return value[:80]


def _clean(data: dict[str, Any], allowed: tuple[str, ...], creating: bool) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for key in data:
        if key not in allowed:
            errors[key] = [_("This field cannot be set here.")]
    for key in ("name_en", "name_zh"):
        if key in data or (creating and key == "name_en"):
            out[key] = _text(data, key, errors, required=key == "name_en")
    if "probability" in data:
        try:
            out["probability"] = int(data["probability"])
            if not 0 <= out["probability"] <= 100:
                raise ValueError
        except (TypeError, ValueError):
            errors["probability"] = [_("Enter a whole number from 0 to 100.")]
    if "kind" in data:
        if data["kind"] not in Stage.Kind.values:
            errors["kind"] = [_("Choose one of the listed values.")]
        out["kind"] = data["kind"]
    for key in ("is_default", "active"):
        if key in data:
            out[key] = bool(data[key])
    if "position" in data:
        try:
            out["position"] = max(0, int(data["position"]))
        except (TypeError, ValueError):
            errors["position"] = [_("Enter a whole number.")]
    if "key" in data:
        out["key"] = slugify(str(data["key"] or "")).replace("-", "_")[:40]
    if errors:
        raise FieldErrors(errors)
    return out


def _make_default(pipeline: Pipeline) -> None:
    Pipeline.objects.exclude(pk=pipeline.pk).filter(is_default=True).update(is_default=False)


# --- Pipelines -----------------------------------------------------------------------------

def create_pipeline(actor: User, data: dict[str, Any]) -> Pipeline:
    """A new pipeline starts with one open stage and the won and lost stages."""
    _require_admin(actor)
    cleaned = _clean(data, ("name_en", "name_zh", "is_default"), creating=True)
    with transaction.atomic():
        position = (Pipeline.objects.aggregate(m=Max("position"))["m"] or 0) + 1
        is_default = cleaned.pop("is_default", False) or not Pipeline.objects.filter(
            is_default=True, active=True).exists()
        pipeline = Pipeline.objects.create(position=position, is_default=is_default, **cleaned)
        if is_default:
            _make_default(pipeline)
        Stage.objects.bulk_create([
            Stage(pipeline=pipeline, key="open", name_en="Open", name_zh="进行中", position=0,
                  probability=10, kind=Stage.Kind.OPEN),
            Stage(pipeline=pipeline, key="won", name_en="Won", name_zh="赢单", position=1,
                  probability=100, kind=Stage.Kind.WON),
            Stage(pipeline=pipeline, key="lost", name_en="Lost", name_zh="输单", position=2,
                  probability=0, kind=Stage.Kind.LOST),
        ])
        audit.log(actor, "sales.pipeline.created", pipeline,
                  changes=audit.diff({}, {"name_en": pipeline.name_en}))
    return pipeline


def update_pipeline(actor: User, pipeline: Pipeline, version: int | None,
                    data: dict[str, Any]) -> Pipeline:
    """Rename, make default, deactivate. The default pipeline stays active; making another
    one the default takes the flag from the old one."""
    _require_admin(actor)
    check_version(pipeline, version)
    cleaned = _clean(data, PIPELINE_FIELDS, creating=False)
    becomes_default = cleaned.get("is_default", pipeline.is_default)
    active = cleaned.get("active", pipeline.active)
    if pipeline.is_default and cleaned.get("is_default") is False:
        raise DomainError(_("Make another pipeline the default instead."), field="is_default")
    if becomes_default and not active:
        raise DomainError(_("The default pipeline cannot be deactivated."), field="active")
    if not active and pipeline.opportunities.filter(
            is_active=True, stage__kind=Stage.Kind.OPEN).exists():
        raise DomainError(_("Open opportunities are still on this pipeline."), field="active")
    before = {k: getattr(pipeline, k) for k in cleaned}
    with transaction.atomic():
        save_versioned(pipeline, version, cleaned)
        if becomes_default:
            _make_default(pipeline)
        audit.log(actor, "sales.pipeline.updated", pipeline, changes=audit.diff(before, cleaned))
    return pipeline


# --- Stages --------------------------------------------------------------------------------

def _check_kinds(pipeline: Pipeline) -> None:
    """A pipeline keeps at least one active open stage and exactly one active won and one
    active lost stage: the board and the forecast rely on them."""
    kinds = list(pipeline.stages.filter(active=True).values_list("kind", flat=True))
    if kinds.count(Stage.Kind.OPEN) < 1:
        raise DomainError(_("A pipeline needs at least one open stage."), field="kind")
    if kinds.count(Stage.Kind.WON) != 1 or kinds.count(Stage.Kind.LOST) != 1:
        raise DomainError(_("A pipeline has exactly one won and one lost stage."), field="kind")


def _in_use(stage: Stage) -> bool:
    return Opportunity.objects.filter(stage=stage).exists() or StageChange.objects.filter(
        to_stage=stage).exists()


def add_stage(actor: User, pipeline: Pipeline, data: dict[str, Any]) -> Stage:
    """A new open stage, placed before won and lost unless a position is given."""
    _require_admin(actor)
    cleaned = _clean(data, (*STAGE_FIELDS, "position"), creating=True)
    cleaned.setdefault("kind", Stage.Kind.OPEN)
    key = cleaned.pop("key", "") or slugify(cleaned["name_en"]).replace("-", "_")[:40] \
        or "stage"
    base, n = key, 2
    while pipeline.stages.filter(key=key).exists():
        key = f"{base[:36]}_{n}"
        n += 1
    with transaction.atomic():
        stages = list(pipeline.stages.all())
        if "position" in cleaned:
            position = cleaned.pop("position")
        else:
            opens = [s.position for s in stages if s.kind == Stage.Kind.OPEN]
            position = (max(opens) + 1) if opens else 0
        stage = Stage.objects.create(pipeline=pipeline, key=key, position=position, **cleaned)
        ordered = sorted((s for s in stages), key=lambda s: (s.position, s.pk))
        ordered.insert(min(position, len(ordered)), stage)
        _renumber(ordered)
        _check_kinds(pipeline)
        audit.log(actor, "sales.stage.created", stage,
                  changes=audit.diff({}, {"name_en": stage.name_en, "kind": stage.kind}))
    return stage


def _renumber(stages: list[Stage]) -> None:
    for i, stage in enumerate(stages):
        if stage.position != i:
            Stage.objects.filter(pk=stage.pk).update(position=i)
            stage.position = i


def update_stage(actor: User, stage: Stage, version: int | None,
                 data: dict[str, Any]) -> Stage:
    """Rename, change the probability or the kind (the kind only while unused), activate or
    deactivate (only without active opportunities in it)."""
    _require_admin(actor)
    check_version(stage, version)
    cleaned = _clean(data, (*STAGE_FIELDS, "active"), creating=False)
    cleaned.pop("key", None)
    if "kind" in cleaned and cleaned["kind"] != stage.kind and _in_use(stage):
        raise DomainError(_("Opportunities went through this stage; its kind cannot change."),
                          field="kind")
    if cleaned.get("active") is False and stage.active and stage.opportunities.filter(
            is_active=True).exists():
        raise Conflict(_("Opportunities are in this stage: move them before deactivating it."),
                       field="active", code="stage_in_use")
    before = {k: getattr(stage, k) for k in cleaned}
    with transaction.atomic():
        save_versioned(stage, version, cleaned)
        _check_kinds(stage.pipeline)
        audit.log(actor, "sales.stage.updated", stage, changes=audit.diff(before, cleaned))
    return stage


def reorder_stages(actor: User, pipeline: Pipeline, stage_ids: list[int]) -> None:
    """Put the stages in the given order (every stage of the pipeline, once)."""
    _require_admin(actor)
    stages = {s.pk: s for s in pipeline.stages.all()}
    try:
        ids = [int(pk) for pk in stage_ids]
    except (TypeError, ValueError):
        ids = []
    if sorted(ids) != sorted(stages):
        raise DomainError(_("List every stage of the pipeline once."), field="stages")
    with transaction.atomic():
        _renumber([stages[pk] for pk in ids])
        audit.log(actor, "sales.pipeline.reordered", pipeline, data={"stages": ids})


def delete_stage(actor: User, stage: Stage) -> None:
    """Only a stage that never held an opportunity goes away; others are deactivated."""
    _require_admin(actor)
    if _in_use(stage):
        raise Conflict(_("Opportunities have been in this stage: deactivate it instead."),
                       field="stage", code="stage_in_use")
    pipeline = stage.pipeline
    with transaction.atomic():
        audit.log(actor, "sales.stage.deleted", stage, data={"key": stage.key})
        stage.delete()
        _check_kinds(pipeline)
        _renumber(list(pipeline.stages.all()))
