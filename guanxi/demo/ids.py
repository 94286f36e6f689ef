"""Valid, unique identifiers for demo customers: registration ids (USCC) and phone numbers.

Each is a bijection of the customer's sequence number, so extending the demo database never
produces a number that already exists.
"""

from __future__ import annotations

from functools import cache

import phonenumbers
from stdnum.cn import uscc

from guanxi.demo.places import City

# GB 11714 organisation code: 8 characters and a check character (weights, modulo 11).
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# Mobile prefixes numbering plans assign to operators (13x, 15x, 17x, 18x, 19x).
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
                   "152", "153", "155", "156", "157", "158", "159", "173", "175", "176", "177",
                   "178", "180", "181", "182", "183", "185", "186", "187", "188", "189", "191",
                   "193", "195", "198", "199")
_E8 = 10**8


def _scramble(n: int, mult: int, add: int, modulus: int) -> int:
    """A permutation of 0..modulus-1 (mult is coprime with modulus)."""
    return (n * mult + add) % modulus


def org_code(n: int) -> str:
    body = f"{_scramble(n, 73_939_133, 12_345_677, _E8):08d}"
    total = sum(int(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def registration_id(n: int, city: City) -> str:
    """USCC: 9 (registered with market regulation) 1 (enterprise), division code, organisation
    code, check character (GB 32100)."""
    head = "91" + city.code + org_code(n)
    return head + uscc.calc_check_digit(head)


def mobile(n: int) -> str:
    """E.164 Chinese mobile number, unique for every ``n`` below 10**8."""
    prefix = MOBILE_PREFIXES[(n * 7 + n // _E8) % len(MOBILE_PREFIXES)]
    return f"+86{prefix}{_scramble(n, 48_271_031, 7_654_321, _E8):08d}"


@cache
def _local_length(area: str) -> int:
    """How many digits local numbers have behind this area code (8 in big cities, else 7)."""
    for length in (8, 7):
        if phonenumbers.is_valid_number(phonenumbers.parse(f"+86{area}{'6' * length}")):
            return length
    return 0


def landline(n: int, city: City) -> str:
    """E.164 fixed-line number in ``city``, or "" where the city has no area code here."""
    length = _local_length(city.area) if city.area else 0
    if not length:
        return ""
    body = _scramble(n, 7_368_787, 1_234_567, 10 ** (length - 1))
    return f"+86{city.area}{2 + n % 7}{body:0{length - 1}d}"


def foreign_phone(n: int, country: str) -> str:
    """A valid-looking number abroad: +1 415 …, +49 30 …, +81 3 …, +65 6…."""
    tail = _scramble(n, 7_777_777, 3_333_333, 10**7)
    if country == "US":
        return f"+1415{2 + n % 7}{tail % 10**6:06d}"
    if country == "DE":
        return f"+4930{tail:07d}{n % 10}"
    if country == "JP":
        return f"+813{5000 + tail % 4000:04d}{n % 10**4:04d}"
    return f"+656{1 + tail % 5}{tail % 10**6:06d}"


def national_digits(e164: str) -> str:
    """The national significant number of one of the numbers made here (no parsing: the demo
    knows how long its country codes are)."""
    for code in ("86", "49", "81", "65", "1"):
        if e164.startswith("+" + code):
            return e164[1 + len(code):]
    return e164.lstrip("+")
