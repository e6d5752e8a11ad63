"""The recognizers' checksums and structure rules over many values at once (numpy), for stage 1 and tables.

A log or a catalog holds tens of thousands of digit runs; calling a Python validator per run costs more than
finding them. Here each rule runs over a whole batch of candidate values as numpy array operations: the
values become one right-aligned matrix of ASCII codes (one row per value, zero-padded on the left), built
with one ``np.frombuffer`` over the joined values, and each rule returns one boolean per row.

The rules are those of the district recognizers' scalar validators (``validate_result`` in
``detectors/us_ssn.py``, ``us_itin.py``, ``aba_routing.py``, ``credit_card.py``, ``iban.py``,
``us_bank_number.py``), which stay the single source of truth: the tables of prefixes, issuers and lengths
are read from those modules, and ``tests/detect/test_checksums.py`` holds the two to the same answers on
many thousands of random and edge-case values. Two entry points:

- :func:`valid_mask` (tables, tests): an entity and a sequence of strings;
- :func:`check_matrix` (stage 1 in :mod:`dlp.detect.fast`): an entity and a matrix already cut out of the
  scanned bytes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

Mask = npt.NDArray[np.bool_]
Chars = npt.NDArray[np.uint8]
Lengths = npt.NDArray[np.int64]

_ZERO, _NINE, _A, _Z = ord("0"), ord("9"), ord("A"), ord("Z")


def char_matrix(values: Sequence[str]) -> tuple[Chars, Lengths, Mask]:
    """(chars, lengths, ascii): the values' ASCII codes right-aligned in one uint8 matrix, 0 on the left.

    ``ascii`` is False for a value with a character outside ASCII; such a character becomes ``?`` here
    (the scalar validators read Unicode digits as digits, so callers leave those rows undecided).
    """
    lengths = np.fromiter((len(v) for v in values), dtype=np.int64, count=len(values))
    joined = "".join(values)
    data = np.frombuffer(joined.encode("ascii", "replace"), dtype=np.uint8)
    ascii_ok = np.ones(len(values), dtype=bool) if joined.isascii() else np.fromiter(
        (v.isascii() for v in values), dtype=bool, count=len(values))
    width = int(lengths.max(initial=0))
    chars = np.zeros((len(values), max(width, 1)), dtype=np.uint8)
    if len(data):
        row = np.repeat(np.arange(len(values)), lengths)
        starts = np.cumsum(lengths) - lengths
        chars[row, width - lengths[row] + np.arange(len(data)) - starts[row]] = data
    return chars, lengths, ascii_ok


def _filled(chars: Chars, lengths: Lengths) -> Mask:
    """Which cells of a right-aligned matrix hold a character of the value (not left padding)."""
    width = chars.shape[1]
    return np.arange(width)[None, :] >= (width - lengths)[:, None]


def _keep(chars: Chars, lengths: Lengths, wanted: Mask) -> tuple[Chars, Lengths]:
    """Only the ``wanted`` characters of each row, in order, right-aligned again (the rest become padding)."""
    wanted = wanted & _filled(chars, lengths)
    # A stable sort on the flag puts each row's unwanted cells first and its wanted ones after, in order.
    order = np.argsort(wanted, axis=1, kind="stable")
    kept = np.take_along_axis(chars, order, axis=1)
    count = wanted.sum(axis=1).astype(np.int64)
    kept[~_filled(kept, count)] = 0
    return kept, count


def _digits(chars: Chars, lengths: Lengths) -> tuple[npt.NDArray[np.int64], Lengths]:
    """The digits of each value (every other character dropped) as numbers 0-9, right-aligned, 0 on the left."""
    kept, count = _keep(chars, lengths, (chars >= _ZERO) & (chars <= _NINE))
    digits = kept.astype(np.int64) - _ZERO
    digits[~_filled(kept, count)] = 0
    return digits, count


def _all_digits(chars: Chars, lengths: Lengths) -> Mask:
    """Whether every character of each value is an ASCII digit (an empty value: no)."""
    digit = (chars >= _ZERO) & (chars <= _NINE)
    return (digit | ~_filled(chars, lengths)).all(axis=1) & (lengths > 0)


def _number(digits: npt.NDArray[np.int64], first: int, last: int) -> npt.NDArray[np.int64]:
    """The number written by columns ``first`` to ``last - 1`` of a digit matrix."""
    out = np.zeros(digits.shape[0], dtype=np.int64)
    for col in range(first, last):
        out = out * 10 + digits[:, col]
    return out


def _leading(digits: npt.NDArray[np.int64], count: Lengths, n: int) -> npt.NDArray[np.int64]:
    """The number written by the first ``n`` digits of each right-aligned value (values are >= n long)."""
    width = digits.shape[1]
    cols = np.clip((width - count)[:, None] + np.arange(n)[None, :], 0, width - 1)
    return _number(np.take_along_axis(digits, cols, axis=1), 0, n)


def _nine(chars: Chars, lengths: Lengths) -> tuple[npt.NDArray[np.int64], Mask]:
    """The last nine digit columns (width padded to nine) and whether the value has exactly nine digits."""
    digits, count = _digits(chars, lengths)
    if digits.shape[1] < 9:
        digits = np.pad(digits, ((0, 0), (9 - digits.shape[1], 0)))
    return digits[:, -9:], count == 9


def ssn_ok(chars: Chars, lengths: Lengths) -> Mask:
    """``detectors.us_ssn.is_valid_ssn`` on each value's digits (area, group, serial, void, one repeated digit)."""
    from detectors.us_ssn import VOID_SSNS

    d, nine = _nine(chars, lengths)
    area, group, serial = _number(d, 0, 3), _number(d, 3, 5), _number(d, 5, 9)
    whole = _number(d, 0, 9)
    ok = nine & (area != 0) & (area != 666) & (d[:, 0] != 9) & (group != 0) & (serial != 0)
    ok &= ~np.isin(whole, np.array(sorted(int(v) for v in VOID_SSNS), dtype=np.int64))
    return ok & (d != d[:, :1]).any(axis=1)


