"""Two people edit the same customer, contact or address: the second is told (409) and the
first one's value is kept."""

import pytest

from guanxi.core.errors import Conflict
from guanxi.core.models import AuditEntry
from guanxi.customers import services
from guanxi.customers.models import Account, Address, Contact


@pytest.fixture
def account(org):
    return services.create_account(
        org.rep, {"name": "并发客户有限公司", "needs": "原始需求"},
        contacts=[{"name": "张三", "title": "采购"}],
        addresses=[{"province": "上海", "street": "南京路1号"}], force=True)


def test_account_second_editor_gets_conflict(org, account):
    first = Account.objects.get(pk=account.pk)
    second = Account.objects.get(pk=account.pk)
    services.update_account(org.rep, first, {"needs": "王芳写的"}, version=1)
    audits = AuditEntry.objects.count()
    with pytest.raises(Conflict) as exc:
        services.update_account(org.manager, second, {"needs": "经理写的"}, version=1)
    assert exc.value.status == 409 and exc.value.field == "version"
    fresh = Account.objects.get(pk=account.pk)
    assert fresh.needs == "王芳写的" and fresh.version == 2
    assert AuditEntry.objects.count() == audits  # the refused write left no trace


def test_account_stale_version_on_fresh_instance(org, account):
    services.update_account(org.rep, account, {"needs": "第一次"}, version=1)
    reloaded = Account.objects.get(pk=account.pk)  # what the second request's view loads
    with pytest.raises(Conflict):
        services.update_account(org.manager, reloaded, {"needs": "第二次"}, version=1)
    assert Account.objects.get(pk=account.pk).needs == "第一次"


def test_contact_second_editor_gets_conflict(org, account):
    first = Contact.objects.get(account=account)
    second = Contact.objects.get(account=account)
    services.update_contact(org.rep, first, {"title": "总经理"}, version=1)
    with pytest.raises(Conflict):
        services.update_contact(org.assistant, second, {"title": "副总"}, version=1)
    with pytest.raises(Conflict):
        services.remove_contact(org.assistant, second, version=1)
    fresh = Contact.objects.get(pk=first.pk)
    assert fresh.title == "总经理" and fresh.version == 2 and fresh.is_active


def test_address_second_editor_gets_conflict(org, account):
    first = Address.objects.get(account=account)
    second = Address.objects.get(account=account)
    services.update_address(org.rep, first, {"street": "南京路2号"}, version=1)
    with pytest.raises(Conflict):
        services.update_address(org.assistant, second, {"street": "南京路3号"}, version=1)
    fresh = Address.objects.get(pk=first.pk)
    assert fresh.street == "南京路2号" and fresh.version == 2


def test_assign_and_deactivate_check_the_version(org, account):
    services.update_account(org.rep, account, {"needs": "新的"}, version=1)
    with pytest.raises(Conflict):
        services.assign_owner(org.manager, account, org.teammate, version=1)
    with pytest.raises(Conflict):
        services.deactivate_account(org.manager, account, version=1)
    fresh = Account.objects.get(pk=account.pk)
    assert fresh.owner == org.rep and fresh.is_active
