"""What marketing puts into the lower layers' plug-in points, from ``MarketingConfig.ready()``."""

from __future__ import annotations


def register() -> None:
    """Marketing's cards, timeline kinds, events and automation targets."""
