"""Marketing on the customer's timeline: a member's responses (not every send: a campaign to
100,000 customers would bury everything else)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from guanxi.core.events import Event
from guanxi.customers.timeline import Entry, register_kind, renders, subject

TITLES = {
    "opened": gettext_noop("Opened the campaign e-mail “%(campaign)s”"),
    "clicked": gettext_noop("Clicked a link in the campaign “%(campaign)s”"),
    "replied": gettext_noop("Replied to the campaign “%(campaign)s”"),
    "bounced": gettext_noop("The campaign “%(campaign)s” bounced"),
    "registered": gettext_noop("Registered through the campaign “%(campaign)s”"),
    "attended": gettext_noop("Checked in at the campaign event “%(campaign)s”"),
    "converted": gettext_noop("Bought after the campaign “%(campaign)s”"),
    "unsubscribed": gettext_noop("Unsubscribed from the campaign “%(campaign)s”"),
}


def register() -> None:
    register_kind("marketing.response", "megaphone", _("Campaign"))
    for kind in TITLES:
        renders(f"marketing.member.{kind}")(_response)


def _response(event: Event) -> Entry | None:
    member = subject(event)
    kind = event.type.rsplit(".", 1)[-1]
    if member is None or kind not in TITLES:
        return None
    return Entry(member.account_id, "marketing.response", TITLES[kind],
                 params={"campaign": member.campaign.name},
                 data={"campaign": member.campaign_id, "member": member.pk},
                 contact_id=member.contact_id, actor_id=None)
