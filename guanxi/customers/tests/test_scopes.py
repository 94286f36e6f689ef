"""Who sees which customers: the scoped querysets every page, API, search and export use."""

import pytest

from guanxi.core.errors import NotFound
from guanxi.customers import selectors, services
from guanxi.customers.search import search


def names(qs):
    return set(qs.values_list("name", flat=True))


@pytest.fixture
def book(org, make_account):
    """One customer per owner, plus a pool customer and one shared with the teammate."""
    accounts = {
        "rep": make_account(by=org.rep, name="王氏五金有限公司"),
        "teammate": make_account(by=org.teammate, name="李家机电有限公司"),
        "hz_rep": make_account(by=org.hz_rep, name="杭州西湖茶叶有限公司"),
        "other_rep": make_account(by=org.other_rep, name="深圳南山电子有限公司"),
        "pool": make_account(by=org.rep, name="公海客户有限公司"),
        "shared": make_account(by=org.rep, name="共享客户有限公司"),
    }
    services.release(org.rep, accounts["pool"])
    services.share_account(org.rep, accounts["shared"], org.teammate)
    return accounts


ALL = {"王氏五金有限公司", "李家机电有限公司", "杭州西湖茶叶有限公司", "深圳南山电子有限公司",
       "公海客户有限公司", "共享客户有限公司"}


def test_rep_sees_own_shared_and_pool(org, book):
    assert names(selectors.visible_accounts(org.rep)) == {
        "王氏五金有限公司", "公海客户有限公司", "共享客户有限公司"}


def test_teammate_sees_only_what_is_shared_with_them(org, book):
    assert names(selectors.visible_accounts(org.teammate)) == {
        "李家机电有限公司", "公海客户有限公司", "共享客户有限公司"}
    with pytest.raises(NotFound):
        selectors.get_account(org.teammate, book["rep"].pk)
    services.unshare_account(org.rep, book["shared"], org.teammate)
    assert "共享客户有限公司" not in names(selectors.visible_accounts(org.teammate))


def test_manager_sees_region_subtree_but_not_other_region(org, book):
    assert names(selectors.visible_accounts(org.manager)) == ALL - {"深圳南山电子有限公司"}
    with pytest.raises(NotFound):
        selectors.get_account(org.manager, book["other_rep"].pk)
    assert names(selectors.visible_accounts(org.other_manager)) == {
        "深圳南山电子有限公司", "公海客户有限公司"}


def test_assistant_sees_own_team_subtree_only(org, book):
    # The assistant sits in 上海一组: the 杭州组 customer is outside.
    assert names(selectors.visible_accounts(org.assistant)) == ALL - {
        "杭州西湖茶叶有限公司", "深圳南山电子有限公司"}


@pytest.mark.parametrize("persona", ["finance", "executive", "marketing", "admin"])
def test_company_wide_roles_see_everything(org, book, persona):
    assert names(selectors.visible_accounts(getattr(org, persona))) == ALL


def test_other_team_rep_sees_none_of_team_a(org, book):
    assert names(selectors.visible_accounts(org.other_rep)) == {
        "深圳南山电子有限公司", "公海客户有限公司"}
    for key in ("rep", "teammate", "hz_rep", "shared"):
        with pytest.raises(NotFound):
            selectors.get_account(org.other_rep, book[key].pk)


def test_missing_and_foreign_look_the_same(org, book):
    with pytest.raises(NotFound) as foreign:
        selectors.get_account(org.other_rep, book["rep"].pk)
    with pytest.raises(NotFound) as missing:
        selectors.get_account(org.other_rep, 987654)
    with pytest.raises(NotFound):
        selectors.get_account(org.other_rep, "not-a-number")
    assert foreign.value.as_dict() == missing.value.as_dict()
    assert foreign.value.status == 404


def test_contacts_follow_their_customer(org, make_account):
    mine = make_account(by=org.rep, name="联系人测试有限公司",
                        contacts=[{"name": "张伟", "mobile": "13900001111"}])
    contact = mine.contacts.get()
    assert selectors.get_contact(org.rep, contact.pk) == contact
    assert selectors.get_contact(org.manager, contact.pk) == contact
    assert selectors.get_contact(org.finance, contact.pk) == contact
    for outsider in (org.teammate, org.other_rep, org.other_manager, org.hz_rep):
        with pytest.raises(NotFound):
            selectors.get_contact(outsider, contact.pk)
    services.remove_contact(org.rep, contact, contact.version)
    with pytest.raises(NotFound):
        selectors.get_contact(org.rep, contact.pk)


def test_inactive_and_merged_customers_are_invisible_to_everyone(org, make_account):
    gone = make_account(by=org.rep, name="已删除有限公司",
                        contacts=[{"name": "孙丽", "mobile": "13900002222"}])
    keep = make_account(by=org.rep, name="保留客户有限公司")
    removed = make_account(by=org.rep, name="被合并客户有限公司")
    services.deactivate_account(org.manager, gone, gone.version)
    services.merge_accounts(org.manager, keep, removed)
    for user in (org.rep, org.manager, org.admin, org.finance):
        visible = names(selectors.visible_accounts(user))
        assert "已删除有限公司" not in visible
        assert "被合并客户有限公司" not in visible
        assert not selectors.visible_contacts(user).filter(name="孙丽").exists()
        with pytest.raises(NotFound):
            selectors.get_account(user, gone.pk)


def test_inactive_user_sees_nothing(org, book):
    org.rep.is_active = False
    org.rep.save()
    assert not selectors.visible_accounts(org.rep).exists()


def test_search_respects_scope(org, book):
    assert [h.name for h in search(org.rep, "王氏五金")] == ["王氏五金有限公司"]
    assert search(org.teammate, "王氏五金") == []
    assert search(org.other_rep, "wangshiwujin") == []
    assert [h.name for h in search(org.manager, "wangshiwujin")] == ["王氏五金有限公司"]
    assert search(org.manager, "深圳南山") == []
    assert [h.name for h in search(org.other_rep, "深圳南山")] == ["深圳南山电子有限公司"]
    assert [h.name for h in search(org.teammate, "共享客户")] == ["共享客户有限公司"]
    assert [h.name for h in search(org.other_rep, "公海客户")] == ["公海客户有限公司"]


def test_terms_requests_follow_the_customer_scope(org, book):
    req = services.request_terms_change(org.rep, book["rep"], {"payment_terms_days": 60})
    assert list(selectors.visible_terms_requests(org.manager)) == [req]
    assert not selectors.visible_terms_requests(org.other_rep).exists()
    assert not selectors.visible_terms_requests(org.teammate).exists()


def test_whom_a_customer_is_entered_for(org):
    # Reps and managers of one's own team subtree; an administrator: anyone's.
    assert set(selectors.entry_owners(org.assistant)) == {org.rep, org.teammate}
    assert set(selectors.entry_owners(org.manager)) == {org.rep, org.teammate, org.hz_rep,
                                                         org.manager}
    assert {org.other_rep, org.other_manager} <= set(selectors.entry_owners(org.admin))
