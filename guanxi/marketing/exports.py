"""Marketing's lists in the export registry (files are written by integrations)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from guanxi.core.exports import Column, ListExport, field_columns, register
from guanxi.marketing import permissions as perms
from guanxi.marketing.models import Campaign, CampaignMember
from guanxi.marketing.selectors.campaigns import filter_campaigns, filter_members


def register_exports() -> None:
    register(ListExport("campaigns", gettext_lazy("Campaigns"), Campaign, filter_campaigns,
                        field_columns(Campaign, ("name", "channel", "purpose", "status", "owner",
                                                 "budget", "currency", "starts_at",
                                                 "control_percent", "conversion_days")),
                        may_export=perms.can_view_campaigns, related=("owner",)))
    register(ListExport(
        "campaign_members", gettext_lazy("Campaign members and responses"), CampaignMember,
        filter_members, (
            Column(gettext_lazy("Campaign"), lambda m: m.campaign.name),
            Column(gettext_lazy("Customer"), lambda m: m.account.name),
            Column(gettext_lazy("Contact"), lambda m: m.contact.name if m.contact else ""),
            Column(gettext_lazy("Address"), lambda m: m.address),
            Column(gettext_lazy("Control group"), lambda m: m.is_control),
            Column(gettext_lazy("Variant"), lambda m: m.variant),
            *(Column(label, (lambda f: lambda m: getattr(m, f))(f"{kind}_at"))
              for kind, label in (("sent", gettext_lazy("Sent")),
                                  ("opened", gettext_lazy("Opened")),
                                  ("clicked", gettext_lazy("Clicked")),
                                  ("replied", gettext_lazy("Replied")),
                                  ("bounced", gettext_lazy("Bounced")),
                                  ("converted", gettext_lazy("Converted")),
                                  ("unsubscribed", gettext_lazy("Unsubscribed")))),
            Column(gettext_lazy("Gross margin"), lambda m: m.margin),
        ), may_export=perms.can_view_campaigns, related=("campaign", "account", "contact")))
