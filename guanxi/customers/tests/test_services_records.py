"""Entering and editing customers: validation, duplicates and 撞单, audit, completeness."""

from decimal import Decimal

import pytest
from stdnum.cn import uscc

from guanxi.core.errors import Conflict, FieldErrors, Forbidden
from guanxi.core.models import AuditEntry, CustomFieldDefinition
from guanxi.customers import services
from guanxi.customers.models import (
    Account,
    Address,
    Approval,
    Contact,
    SearchToken,
    TimelineEvent,
)

USCC = "91440300708461136" + uscc.calc_check_digit("91440300708461136")
USCC2 = "91110108MA01ABCD0" + uscc.calc_check_digit("91110108MA01ABCD0")



def db_state():
    return (Account.objects.count(), Contact.objects.count(), Address.objects.count(),
            AuditEntry.objects.count(), TimelineEvent.objects.count(),
            SearchToken.objects.count())


def create(org, data, **kw):
    return services.create_account(kw.pop("by", org.rep), data, **kw)


# --- Validation ------------------------------------------------------------------------------

def test_create_normalises_phone_email_and_registration_id(org):
    account = create(org, {"name": "规范化有限公司", "phone": "138 1234 5678",
                           "email": "Sales@Example.COM", "registration_id": USCC.lower()},
                     contacts=[{"name": "张三", "mobile": "+86 139-0000-1111"}],
                     addresses=[{"province": "广东", "city": "深圳市", "street": "深南大道1号"}])
    account.refresh_from_db()
    assert account.phone == "+8613812345678"
    assert account.email == "Sales@example.com"
    assert account.registration_id == USCC
    contact = account.contacts.get()
    assert contact.mobile == "+8613900001111" and contact.is_primary
    assert account.addresses.get().province_code == "440000"
    assert account.owner == org.rep and account.team == org.team_a
    assert account.approval == Approval.APPROVED


@pytest.mark.parametrize("data, field, message", [
    ({"phone": "12345"}, "phone", "not a valid phone number"),
    ({"phone": "call me"}, "phone", "not a phone number"),
    ({"email": "sales@"}, "email", "not a valid e-mail"),
    ({"registration_id": USCC[:-1] + ("0" if USCC[-1] != "0" else "1")}, "registration_id",
     "check character"),
    ({"registration_id": "91440300"}, "registration_id", "18 characters"),
    ({"name": ""}, "name", "required"),
    ({"name": "x" * 201}, "name", "at most 200"),
    ({"industry": "mining"}, "industry", "not a valid choice"),
    ({"attitude_risk": 9}, "attitude_risk", "less than or equal to 5"),
    ({"website": "not a url"}, "website", "valid URL"),
    ({"discount_rate": "31"}, "discount_rate", "at most 30"),
    ({"credit_limit": "-1"}, "credit_limit", "negative"),
    ({"owner": 3}, "owner", "cannot be set here"),
    ({"version": 9}, "version", "cannot be set here"),
])
def test_bad_input_on_create_names_the_field_and_changes_nothing(org, data, field, message):
    before = db_state()
    with pytest.raises(FieldErrors) as exc:
        create(org, {"name": "坏数据有限公司"} | data)
    assert field in exc.value.errors
    assert message in " ".join(exc.value.errors[field])
    assert exc.value.as_dict()["errors"][field]
    assert db_state() == before


@pytest.mark.parametrize("contact, field", [
    ({"name": "张三", "mobile": "123"}, "mobile"),
    ({"name": "张三", "email": "zhang@"}, "email"),
    ({"name": "张三", "birthday": "1990-02-30"}, "birthday"),
    ({"name": ""}, "name"),
])
def test_bad_contact_on_create_changes_nothing(org, contact, field):
    before = db_state()
    with pytest.raises(FieldErrors) as exc:
        create(org, {"name": "坏联系人有限公司"}, contacts=[contact])
    assert field in exc.value.errors
    assert db_state() == before


@pytest.mark.parametrize("address, field", [
    ({"city": "深圳"}, "province"),
    ({"province": "Atlantis"}, "province"),
    ({"country": "DE"}, "lines"),
])
def test_bad_address_on_create_changes_nothing(org, address, field):
    before = db_state()
    with pytest.raises(FieldErrors) as exc:
        create(org, {"name": "坏地址有限公司"}, addresses=[address])
    assert field in exc.value.errors
    assert db_state() == before


def test_international_address_is_free_form(org, make_account):
    account = create(org, {"name": "Berlin GmbH"},
                     addresses=[{"country": "de", "lines": "Unter den Linden 1\nBerlin"}])
    address = account.addresses.get()
    assert address.country == "DE" and address.province_code == ""
    assert str(address) == "Unter den Linden 1, Berlin, DE"