def itin_ok(chars: Chars, lengths: Lengths) -> Mask:
    """``detectors.us_itin.is_valid_itin`` on each value's digits (9xx, the middle's ranges, serial)."""
    d, nine = _nine(chars, lengths)
    middle = _number(d, 3, 5)
    in_range = (((middle >= 50) & (middle <= 65)) | ((middle >= 70) & (middle <= 88))
                | ((middle >= 90) & (middle <= 92)) | (middle >= 94))
    return nine & (d[:, 0] == 9) & in_range & (_number(d, 5, 9) != 0) & (_number(d, 0, 8) != 98765432)


@functools.cache
def _aba_prefixes() -> npt.NDArray[np.bool_]:
    from detectors.aba_routing import _PREFIXES

    table = np.zeros(100, dtype=bool)
    table[sorted(_PREFIXES)] = True
    return table


def aba_ok(chars: Chars, lengths: Lengths) -> Mask:
    """``detectors.aba_routing`` validation: the value without dashes is nine digits, a Federal Reserve prefix
    and a 3-7-1 checksum."""
    kept, count = _keep(chars, lengths, chars != ord("-"))
    d, nine = _nine(kept, count)
    ok = nine & _all_digits(kept, count)
    total = (d * np.array([3, 7, 1] * 3, dtype=np.int64)).sum(axis=1)
    return ok & _aba_prefixes()[_number(d, 0, 2)] & (total % 10 == 0)


def luhn_ok(digits: npt.NDArray[np.int64]) -> Mask:
    """Luhn mod 10 over right-aligned digit rows (padding zeros add nothing)."""
    doubled = np.array([0, 2, 4, 6, 8, 1, 3, 5, 7, 9], dtype=np.int64)
    from_right = np.arange(digits.shape[1])[::-1]
    weighted = np.where(from_right % 2 == 1, doubled[digits], digits)
    return weighted.sum(axis=1) % 10 == 0


@functools.cache
def _issuers() -> tuple[tuple[int, int, int, npt.NDArray[np.bool_]], ...]:
    """(prefix digits, lowest, highest, allowed lengths as a 20-entry table) per card issuer."""
    from detectors.credit_card import _ISSUERS

    out = []
    for low, high, lengths in _ISSUERS:
        table = np.zeros(20, dtype=bool)
        table[[n for n in lengths if n < 20]] = True
        out.append((len(low), int(low), int(high), table))
    return tuple(out)


