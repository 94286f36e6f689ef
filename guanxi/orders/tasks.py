"""Huey finds tasks in this module: the areas' background and periodic work."""

from guanxi.orders.jobs import delivery, dunning, mail  # noqa: F401