def test_bad_input_on_update_changes_nothing(org, make_account):
    account = make_account(phone="13812345678")
    before = db_state()
    for data, field in [({"phone": "999"}, "phone"), ({"email": "x@"}, "email"),
                        ({"name": " "}, "name"), ({"registration_id": "123"}, "registration_id"),
                        ({"discount_rate": "5"}, "discount_rate")]:
        with pytest.raises(FieldErrors) as exc:
            services.update_account(org.rep, account, data, version=account.version)
        assert field in exc.value.errors
    fresh = Account.objects.get(pk=account.pk)
    assert (fresh.phone, fresh.version, fresh.name) == ("+8613812345678", 1, account.name)
    assert db_state() == before


def test_update_contact_and_address_validate_too(org, make_account):
    account = create(org, {"name": "上海客户有限公司"},
                     contacts=[{"name": "张三", "mobile": "13900001111"}],
                     addresses=[{"province": "上海", "street": "南京路1号"}])
    contact, address = account.contacts.get(), account.addresses.get()
    with pytest.raises(FieldErrors) as exc:
        services.update_contact(org.rep, contact, {"mobile": "abc"}, version=contact.version)
    assert "mobile" in exc.value.errors
    with pytest.raises(FieldErrors) as exc:
        services.update_address(org.rep, address, {"province": "Narnia"}, version=address.version)
    assert "province" in exc.value.errors
    contact.refresh_from_db()
    address.refresh_from_db()
    assert (contact.mobile, contact.version) == ("+8613900001111", 1)
    assert (address.province, address.version) == ("上海", 1)


# --- Custom fields through the services -----------------------------------------------------

@pytest.fixture
def custom_fields(db):
    T = CustomFieldDefinition.Type
    target = CustomFieldDefinition.Target.ACCOUNT
    CustomFieldDefinition.objects.create(target=target, key="plant_count", label_en="Plants",
                                         type=T.NUMBER)
    CustomFieldDefinition.objects.create(target=target, key="grade", label_en="Grade",
                                         type=T.CHOICE, choices=["A", "B", "C"], required=True)
    CustomFieldDefinition.objects.create(target=target, key="founded", label_en="Founded",
                                         type=T.DATE)


def test_custom_fields_on_create_and_update(org, make_account, custom_fields):
    account = create(org, {"name": "自定义有限公司"}, custom={"plant_count": " 3 ", "grade": "A"})
    assert account.custom == {"plant_count": "3", "grade": "A"}
    services.update_account(org.rep, account, {}, version=account.version,
                            custom={"founded": "2001-05-04"})
    account.refresh_from_db()
    assert account.custom == {"plant_count": "3", "grade": "A", "founded": "2001-05-04"}


@pytest.mark.parametrize("custom, field", [
    ({"grade": "Z"}, "custom.grade"),
    ({"plant_count": "many", "grade": "A"}, "custom.plant_count"),
    ({"founded": "yesterday", "grade": "A"}, "custom.founded"),
    ({"colour": "red", "grade": "A"}, "custom.colour"),
    ({}, "custom.grade"),
])
def test_bad_custom_values_on_create_change_nothing(org, make_account, custom_fields, custom,
                                                    field):
    before = db_state()
    with pytest.raises(FieldErrors) as exc:
        create(org, {"name": "自定义有限公司"}, custom=custom)
    assert field in exc.value.errors
    assert db_state() == before


def test_bad_custom_value_on_update_keeps_the_old_one(org, make_account, custom_fields):
    account = create(org, {"name": "自定义有限公司"}, custom={"grade": "B"})
    with pytest.raises(FieldErrors) as exc:
        services.update_account(org.rep, account, {"needs": "更快交货"}, version=1,
                                custom={"grade": ""})
    assert "custom.grade" in exc.value.errors
    account.refresh_from_db()
    assert account.custom == {"grade": "B"} and account.needs == "" and account.version == 1


# --- Duplicates and 撞单 --------------------------------------------------------------------

def test_same_registration_id_is_refused_even_when_forced(org, make_account):
    first = make_account(name="甲公司", registration_id=USCC)
    with pytest.raises(Conflict) as exc:
        make_account(by=org.rep, name="完全不同的名字", registration_id=USCC, force=True)
    assert exc.value.field == "registration_id"
    assert first.name in exc.value.message
    assert Account.objects.count() == 1


