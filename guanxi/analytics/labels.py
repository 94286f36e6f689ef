"""Names a manager reads for the engine's keys: segments, lifecycle stages with their
strategy, value types with their approach. Unknown keys (a segment an administrator added to
the segment map) show as written."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

SEGMENTS = {
    "champions": _("Champions"),
    "loyal": _("Loyal"),
    "loyal_customers": _("Loyal"),
    "potential_loyalists": _("Potential loyalists"),
    "potential_loyalist": _("Potential loyalists"),
    "new_customers": _("New customers"),
    "new": _("New customers"),
    "promising": _("Promising"),
    "need_attention": _("Need attention"),
    "about_to_sleep": _("About to sleep"),
    "at_risk": _("At risk"),
    "cant_lose": _("Can't lose them"),
    "cannot_lose": _("Can't lose them"),
    "hibernating": _("Hibernating"),
    "lost": _("Lost"),
}

LIFECYCLE = {
    "exploration": (_("Exploration"),
                    _("Analyse their responses; make the first orders easy and follow up fast.")),
    "development": (_("Development"),
                    _("Develop the relationship: more products, more contacts; repair any "
                      "early dissatisfaction before it turns into churn.")),
    "stable": (_("Stable"),
               _("Retain and cross-sell: loyalty care, key-account service, new lines.")),
    "decline": (_("Decline"),
                _("Win back if still valuable (call, offer, fix the cause); otherwise let go "
                  "and spend the effort elsewhere.")),
}

VALUE_TYPES = {
    "laggard": (_("Laggard"), _("Low value in every respect: serve at low cost, do not chase.")),
    "calculating": (_("Calculating"),
                    _("Buys on price alone: clear price terms, volume discounts, no frills.")),
    "nostalgic": (_("Nostalgic"),
                  _("Values the relationship and history: personal care, long-standing "
                    "contacts, recognition of loyalty.")),
    "practical": (_("Practical"),
                  _("Wants what works now: reliable delivery, spare parts and fast service.")),
    "value_seeking": (_("Value-seeking"),
                      _("Wants the best deal today: bundles, promotions, payment terms.")),
    "status_seeking": (_("Status-seeking"),
                       _("Buys for recognition: premium lines, VIP treatment, references.")),
    "avant_garde": (_("Avant-garde"),
                    _("Wants the newest: pilots, early access, innovation briefings.")),
    "visionary": (_("Visionary"),
                  _("Buys for long-term returns: joint planning, multi-year agreements.")),
    "perfectionist": (_("Perfectionist"),
                      _("High value in every respect: key-account team, co-development, "
                        "senior sponsors.")),
}

ABC = {"A": _("A: top customers"), "B": _("B: middle"), "C": _("C: the long tail")}


def _norm(key: str) -> str:
    return (key or "").replace("-", "_").replace(" ", "_").lower()


def segment_label(key: str) -> str:
    found = SEGMENTS.get(_norm(key))
    return str(found) if found else (key or "").replace("_", " ").capitalize()


def lifecycle_label(key: str) -> str:
    found = LIFECYCLE.get(_norm(key))
    return str(found[0]) if found else key


def lifecycle_strategy(key: str) -> str:
    found = LIFECYCLE.get(_norm(key))
    return str(found[1]) if found else ""


def value_type_label(key: str) -> str:
    found = VALUE_TYPES.get(_norm(key))
    return str(found[0]) if found else (key or "").replace("_", " ").capitalize()


def value_type_approach(key: str) -> str:
    found = VALUE_TYPES.get(_norm(key))
    return str(found[1]) if found else ""


def cluster_label(label: str) -> str:
    """The engine describes clusters with English msgids; show them in the reader's language."""
    return gettext(label) if label else ""
