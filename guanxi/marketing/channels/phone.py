"""The phone channel: nothing is sent. Launching freezes the members who agreed to be called
(consent on "phone") into a call list that agents work one member at a time
(:mod:`guanxi.marketing.services.calls`); the campaign's message is the call script."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import Contact
from guanxi.marketing.channels.base import Channel, Outcome, Rendered
from guanxi.marketing.models import Campaign, CampaignMember


def clean_agents(options: dict[str, Any], errors: dict[str, list[str]]) -> None:
    """``agents``: the ids of users (reps) who may work the campaign besides marketing."""
    from django.utils.translation import gettext as t

    agents = options.get("agents")
    if agents in (None, "", []):
        options.pop("agents", None)
        return
    try:
        ids = sorted({int(a) for a in agents})
    except (TypeError, ValueError):
        errors["agents"] = [t("Choose the agents from the list of users.")]
        return
    from guanxi.accounts.models import User

    if User.objects.filter(pk__in=ids, is_active=True).count() != len(ids):
        errors["agents"] = [t("Choose the agents from the list of users.")]
    options["agents"] = ids


class PhoneChannel(Channel):
    key = "phone"
    label = _("Phone (call list)")
    worked = True
    consent_channel = "phone"
    pushes = False
    has_subject = False

    def address_of(self, contact: Contact) -> str:
        return (contact.mobile or contact.phone or "").strip()

    def clean_options(self, options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
        errors: dict[str, list[str]] = {}
        clean_agents(options, errors)
        return options, errors

    def deliver(self, batch: Any, campaign: Campaign, member: CampaignMember,
                message: Rendered) -> Outcome:  # pragma: no cover - never pushed
        raise NotImplementedError("phone campaigns are called, not sent")
