"""The event / exhibition channel (展会、车展): the invitation goes by e-mail to members who
agreed to marketing mail, each with their own signed registration link; an open link takes
walk-ins and new people (a lead is made for each). Registrations and check-ins at the door are
responses (:mod:`guanxi.marketing.services.events`). ``options``: ``event_at`` (ISO date and
time), ``venue``, ``capacity``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.html import escape
from django.utils.translation import gettext as t
from django.utils.translation import gettext_lazy as _

from guanxi.marketing.channels.base import Outcome, Rendered
from guanxi.marketing.channels.email import EmailChannel
from guanxi.marketing.channels.phone import clean_agents
from guanxi.marketing.models import Campaign, CampaignMember


class EventChannel(EmailChannel):
    key = "event"
    label = _("Event / exhibition (invitations and check-in)")
    worked = True
    consent_channel = "email"

    def clean_options(self, options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
        errors: dict[str, list[str]] = {}
        clean_agents(options, errors)
        when = options.get("event_at")
        if when in (None, ""):
            options.pop("event_at", None)
        else:
            parsed = when if isinstance(when, dt.datetime) else parse_datetime(str(when))
            if parsed is None:
                errors["event_at"] = [t("Enter the date and time of the event.")]
            else:
                options["event_at"] = parsed.isoformat()
        options["venue"] = " ".join(str(options.get("venue") or "").split())[:200]
        capacity = options.get("capacity")
        if capacity in (None, ""):
            options.pop("capacity", None)
        else:
            try:
                options["capacity"] = int(capacity)
                if not 1 <= options["capacity"] <= 1_000_000:
                    raise ValueError
            except (TypeError, ValueError):
                errors["capacity"] = [t("Enter how many people the venue takes (1 or more).")]
        return options, errors

    def check_message(self, campaign: Campaign) -> dict[str, list[str]]:
        options = campaign.options or {}
        errors: dict[str, list[str]] = {}
        if not options.get("event_at"):
            errors["event_at"] = [t("Enter the date and time of the event.")]
        if not options.get("venue"):
            errors["venue"] = [t("Enter the venue.")]
        if not options.get("capacity"):
            errors["capacity"] = [t("Enter how many people the venue takes (1 or more).")]
        return errors

    def deliver(self, batch: Any, campaign: Campaign, member: CampaignMember,
                message: Rendered) -> Outcome:
        from guanxi.marketing.services.events import invitation_url

        link = invitation_url(member)
        with translation.override("en" if member.language == "en" else "zh-hans"):
            label = t("Register here (your personal link)")
        text = f"{label}: {link}\n\n{message.text}"
        html = (f'<p><a href="{escape(link)}"><strong>{escape(label)}</strong></a></p>'
                + message.html)
        return super().deliver(batch, campaign, member, Rendered(
            subject=message.subject, text=text, html=html, headers=message.headers))
