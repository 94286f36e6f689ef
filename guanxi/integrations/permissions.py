"""What a user may do with data in and out (imports, webhooks, automation rules), one rule per
action. Services enforce them; pages, the API and templates only ask."""

from __future__ import annotations

from guanxi.accounts.models import Role, User
from guanxi.integrations.services.imports_kinds import kinds


def can_import(user: User) -> bool:
    """Anyone who may import at least one kind of file (each kind names its roles)."""
    return user.is_authenticated and any(kind.allowed(user) for kind in kinds())


def can_manage_webhooks(user: User) -> bool:
    """Webhook subscriptions and automation rules are the administrators'."""
    return user.has_role(Role.ADMIN)


def can_act_in_automation(user: User) -> bool:
    """A rule acts as the administrator who saved it, while they still are one."""
    return user.is_active and user.has_role(Role.ADMIN)
