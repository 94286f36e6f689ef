"""One demo customer per sequence number ``n``: the same ``n`` always gives the same customer,
and different numbers give different names, registration ids and phone numbers, so the demo
database can be extended any number of times without duplicates."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from math import gcd
from typing import Any

from guanxi.core.normalize import SURNAMES, syllables
from guanxi.demo import ids
from guanxi.demo.names import (
    ABROAD_FORMS,
    ABROAD_NAMES,
    ABROAD_PEOPLE,
    ABROAD_WORDS,
    BUSINESSES,
    COMMON_SURNAMES,
    DEPARTMENTS,
    GIVEN_CHARS,
    LEGAL_FORMS,
    MAIL_DOMAINS,
    SPECIAL_SURNAMES,
    TITLES,
    TRADE_FIRST,
    TRADE_SECOND,
)
from guanxi.demo.places import ABROAD, BUILDINGS, CITIES, STREETS, WEIGHTS, City

TAGS = ("重点客户", "VIP", "老客户", "展会线索", "需要回访", "经销商", "Key account", "Export")
SIZES = ("micro", "small", "medium", "large", "enterprise")
SOURCES = ("exhibition", "website", "referral", "campaign", "call_centre", "import", "manual")
SETTLEMENTS = ("bank_transfer", "bank_transfer", "acceptance_bill", "letter_of_credit")
GRADES = ("A", "B", "C", "D")
NOTES = (
    "电话沟通了下季度的采购计划，客户关注交期和付款方式。",
    "拜访客户工厂，参观了生产线，对方对新款设备很感兴趣。",
    "客户反馈上批货的包装有破损，已安排售后跟进。",
    "发送了报价单，等待客户内部审批。",
    "约好下周二到公司面谈，带上样品。",
    "微信联系采购经理，确认了年度框架协议的条款。",
    "Sent the updated quotation; they compare us with two other suppliers.",
    "Call with purchasing: budget approved for the second half of the year.",
)
NEEDS = ("稳定的交期和质量", "更灵活的账期", "本地化的售后服务", "定制化方案", "价格有竞争力",
         "Faster delivery to the Singapore warehouse", "")

_NAME_SPACE = len(CITIES) * len(TRADE_FIRST) * len(TRADE_SECOND) * len(BUSINESSES)
_NAME_MULT = next(m for m in range(1_000_003, 2_000_000, 2) if gcd(m, _NAME_SPACE) == 1)
_CN_DIGITS = "零一二三四五六七八九"


@dataclass
class CustomerSpec:
    n: int
    data: dict[str, Any]  # account fields as create_account takes them
    contacts: list[dict[str, Any]]
    address: dict[str, Any]
    tags: list[str]
    custom: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    contact_custom: list[dict[str, Any]] = field(default_factory=list)
    in_pool: bool = False
    pending: bool = False
    owner_pick: float = 0.0  # where in the weighted list of reps the owner is
    age: dt.timedelta = dt.timedelta()  # how long ago the customer was entered
    follow_up_age: dt.timedelta = dt.timedelta()

    @property
    def is_person(self) -> bool:
        return self.data["kind"] == "person"


def person_name(rng: random.Random) -> str:
    if rng.random() < 0.12:
        surname = rng.choice(SPECIAL_SURNAMES)
    else:
        surname = COMMON_SURNAMES[int(rng.random() ** 2 * len(COMMON_SURNAMES))]
    given = rng.choice(GIVEN_CHARS)
    if rng.random() < 0.7:
        given += rng.choice(GIVEN_CHARS)
    return surname + given


def _surname(name: str) -> str:
    return name[:2] if name[:2] in SPECIAL_SURNAMES else name[:1]


@cache
def _reading(part: str, surname: bool) -> str:
    if surname and part in SURNAMES:
        return "".join(SURNAMES[part])
    return "".join(syllables(part))


def chinese_contact(rng: random.Random, n: int, slot: int, domain: str) -> dict[str, Any]:
    name = person_name(rng)
    surname = _surname(name)
    # 欧阳明华 → minghua.ouyang: surnames read as surnames (曾 zeng, 单 shan).
    sur_py, given_py = _reading(surname, True), _reading(name[len(surname):], False)
    contact = {
        "name": name,
        "title": rng.choice(TITLES),
        "department": rng.choice(DEPARTMENTS),
        "gender": rng.choice("fm"),
        "mobile": ids.mobile(n * 4 + slot),
        "email": f"{given_py}.{sur_py}{n % 97}@{domain}" if domain else "",
        "wechat": f"wx_{sur_py}{given_py}{n % 1000}",
    }
    if rng.random() < 0.4:
        contact["birthday"] = dt.date(1965 + rng.randrange(35), 1 + rng.randrange(12),
                                      1 + rng.randrange(28))
    return contact


def _china_address(rng: random.Random, city: City, kind: str = "office") -> dict[str, Any]:
    district = rng.choice(city.districts) if city.districts else ""
    number = rng.randrange(1, 999)
    street = f"{rng.choice(STREETS)}{number}号"
    if kind == "office" and rng.random() < 0.6:
        street += f"{rng.choice('东南西北中')}{rng.choice(BUILDINGS)}{rng.randrange(2, 30)}楼"
    return {"kind": kind, "country": "CN", "province": city.province, "city": city.name,
            "district": district, "street": street,
            "postal_code": f"{city.code[:3]}{rng.randrange(0, 999):03d}", "is_primary": True}


def _company_name(n: int) -> tuple[str, City, tuple[str, str, str], str]:
    m = (n * _NAME_MULT + 7) % _NAME_SPACE
    m, b = divmod(m, len(BUSINESSES))
    m, s = divmod(m, len(TRADE_SECOND))
    c, f = divmod(m, len(TRADE_FIRST))
    city = CITIES[c]
    trade = TRADE_FIRST[f] + TRADE_SECOND[s]
    business = BUSINESSES[b]
    round_ = n // _NAME_SPACE
    branch = "".join(_CN_DIGITS[int(d)] for d in str(round_ + 1)) + "厂" if round_ else ""
    legal = LEGAL_FORMS[n % len(LEGAL_FORMS)]
    return f"{city.short}{trade}{business[0]}{branch}{legal}", city, business, trade


def _common(rng: random.Random, n: int, spec: CustomerSpec) -> None:
    spec.in_pool = rng.random() < 0.05
    spec.pending = not spec.in_pool and rng.random() < 0.002
    spec.owner_pick = rng.random()
    spec.age = dt.timedelta(days=rng.random() * 730)
    # Most customers were followed up within the pool's 30 days; some are overdue.
    days = rng.random() * (25 if rng.random() < 0.9 else 90)
    spec.follow_up_age = min(spec.age, dt.timedelta(days=days))
    if rng.random() < 0.35:
        spec.tags = rng.sample(TAGS, 1 + (rng.random() < 0.3))
    if rng.random() < 0.3:
        spec.notes = [rng.choice(NOTES)]
    attitudes = rng.random() < 0.6
    for key in ("attitude_risk", "attitude_products", "attitude_service", "likelihood_rebuy",
                "likelihood_recommend"):
        if attitudes:
            spec.data[key] = 1 + int(rng.random() * 5)


def customer(n: int, attempt: int = 0) -> CustomerSpec:
    """The demo customer number ``n``: 83% Chinese companies, 5% abroad, 12% persons.
    Another ``attempt`` gives another name where names can clash (persons, abroad)."""
    rng = random.Random(n * 2_654_435_761 + 17 + attempt * 1_000_003)
    roll = rng.random()
    if roll < 0.12:
        spec = _person(rng, n)
    elif roll < 0.17:
        spec = _abroad(rng, n)
    else:
        spec = _chinese_company(rng, n)
    _common(rng, n, spec)
    return spec


def _chinese_company(rng: random.Random, n: int) -> CustomerSpec:
    name, city, business, trade = _company_name(n)
    trade_py = _reading(trade, False)
    domain = f"{trade_py}-{business[2].split()[0].lower()}-{city.pinyin}.com.cn"
    contacts = [chinese_contact(rng, n, slot, domain)
                for slot in range(1 + (rng.random() < 0.45) + (rng.random() < 0.15))]
    phone = ids.landline(n, city) or ids.mobile(n * 4 + 3)
    data = {
        "kind": "company", "name": name,
        "name_en": f"{city.pinyin.title()} {trade_py.title()} {business[2]} Co., Ltd."
        if rng.random() < 0.5 else "",
        "registration_id": ids.registration_id(n, city),
        "industry": business[1], "size": rng.choice(SIZES), "source": rng.choice(SOURCES),
        "phone": phone, "email": f"info@{domain}", "website": f"https://www.{domain}/",
        "needs": rng.choice(NEEDS), "purchase_channel": rng.choice(("直销", "经销商", "电商平台")),
        "settlement_method": rng.choice(SETTLEMENTS),
        "payment_terms_days": rng.choice((30, 30, 45, 60, 90)),
    }
    custom = {"grade": rng.choice(GRADES),
              "annual_purchases": str(Decimal(rng.randrange(5, 5000)) * 10000)}
    if rng.random() < 0.7:
        custom["first_deal_date"] = (dt.date(2015, 1, 1) + dt.timedelta(
            days=rng.randrange(3650))).isoformat()
    return CustomerSpec(n=n, data=data, contacts=contacts, address=_china_address(rng, city),
                        tags=[], custom=custom)


def _abroad(rng: random.Random, n: int) -> CustomerSpec:
    country, calling, cities = ABROAD[n % len(ABROAD)]
    brand = rng.choice(ABROAD_NAMES[country])
    word = rng.choice(ABROAD_WORDS)
    form = rng.choice(ABROAD_FORMS[country])
    name = f"{brand} {word} {form}"
    domain = f"{brand.lower().replace('ü', 'ue')}-{word.lower()}.{country.lower()}"
    if country == "US":
        domain = domain[:-3] + ".com"
    first, last = rng.choice(ABROAD_PEOPLE[country])
    contact = {"name": f"{first} {last}", "title": rng.choice(("Purchasing Manager", "CEO",
                                                                 "Head of Sourcing")),
               "mobile": ids.foreign_phone(n * 4 + 1, country),
               "email": f"{first.lower().replace(' ', '')}.{last.lower().replace('ü', 'ue')}"
                        f"{n % 97}@{domain}",
               "gender": rng.choice("fmx")}
    street = {"US": "Main St", "DE": "Hauptstraße", "JP": "Chuo-dori", "SG": "Orchard Rd"}
    address = {"kind": "office", "country": country, "is_primary": True,
               "lines": f"{rng.randrange(1, 400)} {street[country]}\n{rng.choice(cities)}"}
    data = {"kind": "company", "name": name, "industry": rng.choice(BUSINESSES)[1],
            "size": rng.choice(SIZES), "source": rng.choice(("exhibition", "website")),
            "phone": ids.foreign_phone(n * 4, country), "email": f"sales{n % 997}@{domain}",
            "website": f"https://www.{domain}/", "needs": rng.choice(NEEDS),
            "settlement_method": "letter_of_credit",
            "currency": {"US": "USD", "DE": "EUR", "JP": "JPY", "SG": "SGD"}[country]}
    return CustomerSpec(n=n, data=data, contacts=[contact], address=address, tags=["Export"],
                        custom={"grade": rng.choice(GRADES)})


def _person(rng: random.Random, n: int) -> CustomerSpec:
    name = person_name(rng)
    city = CITIES[rng.choices(range(len(CITIES)), WEIGHTS)[0]]
    mobile = ids.mobile(n * 4)
    surname = _surname(name)
    spelled = _reading(surname, True) + _reading(name[len(surname):], False)
    email = f"{spelled}{n % 10000}@{rng.choice(MAIL_DOMAINS)}" \
        if rng.random() < 0.6 else ""
    data = {"kind": "person", "name": name, "phone": mobile, "email": email,
            "source": rng.choice(("website", "referral", "call_centre", "campaign")),
            "lifestyle": rng.choice(("喜欢户外运动", "经常出差", "注重品质", "")),
            "needs": rng.choice(NEEDS), "settlement_method": "card"}
    contact = {"name": name, "mobile": mobile, "email": email, "gender": rng.choice("fm"),
               "is_primary": True}
    return CustomerSpec(n=n, data=data, contacts=[contact],
                        address=_china_address(rng, city, "home"), tags=[],
                        custom={"grade": rng.choice(GRADES[1:])})
