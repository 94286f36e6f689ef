"""Who may do what with cases and the service settings. Registered as ``service.<action>``.

* Service agents (and administrators) work cases: open, edit, move through their life, reply,
  write notes, reassign, take the next one from a queue.
* Service managers (agents who manage a service team) and administrators also keep the
  settings: SLA policies, business hours, holidays, assignment rules, teams.
* Executives see every case, read-only. Everybody else sees, read-only, the cases of the
  customers they may see (a rep: their own customers').
* A complaint is never deleted; other cases only by a service manager or an administrator.
"""

from __future__ import annotations

from typing import Any

from guanxi.accounts.models import Role

READ_ALL = (Role.ADMIN, Role.EXECUTIVE, Role.SERVICE)


def is_agent(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active
                and user.has_role(Role.SERVICE, Role.ADMIN))


def is_service_manager(user: Any) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.has_role(Role.ADMIN):
        return True
    return bool(user.has_role(Role.SERVICE) and user.managed_service_teams.exists())


def can_see_service(user: Any) -> bool:
    """The service menu and pages: agents, service managers, executives, administrators."""
    return bool(user.is_authenticated and user.is_active and user.has_role(*READ_ALL))


def can_create_case(user: Any, account: Any = None) -> bool:
    return is_agent(user)


def can_view_case(user: Any, case: Any) -> bool:
    from guanxi.service.selectors.cases import visible_cases
    return visible_cases(user).filter(pk=case.pk).exists()


def can_work_case(user: Any, case: Any = None) -> bool:
    """Edit, change status, reply, note, reassign: agents. A closed case only reopens."""
    return is_agent(user)


def can_delete_case(user: Any, case: Any) -> bool:
    return case.kind != "complaint" and is_service_manager(user)


def can_manage_settings(user: Any) -> bool:
    return is_service_manager(user)
