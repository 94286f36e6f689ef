"""Vehicle identification numbers (VIN, 车辆识别代号) as GB 16735 / ISO 3779 define them:
17 characters from digits and capital letters without I, O and Q, the ninth a check digit
computed from the other sixteen (transliterate letters to digits, weigh, sum, modulo 11, 10
written "X")."""

from __future__ import annotations

from django.utils.translation import gettext as _

from guanxi.core.errors import DomainError

LENGTH = 17
CHECK_POSITION = 8  # zero-based: the ninth character
WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
VALUES = {**{str(d): d for d in range(10)},
          "A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 8,
          "J": 1, "K": 2, "L": 3, "M": 4, "N": 5, "P": 7, "R": 9,
          "S": 2, "T": 3, "U": 4, "V": 5, "W": 6, "X": 7, "Y": 8, "Z": 9}


def normalize_vin(raw: str) -> str:
    """Upper case without spaces or dashes, as people copy it from papers."""
    return "".join((raw or "").split()).replace("-", "").upper()


def check_digit(vin: str) -> str:
    """The check character for the 17 characters of ``vin`` (its own ninth is ignored)."""
    total = sum(VALUES[c] * w for c, w in zip(vin, WEIGHTS, strict=True))
    rest = total % 11
    return "X" if rest == 10 else str(rest)


def with_check_digit(vin: str) -> str:
    """``vin`` with its ninth character set right (for demo data and tests)."""
    return vin[:CHECK_POSITION] + check_digit(vin) + vin[CHECK_POSITION + 1:]


def validate_vin(raw: str, field: str = "vin") -> str:
    """The normalised VIN, or a DomainError on ``field`` saying what is wrong with it."""
    vin = normalize_vin(raw)
    if len(vin) != LENGTH:
        raise DomainError(_("A VIN has 17 characters; this one has %(n)d.") % {"n": len(vin)},
                          field=field, code="vin_length")
    bad = sorted({c for c in vin if c not in VALUES})
    if bad:
        raise DomainError(_("A VIN uses digits and capital letters except I, O and Q; "
                            "%(chars)s is not allowed.") % {"chars": ", ".join(bad)},
                          field=field, code="vin_characters")
    expected = check_digit(vin)
    if vin[CHECK_POSITION] != expected:
        raise DomainError(_("The VIN's check digit (9th character) is %(given)s but should be "
                            "%(expected)s: a character was probably mistyped.")
                          % {"given": vin[CHECK_POSITION], "expected": expected},
                          field=field, code="vin_check_digit")
    return vin
