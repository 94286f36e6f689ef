"""The customer pages other apps plug into (see ``guanxi.core.panels``):

* ``account_page``: the customer's 360° view. Slots: ``actions`` (buttons in the header, after
  the customer's own), ``main`` (the wide column), ``side`` (the narrow column) and
  ``open_items`` (under the "Open items" card, in the side column), ``next`` (the next thing
  to do for the customer, over the tabs). Loaders and predicates get
  ``(request, account)`` and ``(user, account)``.
* ``home_page``: the start page. Slot ``sections``, between the customer figures and the lists;
  loaders and predicates get ``(request, user)`` and ``(user, user)``.

Customers registers its own cards here too (timeline, contacts, relationships, open items,
profile, addresses), so every card of the page has one order to be placed by.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from guanxi.core.panels import Panel, PanelRegistry, count_of


def _contacts(user):
    from guanxi.customers.models import Contact

    return count_of(Contact.objects.filter(is_active=True))

account_page = PanelRegistry("customers.account",
                             ("next", "actions", "main", "side", "open_items"))
home_page = PanelRegistry("customers.home", ("sections",))

# The customer's own cards; other apps place theirs between them by order.
OWN_CARDS = (
    Panel("customers.timeline", "customers/account/timeline.html", slot="main", order=10,
          tab=_("Timeline")),
    Panel("customers.contacts", "customers/account/contacts.html", slot="main", order=50,
          tab=_("Contacts"), count=_contacts),
    Panel("customers.relationships", "customers/account/relationships.html", slot="main",
          order=60, tab=_("Relationships")),
    Panel("customers.open_items", "customers/account/open_items.html", slot="side", order=20),
    Panel("customers.profile", "customers/account/profile.html", slot="side", order=50),
    Panel("customers.addresses", "customers/account/addresses.html", slot="side", order=60),
)


def register_own() -> None:
    for panel in OWN_CARDS:
        account_page.register(panel)
