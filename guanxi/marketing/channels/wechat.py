"""The WeChat / community channel (微信 / 社群): nothing leaves the machine. The campaign's
message is what marketing posts; each link in it becomes a tracked link per member (their
clicks are responses) and one shared link for a group post, both through the signed click
redirect, so neither is an open redirect."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as t
from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import Contact
from guanxi.marketing.channels.base import Channel, Outcome, Rendered
from guanxi.marketing.channels.phone import clean_agents
from guanxi.marketing.models import Campaign, CampaignMember


class WeChatChannel(Channel):
    key = "wechat"
    label = _("WeChat / community (tracked links)")
    worked = True
    consent_channel = "wechat"
    pushes = False
    has_subject = False

    def address_of(self, contact: Contact) -> str:
        return (contact.wechat or "").strip()

    def clean_options(self, options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
        errors: dict[str, list[str]] = {}
        clean_agents(options, errors)
        return options, errors

    def check_message(self, campaign: Campaign) -> dict[str, list[str]]:
        from guanxi.marketing.services.messages import URL_RE

        if not URL_RE.search(f"{campaign.body_zh}\n{campaign.body_en}"):
            return {"body_zh": [t("Put the link to share (https://…) in the message: its "
                                  "clicks are what this campaign measures.")]}
        return {}

    def launch(self, campaign: Campaign) -> None:
        from guanxi.marketing.services.messages import link_ids

        link_ids(campaign, f"{campaign.body_zh}\n{campaign.body_en}")
        # The links are handed out at once: every member counts as reached from now.
        CampaignMember.objects.filter(Q(state=CampaignMember.State.PENDING),
                                      campaign=campaign).update(
            state=CampaignMember.State.SENT, sent_at=timezone.now())

    def deliver(self, batch: Any, campaign: Campaign, member: CampaignMember,
                message: Rendered) -> Outcome:  # pragma: no cover - never pushed
        raise NotImplementedError("WeChat links are shared by hand")
