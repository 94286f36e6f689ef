"""The customer list in the shared list machinery (``guanxi.core.lists``): its columns and
the indexes behind their order, its bulk actions and the cells edited in place — each one a
call of a customers service, whose permission check refuses the rows the user may not
change."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.accounts.models import Role, User
from guanxi.core import lists
from guanxi.core.errors import FieldErrors
from guanxi.customers import selectors, services
from guanxi.customers.models import Account
from guanxi.customers.services import pool

C = lists.ListColumn
COLUMNS = (
    C("name", gettext_lazy("Name"), "name_key", "customers_account_name_key"),
    C("owner", gettext_lazy("Owner"), "owner__display_name"),
    C("industry", gettext_lazy("Industry"), "industry", "acct_active_industry"),
    C("province", gettext_lazy("Province"), "province"),
    C("phone", gettext_lazy("Phone"), "phone", "customers_account_phone"),
    C("completeness", gettext_lazy("Completeness"), "completeness"),
    C("status", gettext_lazy("Status")),
    C("follow_up", gettext_lazy("Last follow-up"), "last_follow_up_at", "acct_followup"),
    C("updated", gettext_lazy("Updated"), "updated_at", "acct_active_recent"),
    C("email", gettext_lazy("E-mail"), None, default=False),
    C("standing", gettext_lazy("Standing"), None, default=False),
    C("source", gettext_lazy("Source"), None, default=False),
)


def _manager(user: User) -> bool:
    return user.has_role(Role.MANAGER, Role.ADMIN)


def _assign(actor: User, account: Account, data: Mapping[str, Any]) -> None:
    owner = selectors.entry_owners(actor).filter(pk=str(data["value"])).first() \
        if str(data["value"]).isdigit() else None
    if owner is None:
        raise FieldErrors({"value": [_("Choose a sales rep of your teams.")]})
    services.assign_owner(actor, account, owner, account.version)


def _release(actor: User, account: Account, data: Mapping[str, Any]) -> None:
    pool.release(actor, account, reason=_("Released from the customer list."))


def _tags(account: Account) -> list[str]:
    return list(account.tags.values_list("name", flat=True))


def _tag_add(actor: User, account: Account, data: Mapping[str, Any]) -> None:
    services.set_tags(actor, account, [*_tags(account), str(data["value"])])


def _tag_remove(actor: User, account: Account, data: Mapping[str, Any]) -> None:
    name = str(data["value"]).strip()
    services.set_tags(actor, account, [t for t in _tags(account) if t != name])


def _archive(actor: User, account: Account, data: Mapping[str, Any]) -> None:
    services.deactivate_account(actor, account, account.version)


def _assign_choices(user: User) -> list[tuple[Any, Any]]:
    return [(u.pk, str(u)) for u in selectors.entry_owners(user)]


def _inline(name: str):
    def save(actor: User, account: Account, value: str, version: int) -> Account:
        return services.update_account(actor, account, {name: value}, version)
    return save


def register() -> None:
    lists.register(lists.ListDefinition(
        key="customers", label=gettext_lazy("Customers"), model=Account,
        select=selectors.filter_customers, url_name="customers:list", columns=COLUMNS,
        bulk_actions=(
            lists.BulkAction("assign", gettext_lazy("Assign to…"), _assign, _manager,
                             needs="choice", choices=_assign_choices, icon="person-check"),
            lists.BulkAction("release", gettext_lazy("Release to the public pool"), _release,
                             icon="box-arrow-up"),
            lists.BulkAction("tag_add", gettext_lazy("Add tag"), _tag_add, needs="text",
                             icon="tag"),
            lists.BulkAction("tag_remove", gettext_lazy("Remove tag"), _tag_remove,
                             needs="text", icon="tag"),
            lists.BulkAction("archive", gettext_lazy("Delete (archive)"), _archive, _manager,
                             icon="archive"),
        ),
        inline=(
            lists.InlineField("phone", _inline("phone"), lambda a: a.phone),
            lists.InlineField("email", _inline("email"), lambda a: a.email),
        ),
        row_label=lambda a: a.name,
    ))
