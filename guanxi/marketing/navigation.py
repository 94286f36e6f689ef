"""The marketing entries of the sidebar."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from guanxi.accounts.models import Role
from guanxi.core.navigation import NavItem, roles

SEES = roles(Role.MARKETING, Role.MANAGER, Role.ADMIN, Role.EXECUTIVE)

ITEMS = [
    NavItem("marketing.campaigns", "marketing", _("Campaigns"), "marketing:campaigns",
            "bi-megaphone", order=10, visible=SEES, active=("marketing:campaign*",)),
    NavItem("marketing.segments", "marketing", _("Segments"), "marketing:segments",
            "bi-diagram-3", order=20, visible=SEES, active=("marketing:segment*",)),
    NavItem("marketing.care", "marketing", _("Customer care"), "marketing:greetings",
            "bi-balloon-heart", order=30, visible=SEES,
            active=("marketing:greeting*", "marketing:holiday*")),
    NavItem("marketing.sms", "marketing", _("SMS settings"), "marketing:sms_settings",
            "bi-chat-dots", order=40, visible=SEES, active=("marketing:sms_*",)),
]
