"""What marketing puts into the lower layers' plug-in points, from ``MarketingConfig.ready()``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from guanxi.core.events import register_event_types

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


def register() -> None:
    """Marketing's channels, cards, timeline kinds, events and automation targets."""
    from guanxi.core import inbound_mail
    from guanxi.marketing.channels import register_channel
    from guanxi.marketing.channels.email import EmailChannel
    from guanxi.marketing.services import inbound

    register_channel(EmailChannel())
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
