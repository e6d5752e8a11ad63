"""The bulk checks of dlp.detect.checksums give the scalar validators' answers, value for value (synthetic data)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from detectors.aba_routing import AbaRoutingNumberRecognizer
from detectors.credit_card import PaymentCardRecognizer, luhn_ok
from detectors.iban import IBAN_LENGTHS, IbanCodeRecognizer
from detectors.us_bank_number import BankAccountRecognizer
from detectors.us_itin import ItinRecognizer
from detectors.us_ssn import VOID_SSNS, SsnRecognizer
from dlp.detect import checksums

RECOGNIZERS = {
    "US_SSN": SsnRecognizer,
    "US_ITIN": ItinRecognizer,
    "ABA_ROUTING_NUMBER": AbaRoutingNumberRecognizer,
    "CREDIT_CARD": PaymentCardRecognizer,
    "IBAN_CODE": IbanCodeRecognizer,
    "US_BANK_NUMBER": BankAccountRecognizer,
}


def _luhn_complete(body: str) -> str:
    """``body`` with the check digit that makes it pass Luhn."""
    return next(body + d for d in "0123456789" if luhn_ok(body + d))


def _iban_complete(country: str, bban: str) -> str:
    """A valid IBAN: the check digits computed the way ISO 13616 does."""
    number = int("".join(str(int(ch, 36)) for ch in bban + country + "00"))
    return f"{country}{98 - number % 97:02d}{bban}"


def _values(r: random.Random) -> list[str]:
    """Random and edge-case values of every shape the recognizers see (and some they never do)."""
    digits = "0123456789"
    out: list[str] = ["", "0", "-", " ", "--", "a", "ABCD", "١٢٣٤٥٦٧٨٩", "５２４７１３３９０"]
    for n in range(1, 24):
        out += ["".join(r.choice(digits) for _ in range(n)) for _ in range(60)]
        out += [d * n for d in digits]
        out += ["0123456789012345678901234"[s:s + n] for s in range(10)]
        out += ["9876543210987654321098765"[s:s + n] for s in range(10)]
    # Structured: SSN and ITIN forms, void numbers, area and middle edges.
    for _ in range(3000):
        area = r.choice([r.randint(0, 999), 0, 666, 665, 667, 899, 900, 999, 78, 219, 987])
        group = r.choice([r.randint(0, 99), 0, 50, 65, 66, 70, 88, 89, 93, 94, 99])
        serial = r.choice([r.randint(0, 9999), 0, 4320, 4329, 1120])
        sep = r.choice(["", "-", " ", "-", "x"])
        out.append(f"{area:03d}{sep}{group:02d}{sep}{serial:04d}")
    out += list(VOID_SSNS) + ["078-05-1120", "219 09 9999", "987-65-4320", "987654329", "987654330"]
    # Routing numbers: every prefix, valid and off-by-one checksums, dashed forms.
    for prefix in range(100):
        body = f"{prefix:02d}" + "".join(r.choice(digits) for _ in range(6))
        for d in digits:
            value = body + d
            out += [value, f"{value[:4]}-{value[4:8]}-{value[8]}", value[:5] + " " + value[5:]]
    # Cards: Luhn-valid numbers of every issuer prefix and length, grouped and not.
    for head in ("4", "51", "55", "56", "2221", "2720", "2721", "34", "37", "6011", "644", "649", "65", "3528",
                 "3589", "300", "305", "3095", "36", "38", "39", "62", "2200", "2204", "5018", "5019", "5020",
                 "5038", "5893", "6304", "6759", "6761", "6763", "6764", "9", "1", "7"):
        for length in range(11, 21):
            for _ in range(4):
                body = head + "".join(r.choice(digits) for _ in range(length - len(head) - 1))
                card = _luhn_complete(body)
                grouped = " ".join(card[i:i + 4] for i in range(0, len(card), 4))
                out += [card, card[:-1] + str((int(card[-1]) + 1) % 10), grouped]
    # IBANs: valid ones of every country, one digit off, grouped, lower case, a country at the wrong length.
    alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    for country, length in IBAN_LENGTHS.items():
        for _ in range(3):
            iban = _iban_complete(country, "".join(r.choice(alnum if r.random() < 0.3 else digits)
                                                   for _ in range(length - 4)))
            out += [iban, iban[:-1] + r.choice(digits), " ".join(iban[i:i + 4] for i in range(0, len(iban), 4)),
                    iban.lower(), iban + "0", iban[:-1], "-".join(iban[i:i + 4] for i in range(0, len(iban), 4))]
    out += ["XX82WEST12345698765432", "GB82WEST1234569876543!", "GB8AWEST12345698765432", "G1"]
    # Bank accounts: compact dates, ISBN-13s, counting runs.
    for _ in range(2000):
        y, m, d = r.randint(1890, 2110), r.randint(0, 13), r.randint(0, 32)
        out += [f"{y:04d}{m:02d}{d:02d}", f"{m:02d}{d:02d}{y:04d}"]
    out += ["20000229", "19000229", "20240229", "20230229", "02292000", "02291900"]
    for _ in range(1000):
        body = r.choice(["978", "979", "977"]) + "".join(r.choice(digits) for _ in range(9))
        out += [body + d for d in digits]
    return out


@pytest.mark.parametrize("entity", sorted(RECOGNIZERS))
def test_bulk_equals_scalar(entity: str) -> None:
    recognizer = RECOGNIZERS[entity]()
    values = _values(random.Random(f"checksums-{entity}"))
    mask = checksums.valid_mask(entity, values)
    assert mask is not None and mask.shape == (len(values),)
    scalar = []
    for value in values:
        try:
            scalar.append(recognizer.validate_result(value) is not False)
        except ValueError:  # a Unicode digit int() will not read: the bulk check leaves it undecided anyway
            scalar.append(True)
    wrong = [(v, bool(b), s) for v, b, s in zip(values, mask, scalar, strict=True) if v.isascii() and bool(b) != s]
    assert not wrong, wrong[:10]
    assert mask.sum() > 10 and (~mask).sum() > 10  # both answers occur
    assert all(mask[i] for i, v in enumerate(values) if not v.isascii())  # undecided, never refused


def test_an_entity_without_a_rule_has_no_bulk_check() -> None:
    assert checksums.valid_mask("MA_SASID", ["1012345678"]) is None
    assert checksums.valid_mask("US_SSN", []).shape == (0,)  # type: ignore[union-attr]


def test_values_are_cut_out_of_scanned_bytes() -> None:
    data = np.frombuffer(b"ssn 524-71-3390. id 4556737586899855 x", dtype=np.uint8)
    ends = np.array([16, 17, 36, 37], dtype=np.int64)  # reported with 0-2 consumed boundary characters
    real = checksums.last_digit_end(data, ends)
    assert real.tolist() == [15, 15, 36, 36]
    chars, lengths = checksums.cut(data, real[:1], 11)
    assert bytes(chars[0]) == b"524-71-3390" and lengths.tolist() == [11]
    chars, lengths = checksums.digit_run_before(data, real[2:3], 19)
    assert lengths.tolist() == [16] and bytes(chars[0][-16:]) == b"4556737586899855"
    assert checksums.check_matrix("CREDIT_CARD", chars, lengths).tolist() == [True]  # type: ignore[union-attr]