@pytest.mark.parametrize("existing, new, field", [
    ({"name": "深圳市华为技术有限公司"}, {"name": "深圳市华为技术股份有限公司"}, "name"),
    ({"name": "华为技术（中国）有限公司"}, {"name": "华为技术集团"}, "name"),
    ({"name": "Acme Trading Co., Ltd."}, {"name": "ACME TRADING LIMITED"}, "name"),
    ({"name": "一号", "phone": "13812345678"}, {"name": "二号", "phone": "+86 138-1234-5678"},
     "phone"),
    ({"name": "一号", "email": "buy@acme.cn"}, {"name": "二号", "email": "BUY@ACME.CN"}, "email"),
])
def test_likely_duplicate_needs_confirmation(org, make_account, existing, new, field):
    make_account(**existing)
    with pytest.raises(Conflict) as exc:
        make_account(force=False, **new)
    assert exc.value.code == "duplicate" and exc.value.field == field
    assert exc.value.status == 409
    assert Account.objects.count() == 1
    make_account(force=True, **new)
    assert Account.objects.count() == 2


def test_duplicate_through_a_contacts_mobile(org, make_account):
    make_account(name="一号", contacts=[{"name": "张三", "mobile": "13812345678"}])
    with pytest.raises(Conflict) as exc:
        make_account(name="二号", force=False, phone="13812345678")
    assert exc.value.field == "phone"


@pytest.mark.parametrize("what", [
    {"name": "深圳市华为技术有限公司"}, {"phone": "13812345678"},
    {"registration_id": USCC},
])
def test_another_reps_customer_is_refused_even_when_forced(org, make_account, what):
    make_account(by=org.other_rep, **({"name": "深圳市华为技术有限公司", "phone": "13812345678",
                                       "registration_id": USCC}))
    before = db_state()
    with pytest.raises(Conflict) as exc:
        make_account(by=org.rep, force=True, **({"name": "别的名字"} | what))
    assert exc.value.code == "owned_by_other"
    assert "黄伟" in exc.value.message  # the owner is named
    assert db_state() == before


def test_assistant_entering_for_the_owning_rep_is_warned_not_refused(org):
    services.create_account(org.rep, {"name": "苏州恒达精密机械有限公司"})
    with pytest.raises(Conflict) as exc:
        services.create_account(org.assistant, {"name": "苏州恒达精密机械有限公司"},
                                owner=org.rep)
    assert exc.value.code == "duplicate"
    with pytest.raises(Conflict) as exc:
        services.create_account(org.assistant, {"name": "苏州恒达精密机械有限公司"},
                                owner=org.teammate, force=True)
    assert exc.value.code == "owned_by_other"


def test_same_email_of_another_reps_customer_is_only_a_warning(org, make_account):
    make_account(by=org.other_rep, name="一号", email="buy@acme.cn")
    with pytest.raises(Conflict) as exc:
        make_account(by=org.rep, name="二号", email="buy@acme.cn", force=False)
    assert exc.value.code == "duplicate"
    make_account(by=org.rep, name="二号", email="buy@acme.cn", force=True)


def test_pool_customer_is_not_zhuangdan(org, make_account):
    pooled = make_account(by=org.other_rep, name="深圳市华为技术有限公司")
    services.release(org.other_rep, pooled)
    with pytest.raises(Conflict) as exc:
        make_account(by=org.rep, name="深圳市华为技术有限公司", force=False)
    assert exc.value.code == "duplicate"
    assert make_account(by=org.rep, name="深圳市华为技术有限公司", force=True).pk


def test_renaming_into_another_reps_customer_is_refused(org, make_account):
    make_account(by=org.other_rep, name="深圳市华为技术有限公司")
    mine = make_account(by=org.rep, name="我的客户有限公司")
    with pytest.raises(Conflict) as exc:
        services.update_account(org.rep, mine, {"name": "深圳市华为技术股份有限公司"},
                                version=mine.version)
    assert exc.value.code == "owned_by_other"
    mine.refresh_from_db()
    assert mine.name == "我的客户有限公司" and mine.version == 1


def test_different_companies_with_legal_form_like_endings_are_not_duplicates(org, make_account):
    make_account(by=org.other_rep, name="Hemag Ltd")
    make_account(by=org.rep, name="Hem Ltd", force=False)
    assert Account.objects.count() == 2


# --- Permissions of the editing services ----------------------------------------------------

def test_who_may_edit(org, make_account):
    account = make_account(by=org.rep)
    for outsider in (org.teammate, org.other_rep, org.other_manager, org.hz_rep, org.finance):
        with pytest.raises(Forbidden):
            services.update_account(outsider, account, {"needs": "x"}, version=account.version)
    for editor in (org.rep, org.assistant, org.manager, org.admin):
        account.refresh_from_db()
        services.update_account(editor, account, {"needs": f"by {editor.username}"},
                                version=account.version)
    account.refresh_from_db()
    assert account.needs == "by admin" and account.version == 5


