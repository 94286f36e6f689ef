"""Merging two customers keeps every related record and both histories."""

import pytest
from stdnum.cn import uscc

from guanxi.core.errors import FieldErrors, Forbidden
from guanxi.core.models import AuditEntry
from guanxi.customers import selectors, services
from guanxi.customers.models import (
    Account,
    AccountShare,
    Address,
    ApprovalStep,
    Contact,
    SearchToken,
    TermsChangeRequest,
    TimelineEvent,
)
from guanxi.customers.search import search

USCC = "91440300708461136" + uscc.calc_check_digit("91440300708461136")



def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


@pytest.fixture
def pair(org):
    keep = services.create_account(
        org.rep, {"name": "华为技术有限公司", "phone": "13812345678"},
        contacts=[{"name": "张三", "mobile": "13900001111"}],
        addresses=[{"province": "广东", "city": "深圳"}], tags=["重点"], force=True)
    remove = services.create_account(
        org.rep, {"name": "华为技术（中国）有限公司", "registration_id": USCC,
                  "website": "https://huawei.example", "needs": "交换机",
                  "email": "buy@huawei.example"},
        contacts=[{"name": "李四", "mobile": "13900002222"}],
        addresses=[{"province": "上海", "street": "世纪大道1号"}], tags=["华东"], force=True)
    services.log_follow_up(org.rep, remove, "被合并方的拜访记录")
    services.share_account(org.rep, remove, org.teammate)
    req = services.request_terms_change(org.rep, fresh(remove), {"payment_terms_days": 60})
    services.decide_terms_change(org.manager, req, approve=True)
    return fresh(keep), fresh(remove)


def test_merge_moves_everything_and_fills_blanks(org, pair):
    keep, remove = pair
    merged = services.merge_accounts(org.manager, keep, remove)
    assert merged.pk == keep.pk

    assert set(Contact.objects.filter(account=keep).values_list("name", flat=True)) == {
        "张三", "李四"}
    assert Address.objects.filter(account=keep).count() == 2
    assert not Contact.objects.filter(account=remove).exists()
    assert not Address.objects.filter(account=remove).exists()
    assert TermsChangeRequest.objects.get().account_id == keep.pk
    assert ApprovalStep.objects.get().account_id == keep.pk
    assert AccountShare.objects.filter(account=keep, user=org.teammate).exists()
    assert set(keep.tags.values_list("name", flat=True)) == {"重点", "华东"}

    keep = fresh(keep)
    assert keep.registration_id == USCC
    assert keep.website == "https://huawei.example" and keep.needs == "交换机"
    assert keep.email == "buy@huawei.example"
    assert keep.phone == "+8613812345678"  # the kept record's own value wins
    assert keep.name == "华为技术有限公司"

    remove = fresh(remove)
    assert not remove.is_active and remove.merged_into_id == keep.pk
    assert remove.registration_id is None


def test_both_histories_on_the_kept_timeline(org, pair):
    keep, remove = pair
    services.merge_accounts(org.manager, keep, remove)
    events = list(TimelineEvent.objects.filter(account=keep).values_list("kind", "body"))
    kinds = [kind for kind, _body in events]
    assert kinds.count("customers.created") == 2
    assert ("customers.note", "被合并方的拜访记录") in events
    assert "customers.terms_requested" in kinds and "customers.merged" in kinds
    assert not TimelineEvent.objects.filter(account=remove).exists()
    merged = AuditEntry.objects.get(action="customers.account.merged")
    assert merged.actor == org.manager and merged.data["merged"] == remove.pk
    assert merged.changes["registration_id"] == [None, USCC]
    assert AuditEntry.objects.get(action="customers.account.merged_away").object_id == str(
        remove.pk)


def test_search_finds_only_the_kept_record(org, pair):
    keep, remove = pair
    services.merge_accounts(org.manager, keep, remove)
    hits = search(org.manager, "华为")
    assert [(h.kind, h.id) for h in hits if h.kind == "account"] == [("account", keep.pk)]
    lisi = [h for h in search(org.manager, "lisi") if h.kind == "contact"]
    assert [h.account_id for h in lisi] == [keep.pk]
    assert [h.id for h in search(org.manager, USCC)] == [keep.pk]
    assert not SearchToken.objects.filter(account_id=remove.pk).exists()


def test_merged_away_record_is_gone_from_lists_and_duplicates(org, pair, make_account):
    keep, remove = pair
    services.merge_accounts(org.manager, keep, remove)
    assert remove.pk not in selectors.visible_accounts(org.admin).values_list("pk", flat=True)
    # its registration id now belongs to the kept record only
    from guanxi.core.errors import Conflict
    with pytest.raises(Conflict) as exc:
        make_account(by=org.rep, name="别名", registration_id=USCC)
    assert "华为技术有限公司" in exc.value.message


def test_only_a_manager_of_both_may_merge(org, pair, make_account):
    keep, remove = pair
    for user in (org.rep, org.assistant, org.other_manager, org.finance):
        with pytest.raises(Forbidden):
            services.merge_accounts(user, keep, remove)
    south = make_account(by=org.other_rep, name="深圳客户有限公司")
    with pytest.raises(Forbidden):
        services.merge_accounts(org.manager, keep, south)
    with pytest.raises(Forbidden):
        services.merge_accounts(org.other_manager, south, keep)
    assert Account.objects.filter(is_active=True).count() == 3
    assert Contact.objects.filter(account=remove).count() == 1


def test_admin_may_merge_across_regions(org, pair, make_account):
    keep, _remove = pair
    south = make_account(by=org.other_rep, name="深圳客户有限公司")
    services.merge_accounts(org.admin, keep, south)
    assert fresh(south).merged_into_id == keep.pk


def test_merge_with_itself_is_refused(org, pair):
    keep, _remove = pair
    with pytest.raises(FieldErrors):
        services.merge_accounts(org.manager, keep, keep)
    assert fresh(keep).is_active


def test_merge_keeps_one_primary_contact_and_address(org, pair):
    keep, remove = pair
    services.merge_accounts(org.manager, keep, remove)
    assert Contact.objects.filter(account=keep, is_primary=True).count() == 1
    assert Address.objects.filter(account=keep, is_primary=True).count() == 1
    assert Contact.objects.get(account=keep, is_primary=True).name == "张三"


def test_merge_bumps_versions(org, pair):
    keep, remove = pair
    services.merge_accounts(org.manager, keep, remove)
    from guanxi.core.errors import Conflict
    with pytest.raises(Conflict):
        services.update_account(org.rep, fresh(keep), {"needs": "旧页面"}, version=keep.version)


def test_merge_leaves_one_open_terms_request(org, pair):
    keep, remove = pair
    kept_request = services.request_terms_change(org.rep, keep, {"credit_limit": "10000"})
    services.merge_accounts(org.manager, keep, remove)
    open_ = TermsChangeRequest.objects.filter(account=keep, status__in=["manager", "finance"])
    assert list(open_) == [kept_request]
    assert TermsChangeRequest.objects.filter(account=keep, status="withdrawn").count() == 1
