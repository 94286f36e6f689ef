"""Reads: the one scoped queryset per model and the queries built on it."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from guanxi.accounts.models import Role, User
from guanxi.core.access import get_visible
from guanxi.core.selectors import Page, keyset_values
from guanxi.customers.models import (
    Account,
    AccountShare,
    Address,
    Contact,
    Relationship,
    TermsChangeRequest,
    TimelineEvent,
)

# Roles that read every customer: they serve, bill, analyse or run the whole company.
READ_ALL_ROLES = (Role.ADMIN, Role.EXECUTIVE, Role.FINANCE, Role.MARKETING, Role.SERVICE)
# Roles that see the team subtree of their own team.
TEAM_ROLES = (Role.MANAGER, Role.ASSISTANT)
# Roles that may browse and claim the public pool.
POOL_ROLES = (Role.REP, Role.MANAGER, Role.ASSISTANT, Role.FINDER, Role.ADMIN)


def account_scope(user: User, prefix: str = "") -> Q | None:
    """The condition that limits customers to what ``user`` may see; None means everything.

    Own, created, shared, team subtree (managers, assistants) and the public pool (sales roles).
    ``prefix`` applies it through a relation (``"account__"`` for contacts).
    """
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.has_role(*READ_ALL_ROLES):
        return None
    p = prefix
    shared = AccountShare.objects.filter(account=OuterRef(f"{p}id" if p else "pk"), user=user)
    q = Q(**{f"{p}owner": user}) | Q(**{f"{p}created_by": user}) | Q(Exists(shared))
    if user.has_role(*TEAM_ROLES) and user.team_id:
        q |= Q(**{f"{p}team_id__in": user.team_subtree_ids})
    if user.has_role(*POOL_ROLES):
        q |= Q(**{f"{p}in_pool": True})
    return q


def visible_accounts(user: User) -> QuerySet[Account]:
    return Account.objects.visible_to(user)


def visible_contacts(user: User) -> QuerySet[Contact]:
    return Contact.objects.visible_to(user)


def get_account(user: User, pk: Any) -> Account:
    return get_visible(visible_accounts(user).select_related("owner", "team"), pk=pk)


def find_account(user: User, raw: Any) -> Account | None:
    """A customer ``user`` may see, by number (id) or exact name, as typed in a form or a
    query string; None when there is no such customer."""
    raw = str(raw or "").strip()
    if not raw:
        return None
    qs = visible_accounts(user)
    account = qs.filter(pk=int(raw)).first() if raw.isdigit() else None
    return account or qs.filter(name=raw).first()


def get_contact(user: User, pk: Any) -> Contact:
    return get_visible(visible_contacts(user).select_related("account"), pk=pk)


def visible_terms_requests(user: User) -> QuerySet[TermsChangeRequest]:
    return TermsChangeRequest.objects.filter(account__in=visible_accounts(user))


def timeline(account: Account, limit: int = 50, before_id: int | None = None):
    qs = TimelineEvent.objects.filter(account=account).select_related("actor", "contact")
    if before_id:
        # Page on (at, id), the order shown: merged or back-dated events have ids out of time
        # order, so "id < before_id" alone would skip some and repeat others.
        at = qs.filter(pk=before_id).values_list("at", flat=True).first()
        qs = qs.filter(Q(at__lt=at) | Q(at=at, id__lt=before_id)) if at else \
            qs.filter(id__lt=before_id)
    return list(qs[:limit])


def addresses(account: Account) -> list[Address]:
    return list(account.addresses.all())


def relationships(account: Account) -> list[Relationship]:
    """Every relationship touching a contact of ``account`` (either end)."""
    ids = list(account.contacts.filter(is_active=True).values_list("id", flat=True))
    return list(
        Relationship.objects.filter(Q(from_contact_id__in=ids) | Q(to_contact_id__in=ids))
        .select_related("from_contact__account", "to_contact__account")
    )


def entry_owners(user: User) -> QuerySet[User]:
    """Whom ``user`` may enter a customer for (when they may enter for others at all): the
    active reps and managers of their team subtree, everyone's for an administrator."""
    qs = User.objects.filter(is_active=True, user_roles__role__in=[Role.REP, Role.MANAGER])
    if not user.has_role(Role.ADMIN):
        qs = qs.filter(team_id__in=user.team_subtree_ids)
    return qs.distinct().order_by("display_name", "username")


