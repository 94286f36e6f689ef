"""The public pool (公海): stale customers return to it; reps claim within a limit; 撞单."""

import datetime as dt

import pytest
from django.utils import timezone

from guanxi.core.errors import Conflict, Forbidden
from guanxi.core.models import AuditEntry
from guanxi.core.tests.concurrency import run_together
from guanxi.customers import selectors, services
from guanxi.customers.models import Account, PoolPolicy, TimelineEvent


def fresh(account):
    return Account.objects.get(pk=account.pk)


def age(account, days):
    """Pretend the last follow-up happened ``days`` ago."""
    Account.objects.filter(pk=account.pk).update(
        last_follow_up_at=timezone.now() - dt.timedelta(days=days))


@pytest.fixture
def pooled(org, make_account):
    account = make_account(by=org.teammate, name="公海里的客户有限公司")
    services.release(org.teammate, account, reason="不再跟进")
    return fresh(account)


def test_stale_customers_return_to_the_pool(org, make_account):
    PoolPolicy.objects.update_or_create(pk=1, defaults={"return_after_days": 30})
    stale = make_account(by=org.rep, name="久未跟进有限公司")
    recent = make_account(by=org.rep, name="最近跟进有限公司")
    followed = make_account(by=org.rep, name="刚跟进有限公司")
    pending = make_account(by=org.rep, name="待审批有限公司", discount_rate="5")
    age(stale, 31)
    age(recent, 29)
    age(followed, 40)
    age(pending, 40)
    services.log_follow_up(org.rep, fresh(followed), "拜访了客户")

    assert services.return_stale_to_pool() == 1
    assert fresh(stale).in_pool and fresh(stale).owner is None
    assert fresh(stale).pool_since is not None
    for kept in (recent, followed, pending):
        assert not fresh(kept).in_pool and fresh(kept).owner == org.rep
    event = TimelineEvent.objects.get(account=stale, kind="customers.returned")
    assert "30 days" in event.title
    entry = AuditEntry.objects.get(action="customers.account.returned_to_pool")
    assert entry.object_id == str(stale.pk) and entry.object_repr == "久未跟进有限公司"
    # the rep lost it; everyone with pool access now sees it
    assert fresh(stale) in selectors.visible_accounts(org.other_rep)
    assert services.return_stale_to_pool() == 0


def test_fake_clock_moves_customers_once_the_days_pass(org, make_account):
    account = make_account(by=org.rep)
    now = timezone.now()
    assert services.return_stale_to_pool(now=now + dt.timedelta(days=29)) == 0
    assert services.return_stale_to_pool(now=now + dt.timedelta(days=31)) == 1
    assert fresh(account).in_pool


def test_returning_to_the_pool_bumps_the_version(org, make_account):
    account = make_account(by=org.rep)
    services.return_stale_to_pool(now=timezone.now() + dt.timedelta(days=31))
    # a manager editing from a page opened before the move is told it changed
    with pytest.raises(Conflict):
        services.update_account(org.manager, fresh(account), {"needs": "x"}, version=1)


def test_claim_makes_the_rep_owner(org, pooled):
    account = services.claim(org.rep, pooled)
    account = fresh(account)
    assert account.owner == org.rep and not account.in_pool and account.claimed_from_pool
    assert account.team == org.team_a
    assert account in selectors.visible_accounts(org.rep)
    assert account not in selectors.visible_accounts(org.other_rep)
    assert TimelineEvent.objects.filter(account=account, kind="customers.claimed",
                                        actor=org.rep).exists()
    assert AuditEntry.objects.get(action="customers.account.claimed").changes == {
        "owner": [None, org.rep.pk]}


def test_claim_bumps_the_version_from_the_stored_one(org, pooled):
    seen_by_rep = fresh(pooled)
    services.update_account(org.manager, fresh(pooled), {"needs": "经理补充"},
                            version=pooled.version)
    before = fresh(pooled).version
    services.claim(org.rep, seen_by_rep)
    assert fresh(pooled).version == before + 1


def test_claim_limit(org, make_account):
    PoolPolicy.objects.update_or_create(pk=1, defaults={"claim_limit": 2})
    accounts = [make_account(by=org.teammate) for _ in range(3)]
    for account in accounts:
        services.release(org.teammate, account)
    services.claim(org.rep, fresh(accounts[0]))
    services.claim(org.rep, fresh(accounts[1]))
    with pytest.raises(Conflict) as exc:
        services.claim(org.rep, fresh(accounts[2]))
    assert exc.value.code == "claim_limit" and "2" in exc.value.message
    assert fresh(accounts[2]).in_pool
    services.release(org.rep, fresh(accounts[0]))
    services.claim(org.rep, fresh(accounts[2]))
    assert fresh(accounts[2]).owner == org.rep