def card_ok(chars: Chars, lengths: Lengths) -> Mask:
    """``detectors.credit_card`` validation on each value's digits: 12-19 of them, an issuer that allows the
    length, Luhn."""
    digits, count = _digits(chars, lengths)
    ok = (count >= 12) & (count <= 19)
    if not ok.any():
        return ok
    heads = {n: _leading(digits, count, n) for n in (1, 2, 3, 4)}
    size = np.clip(count, 0, 19)
    issued = np.zeros(len(count), dtype=bool)
    for n, low, high, allowed in _issuers():
        issued |= (heads[n] >= low) & (heads[n] <= high) & allowed[size]
    return ok & issued & luhn_ok(digits)


@functools.cache
def _iban_lengths() -> npt.NDArray[np.int64]:
    from detectors.iban import IBAN_LENGTHS

    table = np.zeros(26 * 26, dtype=np.int64)
    for code, length in IBAN_LENGTHS.items():
        table[(ord(code[0]) - _A) * 26 + ord(code[1]) - _A] = length
    return table


def iban_ok(chars: Chars, lengths: Lengths) -> Mask:
    """``detectors.iban.is_valid_iban``: spaces and dashes dropped, upper case, country, length, mod 97."""
    kept, count = _keep(chars, lengths, (chars != ord(" ")) & (chars != ord("-")))
    kept = np.where((kept >= ord("a")) & (kept <= ord("z")), kept - 32, kept).astype(np.uint8)
    width = kept.shape[1]
    # Left-aligned, so that column j is the value's j-th character.
    cols = np.clip((width - count)[:, None] + np.arange(width)[None, :], 0, width - 1)
    left = np.take_along_axis(kept, cols, axis=1)
    inside = np.arange(width)[None, :] < count[:, None]
    digit = (left >= _ZERO) & (left <= _NINE)
    letter = (left >= _A) & (left <= _Z)
    if width < 5:
        return np.zeros(len(count), dtype=bool)
    shape = (letter[:, 0] & letter[:, 1] & digit[:, 2] & digit[:, 3] & (count >= 5)
             & ((digit | letter) | ~inside).all(axis=1))
    code = np.where(shape, (left[:, 0].astype(np.int64) - _A) * 26 + left[:, 1] - _A, 0)
    ok = shape & (_iban_lengths()[code] == count)
    # Mod 97 of the rearranged value (characters 4.. then 0-3), letters read as 10-35, one column at a time.
    value = np.where(digit, left.astype(np.int64) - _ZERO, left.astype(np.int64) - _A + 10)
    rest = np.zeros(len(count), dtype=np.int64)
    rows = np.arange(len(count))
    for j in range(int(count[ok].max(initial=0))):
        source = np.where(j < count - 4, j + 4, j - (count - 4))
        active = ok & (j < count)
        v = value[rows, np.clip(source, 0, width - 1)]
        rest = np.where(active, (rest * np.where(v >= 10, 100, 10) + v) % 97, rest)
    return ok & (rest == 1)


def _calendar(year: npt.NDArray[np.int64], month: npt.NDArray[np.int64], day: npt.NDArray[np.int64]) -> Mask:
    """A real date with a year in 1900-2099 (``detectors._numbers._real_date``)."""
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)[np.clip(month, 0, 12)]
    days = days + ((month == 2) & leap)
    return (year >= 1900) & (year <= 2099) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= days)


def bank_ok(chars: Chars, lengths: Lengths) -> Mask:
    """``detectors.us_bank_number`` validation: not ``detectors._numbers.numbers_a_thing`` (a run of one
    character, a counting run, a compact date, an ISBN-13)."""
    filled = _filled(chars, lengths)
    same = ((chars == chars[:, -1:]) | ~filled).all(axis=1) & (lengths > 0)
    digits = _all_digits(chars, lengths)
    d = np.where(filled, chars.astype(np.int64) - _ZERO, 0)
    # A counting run is a substring of "0123456789" twice over (or its reverse): each step is +1 (-1) mod 10,
    # and it fits in those 20 characters from where its first digit stands.
    step = (d[:, 1:] - d[:, :-1]) % 10
    between = filled[:, 1:] & filled[:, :-1]
    first = _leading(d, lengths, 1)
    up = ((step == 1) | ~between).all(axis=1) & (first + lengths <= 20)
    down = ((step == 9) | ~between).all(axis=1) & (9 - first + lengths <= 20)
    counting = digits & (lengths >= 6) & (up | down)
    eight = digits & (lengths == 8)
    if d.shape[1] < 13:
        d = np.pad(d, ((0, 0), (13 - d.shape[1], 0)))
    e = d[:, -8:]
    date = eight & (_calendar(_number(e, 0, 4), _number(e, 4, 6), _number(e, 6, 8))
                    | _calendar(_number(e, 4, 8), _number(e, 0, 2), _number(e, 2, 4)))
    t = d[:, -13:]
    total = (t[:, :12] * np.array([1, 3] * 6, dtype=np.int64)).sum(axis=1)
    isbn = digits & (lengths == 13) & np.isin(_number(t, 0, 3), [978, 979]) & ((10 - total % 10) % 10 == t[:, 12])
    return ~(same | counting | date | isbn)


