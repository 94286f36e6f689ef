"""The orders pages other apps plug into (see ``guanxi.core.panels``):

* ``quote_editor``: the quote editor (new and edit). Slot ``after_lines``: cards under the lines
  (analytics puts the customer's cross-sell suggestions there). Loaders and predicates get
  ``(request, draft)`` and ``(user, draft)``, ``draft`` a ``QuoteDraft``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guanxi.core.panels import PanelRegistry

quote_editor = PanelRegistry("orders.quote_editor", ("after_lines",))


@dataclass(frozen=True)
class QuoteDraft:
    """What the editor shows: the customer, the quote when it exists, the products on it."""

    account: Any  # customers.Account
    quote: Any  # orders.Quote or None
    product_ids: tuple[int, ...]
