"""The public pool (公海): customers without follow-up return to it; reps claim from it."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.core import audit
from guanxi.core.access import require
from guanxi.core.errors import Conflict
from guanxi.core.locking import check_version, save_versioned
from guanxi.customers.models import Account, PoolPolicy
from guanxi.customers.permissions import can_change_pool_policy, can_claim, can_release
from guanxi.customers.services.duplicates import find_duplicates


def claimed_count(user: User) -> int:
    """Customers ``user`` holds that came from the pool (counted against the claim limit)."""
    return Account.objects.filter(owner=user, is_active=True, claimed_from_pool=True).count()


@transaction.atomic
def claim(actor: User, account: Account) -> Account:
    """Take a pool customer, within the per-rep limit and only if no other rep already
    follows the same company (撞单)."""
    if not account.in_pool:
        raise Conflict(_("This customer is not in the public pool (anymore)."),
                       code="not_in_pool")
    require(can_claim(actor, account), _("Only sales reps claim customers from the pool."))
    policy = PoolPolicy.current()
    # One claim per rep at a time, so two parallel claims cannot both pass the limit.
    list(User.objects.select_for_update().filter(pk=actor.pk).values_list("pk"))
    if claimed_count(actor) >= policy.claim_limit:
        raise Conflict(_("You already hold %(n)s customers from the pool, the limit. Release "
                         "one first.") % {"n": policy.claim_limit}, code="claim_limit")
    for match in find_duplicates(name=account.name, registration_id=account.registration_id,
                                 phone=account.phone, exclude_id=account.pk):
        other = match.account
        if other.owner_id and other.owner_id != actor.pk and not other.in_pool:
            raise Conflict(_("%(owner)s already follows this company as %(name)s (same "
                             "%(what)s).") % {"owner": other.owner, "name": other.name,
                                              "what": match.describe()},
                           code="owned_by_other")
    # The conditional update is the lock: two reps claiming at once, one wins.
    updated = Account.objects.filter(pk=account.pk, in_pool=True).update(
        in_pool=False, pool_since=None, owner=actor, claimed_from_pool=True,
        team=actor.team or account.team,
        last_follow_up_at=timezone.now(), version=F("version") + 1)
    if not updated:
        raise Conflict(_("Someone claimed this customer a moment ago."), code="not_in_pool")
    account.refresh_from_db()
    audit.log(actor, "customers.account.claimed", account, changes={"owner": [None, actor.pk]})
    return account


@transaction.atomic
def release(actor: User, account: Account, reason: str = "",
            version: int | None = None) -> Account:
    """Give a customer back to the pool."""
    if account.in_pool:
        raise Conflict(_("This customer is already in the public pool."), code="in_pool")
    require(can_release(actor, account))
    check_version(account, version)
    old_owner = account.owner_id
    save_versioned(account, account.version,
                   {"in_pool": True, "pool_since": timezone.now(), "owner": None,
                    "claimed_from_pool": False})
    audit.log(actor, "customers.account.released", account,
              changes={"owner": [old_owner, None]}, data={"reason": reason})
    return account


def return_stale_to_pool(now: dt.datetime | None = None) -> int:
    """Move customers without follow-up for the policy's days back to the pool. Pending and
    rejected customers stay where they are. Returns how many moved."""
    now = now or timezone.now()
    policy = PoolPolicy.current()
    cutoff = now - dt.timedelta(days=policy.return_after_days)
    moved = 0
    stale = Account.objects.filter(is_active=True, in_pool=False, owner__isnull=False,
                                   approval="approved", last_follow_up_at__lt=cutoff)
    while ids := list(stale.values_list("id", flat=True)[:1000]):
        with transaction.atomic():
            before = {pk: (owner, name) for pk, owner, name in Account.objects.filter(
                pk__in=ids).values_list("pk", "owner_id", "name")}
            Account.objects.filter(pk__in=ids).update(in_pool=True, pool_since=now, owner=None,
                                                    claimed_from_pool=False,
                                                    version=F("version") + 1)
            for pk in ids:
                audit.log(None, "customers.account.returned_to_pool",
                          Account(pk=pk, name=before[pk][1]),
                          changes={"in_pool": [False, True], "owner": [before[pk][0], None]},
                          data={"days": policy.return_after_days})
        moved += len(ids)
    return moved


@transaction.atomic
def update_policy(actor: User, return_after_days: int, claim_limit: int,
                  version: int) -> PoolPolicy:
    from guanxi.core.cleaning import clean_fields
    require(can_change_pool_policy(actor), _("Only administrators change the pool rules."))
    policy = PoolPolicy.current()
    values = clean_fields(PoolPolicy, {"return_after_days": return_after_days,
                                       "claim_limit": claim_limit},
                          ("return_after_days", "claim_limit"))
    before = {k: getattr(policy, k) for k in values}
    save_versioned(policy, version, values)
    audit.log(actor, "customers.pool_policy.updated", policy, changes=audit.diff(before, values))
    return policy
