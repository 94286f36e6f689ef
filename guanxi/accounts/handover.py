"""What a person leaving hands over, and to whom. Accounts knows no customers, orders or
cases: higher apps register what a user owns (``register(Handover(...))``) from their
``ready()``; deactivating someone offers each registered handover, done through that app's
own services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Handover:
    name: str  # "customers"
    label: Any  # lazy: "Customers they own"
    count: Callable[[Any], int]  # (user) -> how many they hold
    transfer: Callable[[Any, Any, Any], int]  # (actor, user, to) -> how many moved


_handovers: dict[str, Handover] = {}


def register(handover: Handover) -> None:
    _handovers[handover.name] = handover


def handovers() -> list[Handover]:
    return list(_handovers.values())
