"""Normalising what people type: phones, registration ids, e-mail, names and pinyin."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin
from pypinyin.constants import RE_HANS
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError


@lru_cache(maxsize=8)
def _mobile_pattern(region: str) -> re.Pattern[str] | None:
    """The region's mobile numbers as phonenumbers' own metadata describes them (both its
    general and its mobile pattern), for the fast path of ``normalize_phone``."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if meta is None or meta.mobile is None or not meta.mobile.national_number_pattern:
        return None
    return re.compile(f"(?=(?:{meta.general_desc.national_number_pattern})$)"
                      f"(?:{meta.mobile.national_number_pattern})$", re.ASCII)


_PLAIN_CN_MOBILE = re.compile(r"(?:\+86)?(1\d{10})", re.ASCII)


def normalize_phone(raw: str, region: str | None = None) -> str:
    """E.164 form of ``raw`` (``+8613812345678``); ValueError with a user message if invalid."""
    text = (raw or "").strip()
    if not text:
        return ""
    region = region or settings.GUANXI_DEFAULT_REGION
    # Most numbers in a Chinese list are plain mobiles: checked against the same metadata
    # without the general parser, which costs ~50 times more (a million-row import).
    if region == "CN" and (plain := _PLAIN_CN_MOBILE.fullmatch(text)):
        pattern = _mobile_pattern("CN")
        if pattern is not None and pattern.match(plain[1]):
            return "+86" + plain[1]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ValueError(_("“%(value)s” is not a phone number.") % {"value": raw}) from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(_("“%(value)s” is not a valid phone number.") % {"value": raw})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_chinese_mobile(e164: str) -> bool:
    if not e164.startswith("+86"):
        return False
    number = phonenumbers.parse(e164)
    return phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def format_phone(e164: str) -> str:
    """Readable form: national for Chinese numbers, international otherwise."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    if e164.startswith("+86"):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_digits_for_search(text: str) -> str:
    """Digits of a phone-like query as the index holds them: the national number, without
    country code (+86, 0086, +1, 0049 …) or trunk prefix (the 0 of 021…)."""
    digits = re.sub(r"\D", "", text)
    if text.strip().startswith("+") or digits.startswith("00"):
        rest = digits if text.strip().startswith("+") else digits[2:]
        # Country codes are prefix-free: the first known one is the one.
        for n in (1, 2, 3):
            if rest[:n].isdigit() and int(rest[:n]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
                return rest[n:]
        return rest
    if len(digits) == 13 and digits.startswith("86"):
        return digits[2:]
    return digits[1:] if digits.startswith("0") else digits


def national_digits(e164: str) -> str:
    if not e164:
        return ""
    if e164.startswith("+86") and e164[3:].isascii() and e164[3:].isdigit():
        return str(int(e164[3:]))  # what phonenumbers gives for +86, without parsing
    number = phonenumbers.parse(e164)
    return str(number.national_number)


_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015, as stdnum.cn.uscc
_USCC_VALUE = {c: i for i, c in enumerate(_USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_SHAPE = re.compile(r"[0-9]{8}[0-9A-HJ-NPQRTUWXY]{10}", re.ASCII)


def normalize_uscc(raw: str) -> str:
    """The 18-character unified social credit code with its check character verified."""
    text = (raw or "").strip().upper().replace(" ", "").replace("-", "")
    if not text:
        return ""
    if _USCC_SHAPE.fullmatch(text) and text[17] == _USCC_ALPHABET[(31 - sum(
            _USCC_VALUE[c] * w for c, w in zip(text[:17], _USCC_WEIGHTS, strict=True))) % 31]:
        return text  # what stdnum accepts, checked without its per-character clean-up
    try:
        return uscc.validate(text)
    except StdnumError:
        if len(text) != 18:
            raise ValueError(_("A registration id has 18 characters.")) from None
        raise ValueError(
            _("“%(value)s” is not a valid registration id (check character wrong).")
            % {"value": raw}
        ) from None


def normalize_email(raw: str) -> str:
    text = (raw or "").strip()
    if not text:
        return ""
    try:
        validate_email(text)
    except ValidationError:
        raise ValueError(_("“%(value)s” is not a valid e-mail address.") % {"value": raw}) from None
    local, _sep, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


LEGAL_FORMS = [
    "股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "集团公司", "分公司", "公司",
    "集团",
    "corporation", "company", "limited", "co.,ltd.", "co., ltd.", "co.,ltd", "co., ltd", "co ltd",
    "co.", "corp.", "corp", "inc.", "inc", "ltd.", "ltd", "llc", "gmbh", "s.a.", "ag", "plc",
    "pte", "pty", "l.l.c.",
]
_LATIN_FORMS = sorted((f for f in LEGAL_FORMS if f.isascii()), key=len, reverse=True)
_HAN_FORMS = sorted((f for f in LEGAL_FORMS if not f.isascii()), key=len, reverse=True)
# A Latin legal form must stand as a word of its own: "Zinc" and "Saag" keep their endings.
_LEGAL_RE = re.compile(
    r"(?:[\s,]*(?:(?<![a-z0-9])(?:" + "|".join(map(re.escape, _LATIN_FORMS)) + r")|(?:"
    + "|".join(map(re.escape, _HAN_FORMS)) + r")))+\s*$"
)
_BRACKETS_RE = re.compile(r"[（(]\s*(?:中国|china|hk|香港)\s*[)）]")
_PUNCT_RE = re.compile(r"[\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """NFKC (full-width → half-width) and lower case."""
    return unicodedata.normalize("NFKC", text or "").lower().strip()


def strip_legal_form(name: str) -> str:
    """Folded name without legal form and country brackets, spaces kept."""
    text = _BRACKETS_RE.sub("", fold(name))
    previous = None
    while previous != text:
        previous = text
        text = _LEGAL_RE.sub("", text).strip()
    return text


def normalize_name(name: str) -> str:
    """Key for duplicate detection: legal form, brackets, punctuation and spaces removed.

    ``深圳市华为技术有限公司`` → ``深圳市华为技术``; ``Acme Trading Co., Ltd.`` → ``acmetrading``.
    """
    return _PUNCT_RE.sub("", strip_legal_form(name)) or _PUNCT_RE.sub("", fold(name))


# Surnames whose reading differs from the character's common reading, and compound surnames.
_SURNAME_TEXT = """
万俟 mo qi|尉迟 yu chi|长孙 zhang sun|单于 chan yu|欧阳 ou yang|司马 si ma|诸葛 zhu ge|
上官 shang guan|东方 dong fang|皇甫 huang fu|令狐 ling hu|澹台 tan tai|公孙 gong sun|
夏侯 xia hou|宇文 yu wen|
曾 zeng|单 shan|解 xie|仇 qiu|区 ou|朴 piao|查 zha|盖 ge|缪 miao|乐 yue|覃 qin|种 chong|翟 zhai|
秘 bi|召 shao|尉 yu|燕 yan|纪 ji|任 ren|沈 shen|贾 jia|柏 bai|繁 po|员 yun|宓 fu|晟 cheng|折 she|
黑 he|隗 wei|句 gou|阚 kan|眭 sui|谌 chen|那 na|郇 huan|过 guo|相 xiang|藏 zang|重 chong|薄 bo|
都 du|长 chang|华 hua|石 shi|强 qiang|朝 chao|行 xing|莘 shen|亓 qi|蔺 lin|褚 chu|洗 xian|冼 xian
"""
SURNAMES: dict[str, tuple[str, ...]] = {
    name: tuple(reading.split())
    for name, reading in (item.strip().split(" ", 1) for item in _SURNAME_TEXT.split("|"))
}
_HAN_RE = re.compile(r"[\u3400-\u9fff]")


def has_han(text: str) -> bool:
    return bool(_HAN_RE.search(text or ""))


@lru_cache(maxsize=200_000)
def syllables(text: str, person: bool = False) -> tuple[str, ...]:
    """Pinyin syllables (no tones) of the Chinese characters in ``text``; Latin runs are kept
    as one lower-case word each. With ``person``, the surname is read as a surname
    (曾 zeng, 单 shan, 解 xie, 欧阳 ou yang)."""
    text = fold(text)
    head: tuple[str, ...] = ()
    if person and has_han(text[:1]):
        for length in (2, 1):
            reading = SURNAMES.get(text[:length])
            if reading and len(text) > length:
                head, text = reading, text[length:]
                break
    words: list[str] = []
    # pypinyin reads each run of Chinese characters on its own (phrases never cross a digit
    # or a Latin letter): runs such as 上海 or 科技 recur across a list of names, so their
    # readings are cached, where whole names rarely repeat.
    for run in _HAN_RUNS.findall(text):
        if _RUN_IS_HAN.match(run):
            words.extend(_run_syllables(run))
        else:
            words.extend(w for w in _PUNCT_RE.split(run.lower()) if w)
    return head + tuple(words)


_HAN_CLASS = RE_HANS.pattern.removeprefix("^(?:").removesuffix(")+$")
_HAN_RUNS = re.compile(f"{_HAN_CLASS}+|(?:(?!{_HAN_CLASS}).)+", re.DOTALL)
_RUN_IS_HAN = re.compile(_HAN_CLASS)


@lru_cache(maxsize=100_000)
def _run_syllables(run: str) -> tuple[str, ...]:
    out: list[str] = []
    for part in lazy_pinyin(run, style=Style.NORMAL, errors=lambda chars: [chars]):
        out.extend(w for w in _PUNCT_RE.split(part.lower()) if w)
    return tuple(out)


def pinyin_full(text: str, person: bool = False) -> str:
    return "".join(syllables(text, person))


def pinyin_initials(text: str, person: bool = False) -> str:
    """``张三`` → ``zs``; a Latin word contributes its first letter."""
    return "".join(s[0] for s in syllables(text, person))
