"""The sales pages other apps plug into (see ``guanxi.core.panels``):

* ``opportunity_page``: an opportunity's page. Slot ``main``: cards at the top of the wide
  column, above the opportunity's own work and stage history. Loaders and predicates get
  ``(request, opportunity)`` and ``(user, opportunity)``; each card also sees ``opportunity``.
"""

from __future__ import annotations

from guanxi.core.panels import PanelRegistry

opportunity_page = PanelRegistry("sales.opportunity", ("main",))
