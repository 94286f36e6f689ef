"""Fixtures of the analytics app's tests (the hand-made transaction table)."""

from guanxi.analytics.tests.app_fixtures import analysed, shop  # noqa: F401
