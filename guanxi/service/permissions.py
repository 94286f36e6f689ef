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

from guanxi.accounts.models import Role, User

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


# --- Installed base, service records, knowledge base, satisfaction -------------------------

#: Who keeps the installed base and writes service records.
SERVICE_ROLES = (Role.SERVICE, Role.ADMIN)
#: Who registers assets (delivery owners hand units over).
ASSET_ROLES = (Role.SERVICE, Role.ADMIN, Role.DELIVERY)
#: Who keeps the dealer and station network, its technicians and the warranty terms.
NETWORK_ROLES = (Role.ADMIN,)
#: Who reads internal knowledge-base articles (published ones: everyone signed in).
KNOWLEDGE_READERS = (Role.SERVICE, Role.ADMIN, Role.MANAGER, Role.EXECUTIVE, Role.DELIVERY)
#: Who reads satisfaction answers and the service analytics.
SATISFACTION_READERS = (Role.SERVICE, Role.ADMIN, Role.MANAGER, Role.EXECUTIVE)


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_manage_network(user: User) -> bool:
    """Add and edit service stations, technicians and warranty terms."""
    return _signed_in(user) and user.has_role(*NETWORK_ROLES)


def can_create_asset(user: User, account: Any = None) -> bool:
    if account is not None and (not account.is_active or account.merged_into_id):
        return False
    return _signed_in(user) and user.has_role(*ASSET_ROLES)


def can_edit_asset(user: User, asset: Any) -> bool:
    """A retired asset is history: only an administrator changes it (to bring it back)."""
    if not can_create_asset(user):
        return False
    return asset.status != asset.Status.RETIRED or user.has_role(Role.ADMIN)


def can_add_record(user: User, asset: Any = None) -> bool:
    """Record a repair or maintenance: service agents and administrators, on an asset in
    use."""
    if not (_signed_in(user) and user.has_role(*SERVICE_ROLES)):
        return False
    return asset is None or asset.status == asset.Status.IN_USE


def can_read_article(user: User, article: Any) -> bool:
    if not _signed_in(user):
        return False
    return article.visibility == article.Visibility.PUBLISHED or user.has_role(
        *KNOWLEDGE_READERS)


def can_write_article(user: User, article: Any = None) -> bool:
    """Service agents write articles; a published one only its author or an administrator
    changes (customers read it)."""
    if not (_signed_in(user) and user.has_role(*SERVICE_ROLES)):
        return False
    if article is None or article.visibility != article.Visibility.PUBLISHED:
        return True
    return user.has_role(Role.ADMIN) or article.author_id == user.pk


def can_read_satisfaction(user: User) -> bool:
    return _signed_in(user) and user.has_role(*SATISFACTION_READERS)