def test_finance_and_marketing_cannot_enter_customers(org):
    for user in (org.finance, org.marketing, org.executive):
        with pytest.raises(Forbidden):
            create(org, {"name": "财务客户有限公司"}, by=user)
    assert Account.objects.count() == 0


def test_rep_cannot_enter_a_customer_for_someone_else(org):
    with pytest.raises(Forbidden):
        create(org, {"name": "代录客户有限公司"}, owner=org.teammate)
    account = create(org, {"name": "代录客户有限公司"}, by=org.assistant, owner=org.teammate)
    assert account.owner == org.teammate and account.created_by == org.assistant


def test_terms_are_not_edited_directly_once_approved(org, make_account):
    account = make_account()
    with pytest.raises(FieldErrors) as exc:
        services.update_account(org.manager, account, {"discount_rate": "5"},
                                version=account.version)
    assert "discount_rate" in exc.value.errors
    account.refresh_from_db()
    assert account.discount_rate == Decimal("0")


# --- Audit and timeline ---------------------------------------------------------------------

def test_each_write_is_audited_with_old_and_new_values_and_actor(org, make_account):
    account = make_account(by=org.rep, name="审计客户有限公司", phone="13812345678")
    created = AuditEntry.objects.get(action="customers.account.created")
    assert created.actor == org.rep and created.object_id == str(account.pk)
    assert created.changes["name"] == [None, "审计客户有限公司"]

    services.update_account(org.manager, account, {"phone": "13900001111", "size": "small"},
                            version=account.version)
    updated = AuditEntry.objects.get(action="customers.account.updated")
    assert updated.actor == org.manager
    assert updated.changes == {"phone": ["+8613812345678", "+8613900001111"],
                               "size": ["", "small"]}

    contact = services.add_contact(org.rep, account, {"name": "张三"})
    services.update_contact(org.rep, contact, {"title": "采购经理"}, version=contact.version)
    assert AuditEntry.objects.get(action="customers.contact.updated").changes == {
        "title": ["", "采购经理"]}
    address = services.add_address(org.rep, account, {"province": "上海", "street": "南京路1号"})
    services.update_address(org.rep, address, {"street": "南京路2号"}, version=address.version)
    assert AuditEntry.objects.get(action="customers.address.updated").changes == {
        "street": ["南京路1号", "南京路2号"]}
    services.set_tags(org.rep, account, ["重点", "华东"])
    assert AuditEntry.objects.get(action="customers.account.tagged").changes == {
        "tags": [[], ["华东", "重点"]]}
    services.share_account(org.rep, account, org.teammate)
    assert AuditEntry.objects.get(action="customers.account.shared").data == {
        "user": org.teammate.pk}
    services.assign_owner(org.manager, account, org.teammate, version=account.version)
    assert AuditEntry.objects.get(action="customers.account.assigned").changes == {
        "owner": [org.rep.pk, org.teammate.pk]}
    kinds = set(TimelineEvent.objects.filter(account=account).values_list("kind", flat=True))
    assert {"customers.created", "customers.updated", "customers.contact_added",
            "customers.address_added", "customers.shared", "customers.assigned"} <= kinds


def test_update_without_changes_writes_no_history(org, make_account):
    account = make_account(name="无变化有限公司")
    before = db_state()
    services.update_account(org.rep, account, {"name": "无变化有限公司"}, version=1)
    assert db_state() == before
    assert Account.objects.get(pk=account.pk).version == 1


def test_follow_up_needs_text_and_appears_on_timeline(org, make_account):
    account = make_account()
    with pytest.raises(FieldErrors):
        services.log_follow_up(org.rep, account, "   ")
    services.log_follow_up(org.rep, account, "电话沟通了报价")
    event = TimelineEvent.objects.get(account=account, kind="customers.note")
    assert event.body == "电话沟通了报价" and event.actor == org.rep
    with pytest.raises(Forbidden):
        services.log_follow_up(org.other_rep, account, "我也来跟进")


def test_relationships_between_people(org, make_account):
    account = make_account(contacts=[{"name": "张三"}, {"name": "李四"}])
    a, b = account.contacts.order_by("id")
    rel = services.add_relationship(org.rep, a, b, "referred_by")
    with pytest.raises(Conflict):
        services.add_relationship(org.rep, a, b, "referred_by")
    with pytest.raises(FieldErrors):
        services.add_relationship(org.rep, a, a, "friend")
    with pytest.raises(FieldErrors):
        services.add_relationship(org.rep, a, b, "enemy")
    from guanxi.customers import selectors
    assert selectors.relationships(account) == [rel]


