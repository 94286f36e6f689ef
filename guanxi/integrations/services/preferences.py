"""Notification preferences: every notification shows in the app; each user chooses which
kinds also come by e-mail."""

from __future__ import annotations

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.accounts.models import User
from guanxi.core import audit
from guanxi.core.errors import FieldErrors
from guanxi.core.models import Notification
from guanxi.integrations.models import NotificationPreference

# The kinds a user can choose for e-mail. A notification's kind matches its own entry or the
# nearest namespace above it ("sales.task.reminder" follows "sales.task").
KINDS = {
    "sales.lead.assigned": gettext_lazy("A lead is handed to me"),
    "sales.task": gettext_lazy("Tasks given to me and their reminders"),
    "sales.opportunity_team": gettext_lazy("I join an opportunity's selling team"),
    "sales.support_request": gettext_lazy("Key-account support requests and decisions"),
    "integrations.automation": gettext_lazy("Automation rules notify me"),
    "integrations.webhook.dead": gettext_lazy("A webhook I created gives up"),
}


def preference_kind(kind: str) -> str | None:
    parts = kind.split(".")
    for n in range(len(parts), 0, -1):
        candidate = ".".join(parts[:n])
        if candidate in KINDS:
            return candidate
    return None


def preferences(user: User) -> list[tuple[str, str, bool]]:
    """(kind, label, by e-mail) for every kind, in a stable order."""
    chosen = dict(NotificationPreference.objects.filter(user=user)
                  .values_list("kind", "email"))
    return [(kind, str(label), chosen.get(kind, False)) for kind, label in KINDS.items()]


@transaction.atomic
def set_preferences(user: User, email: dict[str, bool]) -> list[tuple[str, str, bool]]:
    """Set e-mail on or off per kind; kinds not named keep their setting."""
    unknown = [k for k in email if k not in KINDS]
    if unknown:
        raise FieldErrors({"email": [_("Unknown notification kind: %(kind)s")
                                     % {"kind": unknown[0]}]})
    before = {k: v for k, _label, v in preferences(user)}
    for kind, on in email.items():
        NotificationPreference.objects.update_or_create(user=user, kind=kind,
                                                        defaults={"email": bool(on)})
    after = {k: v for k, _label, v in preferences(user)}
    changes = audit.diff(before, after)
    if changes:
        audit.log(user, "integrations.notification_preferences.updated", user, changes=changes)
    return preferences(user)


def wants_email(user: User, kind: str) -> bool:
    key = preference_kind(kind)
    return bool(key and user.email and user.is_active and NotificationPreference.objects
                .filter(user=user, kind=key, email=True).exists())


def send_notification_email(notification_id: int) -> bool:
    """E-mail one notification in the recipient's language, if they still want it."""
    note = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if note is None or not wants_email(note.recipient, note.kind):
        return False
    user = note.recipient
    with translation.override(user.language or settings.LANGUAGE_CODE):
        title = note.display_title
        link = f"{settings.GUANXI_SITE_URL.rstrip('/')}{note.url}" if note.url else ""
        body = "\n\n".join(filter(None, [
            title, link, _("You receive this e-mail because you chose it in your notification "
                           "settings.")]))
        mail.send_mail(f"[{_('Guanxi')}] {title}"[:200], body, settings.DEFAULT_FROM_EMAIL,
                       [user.email])
    return True
