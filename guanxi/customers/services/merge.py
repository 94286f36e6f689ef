"""Merging two customer records into one, keeping every related record and both histories."""

from __future__ import annotations

from typing import Any, cast

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.core import audit
from guanxi.core.access import require
from guanxi.core.errors import FieldErrors
from guanxi.core.locking import check_version
from guanxi.customers import permissions as perms
from guanxi.customers.models import Account, AccountShare, SearchToken, TermsChangeRequest
from guanxi.customers.search import reindex_accounts
from guanxi.customers.services.common import (
    ACCOUNT_FIELDS,
    refresh_completeness,
)

# Relations moved by hand (special rules) or not at all.
SKIP = {(Account, "merged_into"), (SearchToken, "account"), (AccountShare, "account")}


@transaction.atomic
def merge_accounts(actor: User, keep: Account, remove: Account, keep_version: int | None = None,
                   remove_version: int | None = None) -> Account:
    """Move everything that points at ``remove`` to ``keep``: contacts, addresses, timeline,
    approvals, and whatever later capabilities attach (found through the model relations, so
    orders, cases and the rest follow without this code knowing them). ``keep`` gains the
    values it lacks; ``remove`` stays as an inactive record pointing at ``keep``."""
    if keep.pk == remove.pk:
        raise FieldErrors({"other": [_("Choose two different customers.")]})
    require(perms.can_manage_account(actor, keep) and perms.can_manage_account(actor, remove),
            _("Only the manager of both customers can merge them."))
    keep = Account.objects.select_for_update().get(pk=keep.pk)
    remove = Account.objects.select_for_update().get(pk=remove.pk)
    for record, version in ((keep, keep_version), (remove, remove_version)):
        check_version(record, version, _("%(name)s changed after you opened this page. "
                                          "Reload and check both records again.")
                      % {"name": record.name})
    # One primary contact and address: the kept record's, when it has them.
    if keep.contacts.filter(is_active=True, is_primary=True).exists():
        remove.contacts.update(is_primary=False)
    if keep.addresses.filter(is_primary=True).exists():
        remove.addresses.update(is_primary=False)
    # One open terms request per customer: the kept record's wins, the other is withdrawn.
    waiting = [TermsChangeRequest.Status.MANAGER, TermsChangeRequest.Status.FINANCE]
    if keep.terms_requests.filter(status__in=waiting).exists():
        remove.terms_requests.filter(status__in=waiting).update(
            status=TermsChangeRequest.Status.WITHDRAWN, status_since=timezone.now(),
            version=models.F("version") + 1)
    moved: dict[str, int] = {}
    for rel in Account._meta.related_objects:
        if rel.many_to_many or (rel.related_model, rel.field.name) in SKIP:
            continue
        # A relation seen from Account always names its model class, never "self".
        related = cast(type[models.Model], rel.related_model)
        count = related._base_manager.filter(**{rel.field.name: remove}).update(
            **{rel.field.name: keep})
        if count:
            moved[related._meta.label_lower] = count
    for share in AccountShare.objects.filter(account=remove):
        AccountShare.objects.get_or_create(account=keep, user=share.user)
    keep.tags.add(*remove.tags.all())

    filled: dict[str, Any] = {}
    for field in ACCOUNT_FIELDS + ("custom",):
        mine, theirs = getattr(keep, field), getattr(remove, field)
        if field == "custom":
            combined = {**theirs, **mine}
            if combined != mine:
                filled[field] = combined
        elif mine in (None, "") and theirs not in (None, ""):
            filled[field] = theirs
    if remove.registration_id and not keep.registration_id:
        Account.objects.filter(pk=remove.pk).update(registration_id=None)
    if remove.last_follow_up_at and (not keep.last_follow_up_at or
                                     remove.last_follow_up_at > keep.last_follow_up_at):
        filled["last_follow_up_at"] = remove.last_follow_up_at
    Account.objects.filter(pk=remove.pk).update(
        is_active=False, merged_into=keep, registration_id=None,
        version=models.F("version") + 1)
    if filled:
        Account.objects.filter(pk=keep.pk).update(version=models.F("version") + 1, **filled)
    keep.refresh_from_db()
    refresh_completeness(keep)
    reindex_accounts([keep.pk, remove.pk])
    audit.log(actor, "customers.account.merged", keep,
              changes={k: [None, audit.jsonable(v)] for k, v in filled.items()},
              data={"merged": remove.pk, "moved": moved})
    audit.log(actor, "customers.account.merged_away", remove, data={"into": keep.pk})
    return keep