def test_two_claims_one_wins(org, pooled):
    seen_by_rep = fresh(pooled)
    seen_by_other = fresh(pooled)
    services.claim(org.rep, seen_by_rep)
    with pytest.raises(Conflict) as exc:
        services.claim(org.other_rep, seen_by_other)
    assert exc.value.code == "not_in_pool"
    assert fresh(pooled).owner == org.rep
    assert AuditEntry.objects.filter(action="customers.account.claimed").count() == 1


def test_claim_refused_when_another_rep_follows_the_same_company(org, make_account):
    dup = make_account(by=org.teammate, name="深圳市华为技术股份有限公司")
    services.release(org.teammate, dup)
    make_account(by=org.other_rep, name="深圳市华为技术有限公司")
    with pytest.raises(Conflict) as exc:
        services.claim(org.rep, fresh(dup))
    assert exc.value.code == "owned_by_other" and "黄伟" in exc.value.message
    assert fresh(dup).in_pool and fresh(dup).owner is None


def test_claim_not_refused_for_own_customer_or_another_pool_customer(org, make_account):
    other_pool = make_account(by=org.teammate, name="二号有限公司", phone="13812345678")
    dup = make_account(by=org.teammate, name="三号有限公司", phone="13812345678")
    services.release(org.teammate, other_pool)
    services.release(org.teammate, dup)
    make_account(by=org.rep, name="一号有限公司", phone="13812345678")
    services.claim(org.rep, fresh(dup))
    assert fresh(dup).owner == org.rep


def test_only_sales_roles_claim(org, pooled):
    for user in (org.finance, org.marketing, org.executive):
        with pytest.raises(Forbidden):
            services.claim(user, fresh(pooled))
    assert fresh(pooled).in_pool


def test_claiming_a_customer_not_in_the_pool(org, make_account):
    account = make_account(by=org.teammate)
    with pytest.raises(Conflict):
        services.claim(org.rep, account)
    assert fresh(account).owner == org.teammate


def test_release(org, make_account):
    account = make_account(by=org.rep)
    with pytest.raises(Forbidden):
        services.release(org.other_rep, account)
    services.release(org.rep, account, reason="客户已转行")
    account = fresh(account)
    assert account.in_pool and account.owner is None and account.version == 2
    event = TimelineEvent.objects.get(account=account, kind="customers.released")
    assert event.body == "客户已转行"
    with pytest.raises(Conflict):
        services.release(org.manager, account)
    # the pool customer is no longer the rep's to edit
    with pytest.raises(Forbidden):
        services.update_account(org.rep, account, {"needs": "x"}, version=account.version)


def test_pool_policy_only_by_admin_and_validated(org):
    policy = PoolPolicy.current()
    with pytest.raises(Forbidden):
        services.update_policy(org.manager, 10, 5, version=policy.version)
    from guanxi.core.errors import FieldErrors
    with pytest.raises(FieldErrors) as exc:
        services.update_policy(org.admin, 0, 5, version=policy.version)
    assert "return_after_days" in exc.value.errors
    services.update_policy(org.admin, 10, 5, version=policy.version)
    policy = PoolPolicy.current()
    assert (policy.return_after_days, policy.claim_limit) == (10, 5)
    with pytest.raises(Conflict):
        services.update_policy(org.admin, 11, 5, version=1)


# --- Real concurrency: two database connections at once (PostgreSQL) ------------------------


def needs_server_db():
    from django.db import connection
    if connection.vendor == "sqlite":
        pytest.skip("threads cannot share SQLite's in-memory test database")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_concurrent_claims_of_one_customer_one_wins(org, make_account, attempt):
    needs_server_db()
    account = make_account(by=org.teammate)
    services.release(org.teammate, account)
    results = run_together(lambda: services.claim(org.rep, fresh(account)),
                           lambda: services.claim(org.other_rep, fresh(account)))
    winners = [r for r in results if isinstance(r, Account)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert fresh(account).owner_id == winners[0].owner_id
    assert AuditEntry.objects.filter(action="customers.account.claimed").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_concurrent_claims_respect_the_limit(org, make_account, attempt):
    needs_server_db()
    PoolPolicy.objects.update_or_create(pk=1, defaults={"claim_limit": 1})
    first, second = make_account(by=org.teammate), make_account(by=org.teammate)
    services.release(org.teammate, first)
    services.release(org.teammate, second)
    results = run_together(lambda: services.claim(org.rep, fresh(first)),
                           lambda: services.claim(org.rep, fresh(second)))
    assert sum(isinstance(r, Account) for r in results) == 1, results
    assert Account.objects.filter(owner=org.rep, claimed_from_pool=True).count() == 1
