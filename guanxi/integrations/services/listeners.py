"""What this app does when something happens elsewhere: connected in ``apps.ready``."""

from __future__ import annotations

from guanxi.core import events
from guanxi.core.events import Event
from guanxi.core.tasks import later
from guanxi.integrations.services import automation, webhooks


def email_notification(event: Event) -> None:
    if event.type != "core.notification.created":
        return
    from guanxi.core.models import Notification
    from guanxi.integrations.hook_tasks import email_notification as task
    from guanxi.integrations.services.preferences import wants_email

    note = Notification.objects.select_related("recipient").filter(pk=event.object_id).first()
    if note is not None and wants_email(note.recipient, note.kind):
        later(task, note.pk)


def connect() -> None:
    events.subscribe(webhooks.write_outbox, in_transaction=True)
    events.subscribe(automation.on_event)
    events.subscribe(email_notification)
