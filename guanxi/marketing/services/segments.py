"""Writes on segments: dynamic ones keep the customer list's filters; static lists are filled
from a list selection, an import (ids, registration ids or e-mail addresses) or a campaign's
responders."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.core import audit
from guanxi.core.errors import DomainError, FieldErrors, Forbidden
from guanxi.core.locking import save_versioned
from guanxi.customers.selectors import visible_accounts
from guanxi.marketing import permissions as perms
from guanxi.marketing.models import Campaign, CampaignMember, Segment, SegmentMember
from guanxi.marketing.selectors.segments import clean_rules, rule_accounts

RESPONSE_COLUMNS = {"opened": "opened_at", "clicked": "clicked_at", "replied": "replied_at",
                    "registered": "registered_at", "converted": "converted_at"}


def _clean(data: dict[str, Any], actor: User) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "name" in data:
        out["name"] = " ".join(str(data["name"] or "").split())[:120]
        if not out["name"]:
            raise FieldErrors({"name": [_("This field is required.")]})
    if "description" in data:
        out["description"] = str(data["description"] or "")
    if "kind" in data:
        if data["kind"] not in Segment.Kind.values:
            raise FieldErrors({"kind": [_("Choose dynamic or static.")]})
        out["kind"] = data["kind"]
    if "rules" in data:
        out["rules"] = clean_rules(data["rules"] or {})
        rule_accounts(actor, out["rules"]).exists()  # bad values raise here, naming the rule
    return out


@transaction.atomic
def create_segment(actor: User, data: dict[str, Any]) -> Segment:
    if not perms.can_plan(actor):
        raise Forbidden(_("Only marketing staff and managers make segments."))
    cleaned = _clean({"kind": Segment.Kind.DYNAMIC, "rules": {}, **data}, actor)
    if not cleaned.get("name"):
        raise FieldErrors({"name": [_("This field is required.")]})
    if cleaned["kind"] == Segment.Kind.DYNAMIC and not cleaned["rules"]:
        raise FieldErrors({"rules": [_("A dynamic segment needs at least one rule (an empty "
                                       "one would be every customer).")]})
    segment = Segment.objects.create(**cleaned, owner=actor)
    audit.log(actor, "marketing.segment.created", segment,
              data={"name": segment.name, "rules": segment.rules})
    return segment


@transaction.atomic
def update_segment(actor: User, segment: Segment, data: dict[str, Any],
                   version: int) -> Segment:
    if not perms.can_edit_segment(actor, segment):
        raise Forbidden(_("You may not change this segment."))
    cleaned = _clean(data, actor)
    save_versioned(segment, version, cleaned)
    audit.log(actor, "marketing.segment.updated", segment, data={"fields": sorted(cleaned)})
    return segment


def _add(actor: User, segment: Segment, account_ids: Iterable[int], origin: str) -> int:
    if not perms.can_edit_segment(actor, segment):
        raise Forbidden(_("You may not change this segment."))
    if segment.kind != Segment.Kind.STATIC:
        raise DomainError(_("Members are added to static lists only; a dynamic segment "
                            "follows its rules."), field="segment")
    ids = set(visible_accounts(actor).filter(pk__in=list(account_ids))
              .values_list("pk", flat=True))
    SegmentMember.objects.bulk_create(
        [SegmentMember(segment=segment, account_id=pk, origin=origin) for pk in ids],
        ignore_conflicts=True)
    audit.log(actor, "marketing.segment.members_added", segment,
              data={"origin": origin, "count": len(ids)})
    return len(ids)


@transaction.atomic
def add_selection(actor: User, segment: Segment, account_ids: Iterable[int]) -> int:
    return _add(actor, segment, account_ids, SegmentMember.Origin.SELECTION)


@transaction.atomic
def import_members(actor: User, segment: Segment, lines: Iterable[str]) -> tuple[int, list[str]]:
    """Each line a customer id, registration id (USCC) or e-mail address; lines that match no
    customer the user sees are returned, nothing is guessed."""
    wanted = [line.strip() for line in lines if line.strip()]
    found: dict[str, int] = {}
    visible = visible_accounts(actor)
    digits = [w for w in wanted if w.isdigit()]
    for pk in visible.filter(pk__in=[int(d) for d in digits if len(d) < 18]) \
            .values_list("pk", flat=True):
        found[str(pk)] = pk
    others = [w for w in wanted if w not in found]
    for pk, reg, email in visible.filter(
            Q(registration_id__in=[w.upper() for w in others])
            | Q(email__in=[w.lower() for w in others if "@" in w])) \
            .values_list("pk", "registration_id", "email"):
        for key in (reg or "", (email or "").lower()):
            if key:
                found[key] = pk
    unmatched = [w for w in wanted if w not in found and w.upper() not in found
                 and w.lower() not in found]
    added = _add(actor, segment, set(found.values()), SegmentMember.Origin.IMPORT)
    return added, unmatched


@transaction.atomic
def add_responders(actor: User, segment: Segment, campaign: Campaign,
                   response: str = "clicked") -> int:
    column = RESPONSE_COLUMNS.get(response)
    if column is None:
        raise FieldErrors({"response": [_("Choose a response.")]})
    ids = CampaignMember.objects.filter(campaign=campaign, **{f"{column}__isnull": False}) \
        .values_list("account_id", flat=True)
    return _add(actor, segment, ids, SegmentMember.Origin.RESPONDERS)