# --- Completeness ---------------------------------------------------------------------------

def test_completeness_rises_as_fields_are_filled(org, make_account):
    account = make_account(name="完整度有限公司", industry="")
    score, missing = services.completeness(account)
    assert account.completeness == score
    assert {"registration_id", "industry", "phone", "address", "contact"} <= set(missing)
    assert "name" not in missing and "owner" not in missing

    services.update_account(org.rep, account, {"registration_id": USCC2, "industry": "energy"},
                            version=account.version)
    score2, missing2 = services.completeness(account)
    assert score2 > score and "registration_id" not in missing2 and "industry" not in missing2

    services.add_contact(org.rep, account, {"name": "张三", "mobile": "13812345678",
                                            "email": "zs@example.com"})
    services.add_address(org.rep, account, {"province": "浙江", "city": "杭州"})
    score3, missing3 = services.completeness(account)
    assert score3 > score2
    assert not {"contact", "contact_reach", "phone", "email", "address"} & set(missing3)
    assert Account.objects.get(pk=account.pk).completeness == score3

    account.refresh_from_db()
    services.update_account(org.rep, account, {
        "size": "large", "website": "https://example.com", "attitude_products": 4,
        "likelihood_rebuy": 5, "needs": "稳定供货"}, version=account.version)
    assert services.completeness(account) == (100, [])
    assert Account.objects.get(pk=account.pk).completeness == 100


def test_person_customer_needs_no_company_fields(org, make_account):
    person = make_account(name="王小明", kind="person", industry="")
    _score, missing = services.completeness(person)
    assert not {"registration_id", "industry", "size", "website"} & set(missing)


# --- Ordering rules ---------------------------------------------------------------------------

def test_ensure_can_order(org, make_account):
    ok = make_account()
    services.ensure_can_order(ok)
    deleted = make_account()
    services.deactivate_account(org.manager, deleted, deleted.version)
    deleted.refresh_from_db()
    with pytest.raises(Exception) as exc:
        services.ensure_can_order(deleted)
    assert exc.value.code == "inactive_customer"


def test_one_primary_contact_and_address_on_create(org):
    account = create(org, {"name": "主联系人有限公司"},
                     contacts=[{"name": "甲"}, {"name": "乙", "is_primary": True},
                               {"name": "丙", "is_primary": True}],
                     addresses=[{"province": "上海"}, {"province": "北京"}])
    assert list(account.contacts.filter(is_primary=True).values_list("name", flat=True)) == ["乙"]
    assert list(account.addresses.filter(is_primary=True).values_list(
        "province", flat=True)) == ["上海"]


def test_registration_id_of_a_deleted_customer_can_be_entered_again(org, make_account):
    old = make_account(by=org.rep, name="旧客户有限公司", registration_id=USCC)
    services.deactivate_account(org.manager, old, old.version)
    entry = AuditEntry.objects.get(action="customers.account.deleted")
    assert entry.changes["registration_id"] == [USCC, None]  # the history keeps it
    again = make_account(by=org.rep, name="新客户有限公司", registration_id=USCC)
    assert Account.objects.get(pk=again.pk).registration_id == USCC
    mine = make_account(by=org.rep, name="另一个客户有限公司")
    services.deactivate_account(org.manager, again, again.version)
    services.update_account(org.rep, mine, {"registration_id": USCC}, version=mine.version)
    assert Account.objects.get(pk=mine.pk).registration_id == USCC


def test_contact_with_the_phone_of_another_reps_customer_is_refused(org, make_account):
    make_account(by=org.other_rep, name="深圳市华为技术有限公司",
                 contacts=[{"name": "任总", "mobile": "13812345678"}])
    mine = make_account(by=org.rep, name="我的客户有限公司")
    before = db_state()
    with pytest.raises(Conflict) as exc:
        services.add_contact(org.rep, mine, {"name": "任总", "mobile": "138 1234 5678"})
    assert exc.value.code == "owned_by_other" and exc.value.field == "mobile"
    assert "黄伟" in exc.value.message
    assert db_state() == before
    colleague = services.add_contact(org.rep, mine, {"name": "李四", "mobile": "13900001111"})
    with pytest.raises(Conflict):
        services.update_contact(org.rep, colleague, {"mobile": "13812345678"},
                                version=colleague.version)
    colleague.refresh_from_db()
    assert colleague.mobile == "+8613900001111"
