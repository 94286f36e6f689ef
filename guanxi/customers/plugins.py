"""What customers puts into the plug-in points (its own and core's), from ``ready()``: its
cards on the 360° page, its search provider, its event types and its automation targets."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guanxi.core import approvals, navigation
from guanxi.core.automation import AutomationTarget, register_target
from guanxi.core.events import register_event_types
from guanxi.core.recent import register_audited
from guanxi.customers import approval_items, pages, pickers, search_providers
from guanxi.customers import navigation as customer_navigation

EVENT_TYPES = {
    "customers.account.created": _("Customer created"),
    "customers.account.updated": _("Customer updated"),
    "customers.account.assigned": _("Customer assigned to an owner"),
    "customers.account.tagged": _("Customer tags changed"),
    "customers.account.merged": _("Customers merged"),
    "customers.account.claimed": _("Customer claimed from the public pool"),
    "customers.account.released": _("Customer released to the public pool"),
    "customers.account.returned_to_pool": _("Customer returned to the pool (no follow-up)"),
    "customers.account.deleted": _("Customer deleted"),
    "customers.contact.created": _("Contact created"),
    "customers.contact.updated": _("Contact updated"),
}


def _tags(account) -> list[str]:
    return sorted(account.tags.values_list("name", flat=True))


TARGETS = (
    AutomationTarget(
        key="customers.account", label=_("Customer"), model="customers.Account",
        url=lambda a: reverse("customers:detail", args=[a.pk]),
        values={"tags": (_("Tags"), _tags)}, moments=frozenset({"last_follow_up_at"})),
    AutomationTarget(
        key="customers.contact", label=_("Contact"), model="customers.Contact",
        url=lambda c: reverse("customers:detail", args=[c.account_id])),
)


def register() -> None:
    from guanxi.core.audit_display import register_pages

    register_pages({"customers.account": "customers:detail"})
    from guanxi.accounts.handover import Handover
    from guanxi.accounts.handover import register as register_handover
    from guanxi.customers.services.records import hand_over_customers, owned_customers

    register_handover(Handover("customers", _("Customers they own"), count=owned_customers,
                               transfer=hand_over_customers))
    pages.register_own()
    approvals.register(approval_items.PROVIDER)
    navigation.register(*customer_navigation.ITEMS)
    search_providers.register(search_providers.CUSTOMERS)
    pickers.register_own()
    # The customer page's view is in the audit trail already: the palette reads it there.
    register_audited("customers.account.viewed", "account",
                     lambda pk: reverse("customers:detail", args=[pk]))
    register_event_types(EVENT_TYPES)
    for target in TARGETS:
        register_target(target)
