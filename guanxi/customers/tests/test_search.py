"""Finding customers and contacts by Chinese name, pinyin, initials, phone, e-mail, id."""

import pytest
from stdnum.cn import uscc

from guanxi.customers import services
from guanxi.customers.search import search

USCC = "91440300708461136" + uscc.calc_check_digit("91440300708461136")



def create(org, name, *, by=None, contacts=(), **fields):
    return services.create_account(by or org.rep, {"name": name} | fields,
                                   contacts=list(contacts), force=True)


def found(user, q, kind=None):
    return [h.name for h in search(user, q) if kind is None or h.kind == kind]


@pytest.fixture
def directory(org):
    return {
        "huawei": create(org, "深圳市华为技术有限公司", registration_id=USCC,
                         contacts=[{"name": "张三", "mobile": "13812345678",
                                    "email": "zs.work@huawei.example"}]),
        "acme": create(org, "Acme Trading Co., Ltd.", phone="+1 650 253 0000",
                       contacts=[{"name": "John Smith", "email": "john@acme.example"}]),
        "zeng": create(org, "小贤贸易有限公司", contacts=[
            {"name": "曾小贤"}, {"name": "单田芳"}, {"name": "解缙"}, {"name": "仇英"},
            {"name": "区志强"}, {"name": "朴树"}, {"name": "查良镛"}, {"name": "欧阳娜娜"}]),
        "landline": create(org, "上海电气有限公司", phone="021-61234567"),
    }


@pytest.mark.parametrize("q", ["深圳市华为技术有限公司", "深圳市华为", "华为", "华", "技术",
                               "为技"])
def test_chinese_name_full_and_any_substring(org, directory, q):
    assert "深圳市华为技术有限公司" in found(org.rep, q, "account")


@pytest.mark.parametrize("q", ["shenzhenshihuaweijishu", "huawei", "huaweijishu", "hua wei",
                               "szshwjs", "HuaWei"])
def test_company_pinyin_from_any_syllable_and_initials(org, directory, q):
    assert "深圳市华为技术有限公司" in found(org.rep, q, "account")


@pytest.mark.parametrize("q", ["张三", "张", "zhangsan", "zhang san", "zhang", "zs", "ZS"])
def test_person_by_name_pinyin_and_initials(org, directory, q):
    assert "张三" in found(org.rep, q, "contact")


@pytest.mark.parametrize("name, full, initials, wrong", [
    ("曾小贤", "zengxiaoxian", "zxx", "cengxiaoxian"),
    ("单田芳", "shantianfang", "stf", "dantianfang"),
    ("解缙", "xiejin", "xj", "jiejin"),
    ("仇英", "qiuying", "qy", "chouying"),
    ("区志强", "ouzhiqiang", "ozq", "quzhiqiang"),
    ("朴树", "piaoshu", "ps", "pushu"),
    ("查良镛", "zhaliangyong", "zly", "chaliangyong"),
    ("欧阳娜娜", "ouyangnana", "oynn", "ouyangnuonuo"),
])
def test_polyphonic_surnames(org, directory, name, full, initials, wrong):
    assert name in found(org.rep, full, "contact")
    assert name in found(org.rep, initials, "contact")
    assert name in found(org.rep, full[:4], "contact")
    assert name not in found(org.rep, wrong, "contact")


def test_compound_surname_prefixes(org, directory):
    assert "欧阳娜娜" in found(org.rep, "ouyang", "contact")
    assert "欧阳娜娜" in found(org.rep, "oy", "contact")
    assert "欧阳娜娜" in found(org.rep, "欧阳", "contact")


@pytest.mark.parametrize("q", ["13812345678", "138 1234 5678", "+86 138-1234-5678",
                               "0086 138 1234 5678", "+8613812345678", "8613812345678",
                               "1381234"])
def test_mobile_in_any_format(org, directory, q):
    assert "张三" in found(org.rep, q, "contact")


@pytest.mark.parametrize("q", ["021-61234567", "021 6123 4567", "+86 21 6123 4567",
                               "0086 21 61234567", "2161234567", "021-6123"])
def test_landline_in_any_format(org, directory, q):
    assert "上海电气有限公司" in found(org.rep, q, "account")


@pytest.mark.parametrize("q", ["+1 650 253 0000", "+1 (650) 253-0000", "6502530000",
                               "001 650 253 0000", "+1 650"])
def test_international_number(org, directory, q):
    assert "Acme Trading Co., Ltd." in found(org.rep, q, "account")


@pytest.mark.parametrize("q", ["zs.work@huawei.example", "zs.work@", "zs.work", "zs.w",
                               "ZS.Work@HUAWEI"])
def test_email_prefix(org, directory, q):
    hits = [h for h in search(org.rep, q) if h.name == "张三"]
    assert hits and hits[0].field == "email"


def test_email_hit_says_email(org, directory):
    hit = search(org.rep, "john@acme")[0]
    assert (hit.kind, hit.field, hit.name) == ("contact", "email", "John Smith")


