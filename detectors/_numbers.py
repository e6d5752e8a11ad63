"""Digit strings that number things, not people or accounts: dates, ISBNs, filler and counting runs.

Shared by the recognizers whose values have no checksum of their own (bank accounts) or whose checksum
passes one random number in ten (cards): such a value is refused when its digits are, by their shape, a
calendar date, an ISBN-13 / Bookland EAN, or a placeholder ("000000000", "123456789"). The module name
starts with ``_`` so that recognizer discovery skips it.
"""

from __future__ import annotations

import datetime as dt

_ASCENDING = "01234567890123456789"
_DESCENDING = "98765432109876543210"


def gtin_ok(digits: str) -> bool:
    """True when ``digits`` (an EAN-8, UPC-A, EAN-13 or GTIN-14) carries a valid GS1 check digit."""
    if len(digits) not in (8, 12, 13, 14) or not digits.isdigit():
        return False
    # Weights 3 and 1 alternate from the digit left of the check digit.
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits[:-1])))
    return (10 - total % 10) % 10 == int(digits[-1])


def is_isbn13(digits: str) -> bool:
    """True for a 13-digit ISBN (Bookland EAN: prefix 978 or 979) with a valid check digit."""
    return len(digits) == 13 and digits[:3] in ("978", "979") and gtin_ok(digits)


def is_isbn10(text: str) -> bool:
    """True for a 10-character ISBN (nine digits and a digit or X) whose mod-11 check holds."""
    value = text.upper()
    if len(value) != 10 or not value[:9].isdigit() or not (value[9].isdigit() or value[9] == "X"):
        return False
    total = sum((10 - i) * (10 if ch == "X" else int(ch)) for i, ch in enumerate(value))
    return total % 11 == 0


def _real_date(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return 1900 <= year <= 2099


def is_compact_date(digits: str) -> bool:
    """True for eight digits that read as a calendar date, ``YYYYMMDD`` or ``MMDDYYYY`` (years 1900-2099).

    Changelogs, file names and exports write dates this way ("20220604"); about 0.15% of random
    8-digit numbers read as one, a small price for an account number.
    """
    if len(digits) != 8 or not digits.isdigit():
        return False
    return _real_date(int(digits[:4]), int(digits[4:6]), int(digits[6:])) or _real_date(
        int(digits[4:]), int(digits[:2]), int(digits[2:4])
    )


def is_filler(digits: str) -> bool:
    """True for a run of one digit ("000000") or a counting run ("123456789", "987654321")."""
    if len(set(digits)) == 1:
        return True
    return len(digits) >= 6 and (digits in _ASCENDING or digits in _DESCENDING)


def numbers_a_thing(digits: str) -> bool:
    """True when a digit string is, by its shape alone, a date, an ISBN-13 or a placeholder."""
    return is_filler(digits) or is_compact_date(digits) or is_isbn13(digits)
