"""Who may manage users and teams: administrators only."""

from __future__ import annotations

from typing import Any

from guanxi.accounts.models import Role


def can_manage_users(user: Any) -> bool:
    """Invite people, set roles and teams, deactivate, reset two-factor; edit the team tree."""
    return bool(user.is_authenticated and user.is_active and user.has_role(Role.ADMIN))
