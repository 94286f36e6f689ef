"""API: webhook subscriptions, their deliveries and redelivery (administrators)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from guanxi.core import events
from guanxi.core.access import get_visible
from guanxi.core.idempotency import forget_answer
from guanxi.core.schemas import Id, Version
from guanxi.core.selectors import keyset_page
from guanxi.integrations import hooks_selectors as selectors
from guanxi.integrations.models import WebhookDelivery, WebhookSubscription
from guanxi.integrations.services import webhooks

router = Router(tags=["webhooks"])


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class EventTypeOut(Schema):
    type: str
    label: str


class SubscriptionIn(In):
    name: str
    url: str = Field(description="http(s) address; internal addresses are refused")
    events: list[str] = Field(description="Event types, see GET /webhook-events")
    active: bool = True


class SubscriptionPatch(In):
    version: Version
    name: str | None = None
    url: str | None = None
    events: list[str] | None = None
    active: bool | None = None


class SubscriptionOut(Schema):
    id: int
    name: str
    url: str
    events: list[str]
    active: bool
    created_at: dt.datetime
    version: int


class SubscriptionCreated(SubscriptionOut):
    secret: str = Field(description="Signs the payloads. Shown only now: keep it.")


class VersionIn(In):
    version: Version


class SecretOut(Schema):
    secret: str
    version: int


class DeliveryOut(Schema):
    id: int
    uuid: uuid.UUID
    subscription_id: int
    event_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime | None
    last_attempt_at: dt.datetime | None
    last_status_code: int | None
    last_error: str
    response_ms: int | None
    created_at: dt.datetime
    payload: dict[str, Any]


class DeliveryFilters(Schema):
    status: str | None = Field(None, description="pending, delivered, failed or dead")
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


class DeliveryPage(Schema):
    items: list[DeliveryOut]
    next: str | None


@router.get("/webhook-events", response=list[EventTypeOut])
def event_types(request: HttpRequest):
    webhooks.require_admin(request.auth)
    return [{"type": k, "label": str(v)} for k, v in events.event_types().items()]


@router.get("/webhooks", response=list[SubscriptionOut])
def list_subscriptions(request: HttpRequest):
    return list(selectors.subscriptions(request.auth))


@router.post("/webhooks", response={201: SubscriptionCreated})
def create_subscription(request: HttpRequest, payload: SubscriptionIn):
    forget_answer(request)  # the answer holds the signing secret
    return Status(201, webhooks.create_subscription(request.auth, payload.model_dump()))


def _sub(request: HttpRequest, pk: int) -> WebhookSubscription:
    return get_visible(selectors.subscriptions(request.auth), pk=pk)


@router.get("/webhooks/{webhook_id}", response=SubscriptionOut)
def get_subscription(request: HttpRequest, webhook_id: Id):
    return _sub(request, webhook_id)


@router.patch("/webhooks/{webhook_id}", response=SubscriptionOut)
def update_subscription(request: HttpRequest, webhook_id: Id, payload: SubscriptionPatch):
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    return webhooks.update_subscription(request.auth, _sub(request, webhook_id), data, version)


@router.delete("/webhooks/{webhook_id}", response={204: None})
def delete_subscription(request: HttpRequest, webhook_id: Id):
    webhooks.delete_subscription(request.auth, _sub(request, webhook_id))
    return Status(204, None)


@router.post("/webhooks/{webhook_id}/rotate-secret", response=SecretOut)
def rotate_secret(request: HttpRequest, webhook_id: Id, payload: VersionIn):
    sub = _sub(request, webhook_id)
    secret = webhooks.rotate_secret(request.auth, sub, payload.version)
    forget_answer(request)
    return {"secret": secret, "version": sub.version}


@router.get("/webhooks/{webhook_id}/deliveries", response=DeliveryPage)
def list_deliveries(request: HttpRequest, webhook_id: Id,
                    filters: Query[DeliveryFilters]):
    qs = selectors.deliveries(request.auth, _sub(request, webhook_id), filters.status)
    page = keyset_page(qs, "-created_at", filters.cursor, filters.limit)
    return {"items": page.items, "next": page.next}


@router.post("/webhook-deliveries/{delivery_id}/redeliver", response={201: DeliveryOut})
def redeliver(request: HttpRequest, delivery_id: Id):
    delivery: WebhookDelivery = get_visible(selectors.deliveries(request.auth), pk=delivery_id)
    return Status(201, webhooks.redeliver(request.auth, delivery))
