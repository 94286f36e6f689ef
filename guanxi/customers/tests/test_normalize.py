"""What people type, and the normalised form the system keeps and compares."""

import pytest
from stdnum.cn import uscc

from guanxi.core import normalize


def valid_uscc(base17: str) -> str:
    return base17 + uscc.calc_check_digit(base17)


@pytest.mark.parametrize("raw", [
    "13812345678", "138 1234 5678", "138-1234-5678", "+86 138 1234 5678", "+86 138-1234-5678",
    "0086 13812345678", "(+86)13812345678", "8613812345678", "１３８１２３４５６７８",
])
def test_chinese_mobile_in_any_format_becomes_e164(raw):
    assert normalize.normalize_phone(raw) == "+8613812345678"
    assert normalize.is_chinese_mobile(normalize.normalize_phone(raw))


@pytest.mark.parametrize("raw, e164", [
    ("021-61234567", "+862161234567"),
    ("(010) 8888 6666", "+861088886666"),
    ("+1 650 253 0000", "+16502530000"),
    ("+49 30 901820", "+4930901820"),
    ("0049 30 901820", "+4930901820"),
])
def test_landlines_and_international_numbers(raw, e164):
    assert normalize.normalize_phone(raw) == e164
    assert not normalize.is_chinese_mobile(e164)


@pytest.mark.parametrize("raw", ["abc", "12345", "1381234567", "138123456789", "+86 12"])
def test_garbage_phone_is_rejected_with_the_value_in_the_message(raw):
    with pytest.raises(ValueError) as exc:
        normalize.normalize_phone(raw)
    assert raw in str(exc.value)


def test_readable_phone_forms():
    assert normalize.format_phone("+8613812345678") == "138 1234 5678"
    assert normalize.format_phone("+16502530000").startswith("+1 650")


def test_registration_id_check_character_and_length():
    good = valid_uscc("91440300708461136")
    assert normalize.normalize_uscc(good) == good
    assert normalize.normalize_uscc(good.lower()) == good
    assert normalize.normalize_uscc(f" {good[:6]} {good[6:]} ") == good
    wrong_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValueError, match="check character"):
        normalize.normalize_uscc(wrong_check)
    with pytest.raises(ValueError, match="18 characters"):
        normalize.normalize_uscc(good[:-1])
    with pytest.raises(ValueError, match="18 characters"):
        normalize.normalize_uscc(good + "1")


def test_registration_id_with_letters_lowercase_is_upper_cased():
    good = valid_uscc("91110108MA01ABCD0")
    assert normalize.normalize_uscc(good.lower()) == good


def test_email():
    assert normalize.normalize_email(" Wang.Fang@Example.COM ") == "Wang.Fang@example.com"
    for bad in ["wang@", "wang fang@example.com", "@example.com", "wang"]:
        with pytest.raises(ValueError, match="not a valid e-mail"):
            normalize.normalize_email(bad)


@pytest.mark.parametrize("name, key", [
    ("深圳市华为技术有限公司", "深圳市华为技术"),
    ("华为技术（中国）有限公司", "华为技术"),
    ("华为技术(中国)有限公司", "华为技术"),
    ("腾讯科技股份有限公司", "腾讯科技"),
    ("阿里巴巴集团", "阿里巴巴"),
    ("上海汽车集团股份有限公司", "上海汽车"),
    ("ＡＢＣ贸易有限公司", "abc贸易"),
    ("Acme Trading Co., Ltd.", "acmetrading"),
    ("ACME TRADING CO.,LTD", "acmetrading"),
    ("Ａｃｍｅ　Ｔｒａｄｉｎｇ", "acmetrading"),
    ("Siemens GmbH", "siemens"),
    ("Apple Inc.", "apple"),
    ("Acme Trading Company Limited", "acmetrading"),
])
def test_name_key_strips_legal_forms_and_folds_width(name, key):
    assert normalize.normalize_name(name) == key


@pytest.mark.parametrize("a, b", [
    ("Hemag Ltd", "Hem Ltd"),
    ("Zinc", "Z"),
    ("Saag AG", "Sa AG"),
])
def test_legal_form_is_only_stripped_as_a_whole_word(a, b):
    # "ag", "inc" and the like end many real names; stripping them would make unrelated
    # companies look like duplicates.
    assert normalize.normalize_name(a) != normalize.normalize_name(b)


def test_name_made_only_of_a_legal_form_keeps_a_key():
    assert normalize.normalize_name("有限公司") == "有限公司"


@pytest.mark.parametrize("name, reading", [
    ("曾小贤", ("zeng", "xiao", "xian")), ("单田芳", ("shan", "tian", "fang")),
    ("解缙", ("xie", "jin")), ("仇英", ("qiu", "ying")), ("区志强", ("ou", "zhi", "qiang")),
    ("朴树", ("piao", "shu")), ("查良镛", ("zha", "liang", "yong")),
    ("欧阳娜娜", ("ou", "yang", "na", "na")),
])
def test_polyphonic_surnames_read_as_surnames(name, reading):
    assert normalize.syllables(name, person=True) == reading


def test_surname_reading_only_applies_to_people():
    assert normalize.syllables("曾经", person=False)[0] == "ceng"
    assert normalize.pinyin_initials("张三") == "zs"
    assert normalize.pinyin_full("张三") == "zhangsan"


def _by_the_library(text: str) -> str:
    import phonenumbers

    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return "invalid"
    if not phonenumbers.is_valid_number(number):
        return "invalid"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@pytest.mark.parametrize("text", [
    "13812345678", "+8613812345678", "19912345678", "16212345678", "14012345678",
    "14512345678", "17912345678", "12345678901", "10012345678", "11012345678",
    "15412345678", "16612345678", "17412345678", "17400012345", "+8610123456789",
])
def test_fast_mobile_check_agrees_with_phonenumbers(text):
    from guanxi.core.normalize import normalize_phone

    try:
        ours = normalize_phone(text)
    except ValueError:
        ours = "invalid"
    assert ours == _by_the_library(text)


def test_fast_registration_id_check_agrees_with_stdnum():
    from stdnum.cn import uscc

    from guanxi.core.normalize import normalize_uscc

    body = "91310000MA1FL8TQ7"
    for check in "0123456789ABCDEFGHJKLMNPQRTUWXY":
        expected = uscc.is_valid(body + check)
        try:
            ours = normalize_uscc(body + check) == body + check
        except ValueError:
            ours = False
        assert ours == expected, check


@pytest.mark.parametrize("text", ["重庆长安汽车123号", "长沙银行行长", "Acme 长城 2号 重庆",
                                  "〇一二三", "ABC", ""])
def test_pinyin_read_run_by_run_is_the_whole_text_reading(text):
    from pypinyin import Style, lazy_pinyin

    from guanxi.core.normalize import _PUNCT_RE, fold, syllables

    whole = [w for part in lazy_pinyin(fold(text), style=Style.NORMAL, errors=lambda c: [c])
             for w in _PUNCT_RE.split(part.lower()) if w]
    assert list(syllables(text)) == whole