# Per entity, the rule its district recognizer's validate_result applies to a value.
CHECKS: dict[str, Callable[[Chars, Lengths], Mask]] = {
    "US_SSN": ssn_ok,
    "US_ITIN": itin_ok,
    "ABA_ROUTING_NUMBER": aba_ok,
    "CREDIT_CARD": card_ok,
    "IBAN_CODE": iban_ok,
    "US_BANK_NUMBER": bank_ok,
}


def check_matrix(entity: str, chars: Chars, lengths: Lengths) -> Mask | None:
    """The entity's rule over a right-aligned ASCII matrix (see :func:`char_matrix`), or None if it has none."""
    check = CHECKS.get(entity)
    if check is None or not len(lengths):
        return None if check is None else np.zeros(0, dtype=bool)
    return check(chars, lengths)


def valid_mask(entity: str, values: Sequence[str]) -> Mask | None:
    """Which values pass the validation of the district recognizer of ``entity``, all at once.

    For tables: a column of thousands of cells is validated in one call instead of one Python call per cell.
    Returns one bool per value, or None when the entity has no bulk check (no checksum or structure rule:
    SASIDs, phone numbers, dates of birth... ask the recognizer). True means exactly what
    ``recognizer.validate_result(value) is not False`` means, with one exception: a value with a character
    outside ASCII is always True here (undecided; the scalar validators read Unicode digits as digits), so
    run the recognizer on those. False is always final: the recognizer would refuse the value.
    """
    if entity not in CHECKS:
        return None
    if not values:
        return np.zeros(0, dtype=bool)
    chars, lengths, ascii_ok = char_matrix(values)
    mask = CHECKS[entity](chars, lengths)
    return mask | ~ascii_ok


def cut(data: Chars, ends: npt.NDArray[np.int64], width: int) -> tuple[Chars, Lengths]:
    """The ``width`` bytes before each end, right-aligned (0 where an end is closer than that to the start)."""
    index = ends[:, None] - width + np.arange(width)[None, :]
    chars = data[np.clip(index, 0, max(len(data) - 1, 0))]
    chars[index < 0] = 0
    return chars, np.minimum(ends, width).astype(np.int64)


def digit_run_before(data: Chars, ends: npt.NDArray[np.int64], longest: int) -> tuple[Chars, Lengths]:
    """The run of ASCII digits ending at each end, right-aligned (at most ``longest + 1`` digits are looked at).

    A row whose run is longer than ``longest`` comes back with length ``longest + 1``.
    """
    chars, lengths = cut(data, ends, longest + 1)
    digit = (chars >= _ZERO) & (chars <= _NINE) & _filled(chars, lengths)
    # Digits counted from the right until the first non-digit.
    run = np.cumprod(digit[:, ::-1], axis=1).sum(axis=1).astype(np.int64)
    chars[~_filled(chars, run)] = 0
    return chars, run


def last_digit_end(data: Chars, ends: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Each end moved back past at most two non-digits to just after a digit (-1: no digit there).

    Stage 1 reports a numeric candidate's end with the boundary it consumed (``dlp.detect.terms.hs_expression``):
    none at the end of the text, one character that is no digit, or a ``.``/``,``/``/`` and one that is no digit.
    """
    out = np.full(len(ends), -1, dtype=np.int64)
    for back in (2, 1, 0):
        at = ends - back - 1
        ok = at >= 0
        byte = data[np.clip(at, 0, max(len(data) - 1, 0))]
        out = np.where(ok & (byte >= _ZERO) & (byte <= _NINE), ends - back, out)
    return out

