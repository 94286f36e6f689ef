"""What marketing puts into the lower layers' plug-in points, from ``MarketingConfig.ready()``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from guanxi.core import navigation
from guanxi.core.events import register_event_types
from guanxi.core.panels import Panel
from guanxi.marketing import navigation as marketing_navigation

EVENT_TYPES = {
    "marketing.campaign.created": _("Campaign created"),
    "marketing.campaign.launched": _("Campaign launched"),
    "marketing.campaign.paused": _("Campaign paused"),
    "marketing.campaign.resumed": _("Campaign resumed"),
    "marketing.campaign.cancelled": _("Campaign cancelled"),
    "marketing.member.opened": _("Campaign e-mail opened"),
    "marketing.member.clicked": _("Campaign link clicked"),
    "marketing.member.replied": _("Campaign reply received"),
    "marketing.member.bounced": _("Campaign message bounced"),
    "marketing.member.registered": _("Registered through a campaign"),
    "marketing.member.attended": _("Checked in at a campaign event"),
    "marketing.member.converted": _("Campaign member converted"),
    "marketing.member.unsubscribed": _("Unsubscribed from a campaign"),
}


def load_account_campaigns(request: HttpRequest, account: Any) -> dict[str, Any]:
    from guanxi.customers.services import consent
    from guanxi.marketing.selectors.campaigns import account_campaigns

    rows = consent.summary(account)
    for contact in account.contacts.filter(is_active=True)[:3]:
        rows += [r for r in consent.summary(contact) if r["row"] is not None]
    return {"members": account_campaigns(request.user, account.pk),
            "consent": rows, "consent_recorded": any(r["row"] for r in rows)}


def load_home(request: HttpRequest, user: Any) -> dict[str, Any]:
    from guanxi.marketing.selectors.home import home

    return {"home": home(user)}


def _works_campaigns(user: Any, _subject: Any) -> bool:
    from guanxi.marketing import permissions as perms
    from guanxi.marketing.selectors.channels import agent_campaigns

    return not perms.can_plan(user) and bool(agent_campaigns(user))


def load_work(request: HttpRequest, user: Any) -> dict[str, Any]:
    from guanxi.marketing.selectors.channels import agent_campaigns

    return {"worked_campaigns": agent_campaigns(request.user)}


def _is_marketer(user: Any, _subject: Any) -> bool:
    from guanxi.marketing import permissions as perms

    return perms.can_plan(user)


def register() -> None:
    """Marketing's channels, cards, timeline kinds, events and automation targets."""
    from guanxi.core.audit_display import register_pages

    register_pages({"marketing.campaign": "marketing:campaign"})
    from guanxi.core import inbound_mail
    navigation.register(*marketing_navigation.ITEMS)
    from guanxi.marketing.channels import register_channel
    from guanxi.marketing.channels.email import EmailChannel
    from guanxi.marketing.services import inbound

    register_channel(EmailChannel())
    from guanxi.marketing.channels.sms import SmsChannel

    register_channel(SmsChannel())
    from guanxi.marketing.channels.event import EventChannel
    from guanxi.marketing.channels.phone import PhoneChannel
    from guanxi.marketing.channels.wechat import WeChatChannel

    register_channel(PhoneChannel())
    register_channel(EventChannel())
    register_channel(WeChatChannel())
    from django.urls import reverse

    from guanxi.core.automation import AutomationTarget, register_target

    # Rules and webhooks on campaign events: "a member clicked" → a task for the owner …
    register_target(AutomationTarget(
        key="marketing.campaign", label=_("Campaign"), model="marketing.Campaign",
        url=lambda c: reverse("marketing:campaign", args=[c.pk])))
    register_target(AutomationTarget(
        key="marketing.member", label=_("Campaign member"), model="marketing.CampaignMember",
        url=lambda m: reverse("marketing:campaign", args=[m.campaign_id]),
        values={"campaign_name": (_("Campaign"), lambda m: m.campaign.name)},
        hidden=frozenset({"claimed_by", "error", "message_id", "address"})))
    register_event_types(EVENT_TYPES)
    inbound_mail.register_handler("marketing.campaign_replies", inbound.handle, order=20)

    from guanxi.core import events
    from guanxi.marketing.services.responses import on_consent_event

    # In the transaction: the member's unsubscribe commits with the consent withdrawn.
    events.subscribe(on_consent_event, in_transaction=True)

    from guanxi.analytics import contributions
    from guanxi.marketing.services import analysis

    contributions.register_kpi(contributions.Kpi("marketing.roi", _("Campaign ROI"),
                                                 analysis.roi_between))
    contributions.register_customer_cost(contributions.CustomerCost(
        "marketing.cost", _("Marketing cost"), analysis.marketing_cost_of))

    from guanxi.core import permissions as registry
    from guanxi.marketing import permissions

    registry.register("marketing", permissions)

    from guanxi.customers.pages import account_page, home_page

    account_page.register(Panel("marketing.campaigns", "marketing/_account_campaigns.html",
                                slot="side", order=45, load=load_account_campaigns))
    home_page.register(Panel("marketing.home", "marketing/_home.html", slot="sections",
                             order=15, load=load_home, visible=_is_marketer))
    home_page.register(Panel("marketing.work", "marketing/_home_work.html", slot="sections",
                             order=16, load=load_work, visible=_works_campaigns))

    from guanxi.marketing import timeline
    from guanxi.marketing.exports import register_exports

    timeline.register()
    register_exports()
