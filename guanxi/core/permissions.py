"""The registry of permission rules: each app's ``permissions`` module registers its
``can_*`` functions here from its ``ready()``, so pages and templates of any layer ask a rule
by name (``{% can "customers.request_terms" account as ok %}``) without importing a higher
app, and never write the rule again themselves.

Core's own rules (custom fields, the audit trail, exports) live here too, as ``core.*``."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from guanxi.accounts.models import Role
from guanxi.core import exports

#: A rule: ``(user, *records) -> bool``.
Rule = Callable[..., bool]

_rules: dict[str, Rule] = {}


def register(app: str, module: ModuleType) -> None:
    """Register every public function ``can_<action>`` of ``module`` as ``"<app>.<action>"``."""
    for attr, value in vars(module).items():
        if attr.startswith("can_") and callable(value) \
                and getattr(value, "__module__", None) == module.__name__:
            _rules[f"{app}.{attr[4:]}"] = value


def rule(name: str) -> Rule:
    """The rule registered as ``name``; a wrong name fails loudly, never as a silent "no"."""
    try:
        return _rules[name]
    except KeyError:
        raise LookupError(f"No permission rule named {name!r}.") from None


def names() -> list[str]:
    return sorted(_rules)


def allowed(name: str, user: Any, *records: Any) -> bool:
    """May ``user`` (anyone, anonymous included) do ``name`` to ``records``? Nobody signed
    in, or an inactive account, may do nothing."""
    check = rule(name)
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return bool(check(user, *records))


# --- Core's rules -----------------------------------------------------------------------------

def can_manage_custom_fields(user: Any) -> bool:
    """Add, edit and retire custom fields, and see the retired ones: administrators."""
    return bool(user.has_role(Role.ADMIN))


def can_read_audit(user: Any) -> bool:
    """The audit trail: administrators and executives."""
    return bool(user.has_role(Role.ADMIN, Role.EXECUTIVE))


def can_export(user: Any, key: str) -> bool:
    """Export the registered list ``key`` (no: a list nobody registered)."""
    entry = exports.get(key)
    return bool(entry and entry.may_export(user))


# --- Saved list views ------------------------------------------------------------------------

def can_share_view(user: Any, team_id: int | None) -> bool:
    """A manager over the team (or an administrator) shares a view with it."""
    return team_id is not None and user.manages_team(team_id)


def can_edit_view(user: Any, view: Any) -> bool:
    """Its author, or a manager over the team it is shared with."""
    return view.owner_id == user.pk or (view.team_id is not None
                                        and user.manages_team(view.team_id))
