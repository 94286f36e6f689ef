"""Webhooks: administrators subscribe an address to events; each event is written to an outbox
in the transaction of the change and posted, signed, by the worker, with retries.

Signature: ``X-Guanxi-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>``.
The receiver recomputes it with its copy of the secret and rejects old timestamps.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import json
import random
import socket
import ssl
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanxi.accounts.models import User
from guanxi.core import audit
from guanxi.core.errors import DomainError, FieldErrors, Forbidden
from guanxi.core.events import Event, is_event_type
from guanxi.core.locking import save_versioned
from guanxi.core.notifications import notify
from guanxi.core.tasks import later
from guanxi.integrations import permissions as perms
from guanxi.integrations.models import WebhookDelivery, WebhookSubscription
from guanxi.integrations.models.hooks import new_webhook_secret
from guanxi.integrations.services import ssrf

Status = WebhookDelivery.Status
BACKOFF_BASE = 30  # seconds before the first retry; doubles with every attempt
BACKOFF_CAP = 6 * 3600
USER_AGENT = "Guanxi-Webhooks/1"


def require_admin(actor: User) -> None:
    if not perms.can_manage_webhooks(actor):
        raise Forbidden(_("Only administrators manage webhooks and automation rules."))


# --- Subscriptions --------------------------------------------------------------------------

def _clean(data: dict[str, Any], partial: bool = False) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    fields: dict[str, Any] = {}
    if "name" in data or not partial:
        name = str(data.get("name") or "").strip()
        if not name:
            errors["name"] = [_("This field is required.")]
        fields["name"] = name[:100]
    if "url" in data or not partial:
        url = str(data.get("url") or "").strip()
        try:
            ssrf.check_url(url)
        except DomainError as exc:
            errors["url"] = [exc.message]
        if len(url) > 500:
            errors["url"] = [_("The address is too long.")]
        fields["url"] = url
    if "events" in data or not partial:
        chosen = list(dict.fromkeys(data.get("events") or []))
        unknown = [e for e in chosen if not is_event_type(e)]
        if unknown:
            errors["events"] = [_("Unknown event: %(event)s") % {"event": unknown[0]}]
        elif not chosen:
            errors["events"] = [_("Choose at least one event.")]
        fields["events"] = chosen
    if "active" in data:
        fields["active"] = bool(data["active"])
    if errors:
        raise FieldErrors(errors)
    return fields


@transaction.atomic
def create_subscription(actor: User, data: dict[str, Any]) -> WebhookSubscription:
    """The new subscription's ``secret`` is readable on the returned object: show it once."""
    require_admin(actor)
    fields = _clean(data)
    sub = WebhookSubscription.objects.create(**fields, created_by=actor)
    audit.log(actor, "integrations.webhook.created", sub,
              changes={k: [None, v] for k, v in fields.items()})
    return sub


@transaction.atomic
def update_subscription(actor: User, sub: WebhookSubscription, data: dict[str, Any],
                        version: int) -> WebhookSubscription:
    require_admin(actor)
    fields = _clean(data, partial=True)
    changes = audit.diff({k: getattr(sub, k) for k in fields}, fields)
    save_versioned(sub, version, fields)
    if changes:
        audit.log(actor, "integrations.webhook.updated", sub, changes=changes)
    return sub


@transaction.atomic
def rotate_secret(actor: User, sub: WebhookSubscription, version: int) -> str:
    """A new secret (returned once); the old one stops signing at once."""
    require_admin(actor)
    secret = new_webhook_secret()
    save_versioned(sub, version, {"secret": secret})
    audit.log(actor, "integrations.webhook.secret_rotated", sub)
    return secret


@transaction.atomic
def delete_subscription(actor: User, sub: WebhookSubscription) -> None:
    require_admin(actor)
    audit.log(actor, "integrations.webhook.deleted", sub, changes={"url": [sub.url, None]})
    sub.delete()


# --- The outbox -----------------------------------------------------------------------------

def payload(event: Event) -> dict[str, Any]:
    return {"id": event.id, "type": event.type, "created_at": event.at.isoformat(),
            "object": {"type": event.object_type, "id": event.object_id,
                       "name": event.object_repr},
            "actor": event.actor_id, "changes": event.changes, "data": event.data}


def write_outbox(event: Event) -> list[WebhookDelivery]:
    """Subscriber run inside the writer's transaction: one delivery per interested
    subscription, committed (or rolled back) with the change itself."""
    if not is_event_type(event.type):
        return []
    subs = [pk for pk, types in WebhookSubscription.objects.filter(active=True)
            .values_list("pk", "events") if event.type in types]
    if not subs:
        return []
    body = payload(event)
    now = timezone.now()
    rows = WebhookDelivery.objects.bulk_create([
        WebhookDelivery(subscription_id=pk, event_id=event.id, event_type=event.type,
                        payload=body, next_attempt_at=now) for pk in subs])
    _enqueue([r.pk for r in rows])
    return rows


def _enqueue(ids: list[int]) -> None:
    from guanxi.integrations.hook_tasks import deliver_webhooks

    later(deliver_webhooks, ids)


# --- Delivery -------------------------------------------------------------------------------

