"""What service puts into the lower layers' plug-in points, from ``ServiceConfig.ready()``."""

from __future__ import annotations


def register() -> None:
    """Service's cards, timeline kinds, search providers, events and automation targets."""