def pending_approvals(user: User) -> QuerySet[Account]:
    """New customers waiting for ``user``'s decision."""
    qs = Account.objects.filter(is_active=True, approval="pending").select_related(
        "owner", "created_by")
    if user.has_role(Role.ADMIN):
        return qs
    if user.has_role(Role.MANAGER) and user.team_id:
        return qs.filter(team_id__in=user.team_subtree_ids)
    return qs.none()


def terms_requests_waiting_for(user: User) -> QuerySet[TermsChangeRequest]:
    S = TermsChangeRequest.Status
    qs = TermsChangeRequest.objects.select_related("account", "requested_by")
    q = Q(pk__in=[])
    if user.has_role(Role.ADMIN):
        q = Q(status__in=[S.MANAGER, S.FINANCE])
    else:
        if user.has_role(Role.MANAGER) and user.team_id:
            q |= Q(status=S.MANAGER, account__team_id__in=user.team_subtree_ids)
        if user.has_role(Role.FINANCE):
            q |= Q(status=S.FINANCE)
    return qs.filter(q)


# --- List filters: one selector per list, shared by its page, API endpoint and export -------

def filter_customers(user: User, filters: Any) -> QuerySet[Account]:
    """The customers ``user`` sees, narrowed by the list's filters (a query string, an API
    schema dump or parsed ``CustomerFilters``); bad values raise FieldErrors naming the
    parameter. Names: q, owner (id or ``me``), team, industry, size, source, approval,
    standing, in_pool (or pool), tag, province, completeness_lt (or below), cf_<key> (or
    custom_<key>), and the parameters other apps contribute (customer value metrics)."""
    from guanxi.customers.filters import apply_customer_filters, parse_customer_filters

    return apply_customer_filters(user, visible_accounts(user), parse_customer_filters(filters))


def filter_contacts(user: User, filters: Any) -> QuerySet[Contact]:
    """Contacts ``user`` sees: ``account`` (or ``account_id``), ``q`` (name, pinyin, phone,
    e-mail through the search index)."""
    from guanxi.core.filters import Param, parse
    from guanxi.customers.search import search

    f = parse(filters, (Param("account", "int", aliases=("account_id",)), Param("q")))
    qs = visible_contacts(user)
    if "account" in f:
        qs = qs.filter(account_id=f["account"])
    if f.get("q"):
        hits = search(user, f["q"], limit=500, kinds=("contact",))
        qs = qs.filter(pk__in=[h.id for h in hits])
    return qs


# The columns of a customer list row in the API (``CustomerListItem``), read as values.
LIST_ROW_FIELDS = ("kind", "name", "name_en", "industry", "size", "source", "phone", "email",
                   "approval", "standing", "in_pool", "completeness", "last_follow_up_at",
                   "created_at", "updated_at", "version", "team_id", "team__name", "owner_id",
                   "owner__username", "owner__display_name", "owner__first_name",
                   "owner__last_name")


def customer_list_rows(qs: QuerySet[Account], sort: str, cursor: str | None,
                       limit: int) -> Page:
    """One keyset page of ``qs`` as plain rows (dicts shaped like the API's list item): two
    queries whatever the page size, the customers with their owner and team joined and the
    page's tags, and no model instance per row."""
    page = keyset_values(qs, sort, cursor, limit, LIST_ROW_FIELDS)
    tags: dict[int, list[str]] = {}
    through = Account.tags.through.objects.filter(
        account_id__in=[row["id"] for row in page.items]).order_by("tag__name")
    for account_id, tag in through.values_list("account_id", "tag__name"):
        tags.setdefault(account_id, []).append(tag)
    items = []
    for row in page.items:
        owner = None
        if row["owner_id"] is not None:
            full = f"{row.pop('owner__first_name')} {row.pop('owner__last_name')}".strip()
            # What ``str(user)`` shows, without reading the user as a model.
            name = row.pop("owner__display_name") or full or row["owner__username"]
            owner = {"id": row["owner_id"], "username": row.pop("owner__username"),
                     "name": name}
        team = None
        if row["team_id"] is not None:
            team = {"id": row["team_id"], "name": row["team__name"]}
        for key in ("owner_id", "owner__username", "owner__display_name", "owner__first_name",
                    "owner__last_name", "team_id", "team__name"):
            row.pop(key, None)
        row.update(owner=owner, team=team, tags=tags.get(row["id"], []))
        items.append(row)
    return Page(items, page.next)