def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def backoff(attempts: int, rng: random.Random | None = None) -> dt.timedelta:
    """Wait before the next try after ``attempts`` failed ones: exponential, capped, plus up
    to 10 % jitter so many failed deliveries do not all come back at the same second."""
    delay = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(attempts - 1, 0))
    return dt.timedelta(seconds=delay + (rng or random).uniform(0, delay / 10))


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the address that passed the check, whatever DNS says now."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        # The certificate is checked against the host name, not the address.
        # HTTPSConnection keeps its SSL context in _context (not in the typeshed stubs).
        self.sock = self._context.wrap_socket(  # type: ignore[attr-defined]
            sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST ``body``; (status, short error text). Redirects are not followed: a 3xx could
    point inside the network."""
    target = ssrf.check_url(url)
    kind = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    last_error: OSError | None = None
    for address in target.addresses:
        conn = kind(target.host, target.port, address, settings.GUANXI_WEBHOOK_TIMEOUT)
        try:
            conn.request("POST", target.path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read(300).decode("utf-8", "replace")
            return response.status, text
        except (TimeoutError, ConnectionRefusedError) as exc:
            last_error = exc
            continue
        finally:
            conn.close()
    raise last_error or OSError("no address")


def _headers(delivery: WebhookDelivery, body: bytes, now: dt.datetime) -> dict[str, str]:
    return {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
            "X-Guanxi-Event": delivery.event_type, "X-Guanxi-Delivery": str(delivery.uuid),
            "X-Guanxi-Signature": sign(delivery.subscription.secret, int(now.timestamp()),
                                       body)}


def attempt(delivery: WebhookDelivery, *, now: dt.datetime | None = None,
            rng: random.Random | None = None) -> WebhookDelivery:
    """Send one delivery once, if it is still waiting, and record the outcome."""
    now = now or timezone.now()
    lease = now + dt.timedelta(seconds=3 * settings.GUANXI_WEBHOOK_TIMEOUT)
    # Claim it: of two workers picking the same row, only one sends it.
    claimed = WebhookDelivery.objects.filter(
        pk=delivery.pk, status__in=[Status.PENDING, Status.FAILED],
        attempts=delivery.attempts).update(attempts=F("attempts") + 1, last_attempt_at=now,
                                           next_attempt_at=lease)
    if not claimed:
        return delivery
    delivery.refresh_from_db()
    sub = delivery.subscription
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":"),
                      sort_keys=True).encode()
    code, error = None, ""
    started = time.monotonic()
    if not sub.active:
        error = _("The webhook is inactive.")
    else:
        try:
            code, text = post(sub.url, body, _headers(delivery, body, now))
            if not 200 <= code < 300:
                error = (_("Redirect not followed") if 300 <= code < 400 else text.strip()
                         or f"HTTP {code}")
        except DomainError as exc:
            error = exc.message
        except (OSError, http.client.HTTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"
    elapsed = int((time.monotonic() - started) * 1000)
    fields: dict[str, Any] = {"last_status_code": code, "last_error": error[:300],
                              "response_ms": elapsed if code else None}
    if not error:
        fields |= {"status": Status.DELIVERED, "next_attempt_at": None}
    elif delivery.attempts >= settings.GUANXI_WEBHOOK_MAX_ATTEMPTS or not sub.active:
        fields |= {"status": Status.DEAD, "next_attempt_at": None}
    else:
        fields |= {"status": Status.FAILED,
                   "next_attempt_at": now + backoff(delivery.attempts, rng)}
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    for key, value in fields.items():
        setattr(delivery, key, value)
    if fields["status"] == Status.DEAD and sub.created_by_id:
        notify(sub.created_by, gettext_noop("Webhook “%(name)s” gave up on a %(event)s event "
                                            "after %(attempts)s attempts"),
               {"name": sub.name, "event": delivery.event_type, "attempts": delivery.attempts},
               kind="integrations.webhook.dead", url=f"/data/webhooks/{sub.pk}/")
    return delivery


def due(now: dt.datetime | None = None) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(status__in=[Status.PENDING, Status.FAILED],
                                          next_attempt_at__lte=now or timezone.now())


def deliver(ids: list[int], *, now: dt.datetime | None = None) -> int:
    """Attempt the given deliveries that are due; the number delivered."""
    rows = due(now).filter(pk__in=ids).select_related("subscription")
    return sum(attempt(row, now=now).status == Status.DELIVERED for row in rows)


def deliver_due(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """The worker's sweep: retries whose time has come, and anything never sent."""
    rows = due(now).select_related("subscription").order_by("next_attempt_at")[:limit]
    return sum(attempt(row, now=now).status == Status.DELIVERED for row in rows)


@transaction.atomic
def redeliver(actor: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send the same event again as a new delivery (same event id, new delivery id)."""
    require_admin(actor)
    again = WebhookDelivery.objects.create(
        subscription=delivery.subscription, event_id=delivery.event_id,
        event_type=delivery.event_type, payload=delivery.payload, redelivery_of=delivery,
        next_attempt_at=timezone.now())
    audit.log(actor, "integrations.webhook.redelivered", delivery.subscription,
              data={"delivery": str(delivery.uuid), "new_delivery": str(again.uuid)})
    _enqueue([again.pk])
    return again