@pytest.mark.parametrize("q", [USCC, USCC.lower(), USCC[:8]])
def test_registration_id(org, directory, q):
    hits = search(org.rep, q)
    assert hits[0].name == "深圳市华为技术有限公司"
    assert hits[0].field == "registration_id"


@pytest.mark.parametrize("q", ["acme", "Acme Trading", "trading", "ACME TRADING CO., LTD."])
def test_english_names(org, directory, q):
    assert "Acme Trading Co., Ltd." in found(org.rep, q, "account")


def test_legal_form_alone_finds_nothing_in_particular(org, directory):
    # "有限公司" ends most names; it is no starting point, so it does not flood the results.
    assert found(org.rep, "有限公司") == []
    assert found(org.rep, "ltd") == []


def test_ranking_exact_then_prefix_then_substring(org):
    substring = create(org, "深圳华为科技有限公司")
    prefix = create(org, "华为技术有限公司")
    exact = create(org, "华为")
    hits = [h.id for h in search(org.rep, "华为", kinds=("account",))]
    assert hits == [exact.pk, prefix.pk, substring.pk]


def test_accounts_rank_before_contacts_on_a_tie(org):
    account = create(org, "张三", kind="person", contacts=[{"name": "张三"}])
    hits = search(org.rep, "zhangsan")
    assert [(h.kind, h.account_id) for h in hits] == [("account", account.pk),
                                                      ("contact", account.pk)]


def test_empty_and_nonsense_queries(org, directory):
    assert search(org.rep, "") == []
    assert search(org.rep, "   ") == []
    assert search(org.rep, "!!!") == []
    assert search(org.rep, "xyzzy") == []


def test_results_are_scoped(org, directory):
    create(org, "深圳南山华为配件有限公司", by=org.other_rep)
    assert found(org.other_rep, "华为", "account") == ["深圳南山华为配件有限公司"]
    assert found(org.other_rep, "13812345678") == []
    assert found(org.other_rep, "zhangsan") == []
    assert "深圳南山华为配件有限公司" not in found(org.rep, "华为")
    assert set(found(org.admin, "华为", "account")) == {"深圳市华为技术有限公司",
                                                        "深圳南山华为配件有限公司"}


def test_index_follows_rename_deactivate_and_contact_changes(org, directory):
    huawei = directory["huawei"]
    services.update_account(org.rep, huawei, {"name": "深圳市荣耀终端有限公司"}, version=1)
    assert "深圳市荣耀终端有限公司" in found(org.rep, "rongyao", "account")
    assert found(org.rep, "华为", "account") == []

    contact = huawei.contacts.get()
    services.update_contact(org.rep, contact, {"name": "张三丰"}, version=contact.version)
    assert "张三丰" in found(org.rep, "zsf", "contact")
    services.remove_contact(org.rep, contact, contact.version)
    assert found(org.rep, "zsf") == []

    services.deactivate_account(org.manager, huawei, huawei.version)
    assert found(org.manager, "rongyao") == []
    assert found(org.manager, USCC) == []


def test_new_contact_is_searchable(org, directory):
    services.add_contact(org.rep, directory["landline"],
                         {"name": "诸葛亮", "mobile": "13700001111"})
    assert "诸葛亮" in found(org.rep, "zhugeliang", "contact")
    assert "诸葛亮" in found(org.rep, "zgl", "contact")
    assert "诸葛亮" in found(org.rep, "137 0000 1111", "contact")


def test_hit_describes_the_match(org, directory):
    hit = [h for h in search(org.rep, "zxx") if h.kind == "contact"][0]
    assert hit.account_name == "小贤贸易有限公司" and hit.account_id == directory["zeng"].pk
    assert hit.field == "initials"


def test_text_custom_fields_are_searchable_choices_are_not(org):
    from guanxi.core.models import CustomFieldDefinition as Def

    Def.objects.create(target=Def.Target.ACCOUNT, key="brand", label_en="Brand",
                       type=Def.Type.TEXT)
    Def.objects.create(target=Def.Target.ACCOUNT, key="grade", label_en="Grade",
                       type=Def.Type.CHOICE, choices=["A", "B"])
    account = services.create_account(org.rep, {"name": "苏州恒达精密机械有限公司"},
                                      custom={"brand": "金狮牌 Golden Lion", "grade": "A"})
    hits = search(org.rep, "金狮")
    assert [(h.id, h.field) for h in hits] == [(account.pk, "custom")]
    assert [h.id for h in search(org.rep, "golden")] == [account.pk]
    assert search(org.rep, "a") == [] or all(h.field != "custom" for h in search(org.rep, "a"))
    assert search(org.other_rep, "金狮") == []  # scoped like every search
    services.update_account(org.rep, account, {}, version=account.version,
                            custom={"brand": "银鹰"})
    assert search(org.rep, "金狮") == []
    assert [h.id for h in search(org.rep, "银鹰")] == [account.pk]
