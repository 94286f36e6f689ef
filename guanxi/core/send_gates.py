"""The gates every message to a customer passes before it goes out.

Whether a person agreed to be contacted is known to the customers app, which core may not
import; senders that only hold an address (core, or any app that wants the one check) ask
:func:`check`, and customers registers its consent gate here from ``AppConfig.ready()``.
Every registered gate is asked; the first refusal wins.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# Channels and purposes, as plain strings so every layer can name them.
EMAIL, SMS, PHONE, WECHAT = "email", "sms", "phone", "wechat"
MARKETING, CARE, SERVICE = "marketing", "care", "service"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


Gate = Callable[[str, str, str], Decision]  # (address, channel, purpose)

_GATES: dict[str, Gate] = {}


def register_gate(name: str, gate: Gate) -> None:
    _GATES[name] = gate


def unregister_gate(name: str) -> None:
    _GATES.pop(name, None)


def check(address: str, channel: str, purpose: str) -> Decision:
    """May a message for ``purpose`` go to ``address`` over ``channel``?"""
    for gate in list(_GATES.values()):
        decision = gate(address, channel, purpose)
        if not decision.allowed:
            return decision
    return Decision(True)
