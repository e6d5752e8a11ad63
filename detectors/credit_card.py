"""Payment card numbers (93H element (c)); domain rule 23.

12-19 digits that pass Luhn and start with a known issuer prefix whose card lengths include this one.
Luhn passes one random number in ten, and logs, catalogs and inventories are full of long digit runs
(session and request IDs, barcodes, serials), so the shape of the writing must also say "card": a
number written the way cards are printed (4-4-4-4, 4-6-5, one consistent separator) counts on its own;
an unbroken run counts only with a card word nearby (card, Visa, exp, CVV...). A nearer word for a
numbered thing (tracking, order, ISBN, serial, session, barcode...) drops either. Public test numbers
that processors publish (4111 1111 1111 1111 and friends) are flagged ``test_data`` and kept far below
the reporting threshold rather than counted.
"""

from __future__ import annotations

import re

from detectors.base import NUM_END, NUM_START, DistrictPattern, DistrictPatternRecognizer, Examples

# (lowest prefix, highest prefix, allowed lengths); prefixes compare on their own number of digits.
_ISSUERS: tuple[tuple[str, str, frozenset[int]], ...] = (
    ("4", "4", frozenset({13, 16, 19})),  # Visa
    ("51", "55", frozenset({16})),  # Mastercard
    ("2221", "2720", frozenset({16})),  # Mastercard 2-series
    ("34", "34", frozenset({15})),  # American Express
    ("37", "37", frozenset({15})),
    ("6011", "6011", frozenset({16, 19})),  # Discover
    ("644", "649", frozenset({16, 19})),
    ("65", "65", frozenset({16, 19})),
    ("3528", "3589", frozenset({16, 17, 18, 19})),  # JCB
    ("300", "305", frozenset({14, 16})),  # Diners Club
    ("3095", "3095", frozenset({14, 16})),
    ("36", "36", frozenset({14, 15, 16, 17, 18, 19})),
    ("38", "39", frozenset({14, 16})),
    ("62", "62", frozenset({16, 17, 18, 19})),  # UnionPay
    ("2200", "2204", frozenset({16, 17, 18, 19})),  # Mir
    ("5018", "5018", frozenset(range(12, 20))),  # Maestro
    ("5019", "5019", frozenset({16})),  # Dankort
    ("5020", "5020", frozenset(range(12, 20))),
    ("5038", "5038", frozenset(range(12, 20))),
    ("5893", "5893", frozenset(range(12, 20))),
    ("6304", "6304", frozenset(range(12, 20))),
    ("6759", "6759", frozenset(range(12, 20))),
    ("6761", "6763", frozenset(range(12, 20))),
)

# Numbers published by card networks and processors for testing; never a real customer's card.
TEST_CARD_NUMBERS = frozenset({
    "4111111111111111", "4012888888881881", "4222222222222", "4242424242424242", "4000056655665556",
    "4917610000000000", "4484070000000000", "4917300800000000", "4000000000000002",
    "5555555555554444", "5105105105105100", "5200828282828210", "2223003122003222", "2221000000000009",
    "378282246310005", "371449635398431", "378734493671000",
    "6011111111111117", "6011000990139424", "6011000400000000",
    "3530111333300000", "3566002020360505", "3528000700000000",
    "30569309025904", "38520000023237", "36227206271667",
    "6200000000000005", "6759649826438453", "5019717010103742",
})


def luhn_ok(digits: str) -> bool:
    """True when ``digits`` passes the Luhn mod-10 check."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def issuer_accepts(digits: str) -> bool:
    """True when a known issuer prefix covers ``digits`` and allows its length."""
    for low, high, lengths in _ISSUERS:
        head = digits[: len(low)]
        if low <= head <= high and len(digits) in lengths:
            return True
    return False


_FILLER_RUN = re.compile(r"(\d)\1{6,}")


def is_test_card(digits: str) -> bool:
    """True for a published test card number, or one built the way test numbers are.

    Processors publish many more test numbers than any list holds (6011000000000004,
    4000000000000077...). They share a shape no issued card has: a long run of one digit after the
    issuer prefix, or one short block repeated (5454545454545454).
    """
    if digits in TEST_CARD_NUMBERS:
        return True
    if _FILLER_RUN.search(digits[1:-1]):
        return True
    return any(digits == (digits[:n] * (len(digits) // n + 1))[: len(digits)] for n in (1, 2, 3, 4))


class PaymentCardRecognizer(DistrictPatternRecognizer):
    """CREDIT_CARD: Luhn-valid numbers with a matching issuer prefix and length; test cards flagged."""

    ENTITY = "CREDIT_CARD"
    REPLACES = ("CreditCardRecognizer",)
    PATTERNS = (
        # Unbroken digits are cards only beside a card word: one random 16-digit number in about forty
        # passes Luhn with a Visa or Mastercard prefix.
        DistrictPattern("card unbroken", NUM_START + r"\d{12,19}" + NUM_END, 0.3, requires_context=True),
        # 4-4-4-4 and its 13-19 digit cousins, one separator throughout.
        DistrictPattern(
            "card grouped", NUM_START + r"\d{4}([ -])\d{4}\1\d{4}(?:\1\d{1,4}){0,2}" + NUM_END, 0.6
        ),
        # 4-6-5 (American Express) and 4-6-4 (Diners).
        DistrictPattern("card 4-6-5", NUM_START + r"\d{4}([ -])\d{6}\1\d{4,5}" + NUM_END, 0.6),
    )
    CONTEXT = (
        "credit card", "card", "card number", "card no", "card #", "card nbr", "cc", "cc#", "cc no", "visa",
        "mastercard", "master card", "amex", "american express", "discover", "diners", "jcb", "debit card",
        "payment card", "p-card", "pcard", "procurement card", "purchasing card", "charge card", "exp",
        "expires", "expiration", "cvv", "cvc", "cvv2", "pan", "cardholder", "card holder", "paid by card",
    )
    NEGATIVE_CONTEXT = (
        "tracking", "ups", "fedex", "usps", "shipment", "invoice", "order", "po", "purchase order", "isbn",
        "barcode", "bar code", "upc", "ean", "sku", "item", "asset", "asset tag", "serial", "serial no",
        "s/n", "imei", "iccid", "sim", "phone", "record", "id", "uid", "uuid", "guid", "pid", "request",
        "session", "txn", "transaction", "transaction id", "trace", "ticket", "case", "reference", "ref",
        "confirmation", "timestamp", "epoch", "routing", "library card", "gift card",
    )
    EXAMPLES = Examples(
        positives=(
            "Visa [[4556 7375 8689 9855]] exp 04/27",
            "Card number: [[5425-2334-3010-9903]]",
            "Field trip deposit charged to Amex [[3782 491553 00186]]",
            "cc#[[6011098712435583]] declined?",
            "Paid by card [[4929382710479]] at the book fair",
            "P-Card: [[4556737586899855]] (exp 09/27)",
            "Cardholder Jane Roe, [[5425233430109903]]",
        ),
        negatives=(
            "Test checkout with card 4111 1111 1111 1111",  # public test number: flagged, not counted
            "Use 6011000000000004 in the training system",  # a processor's test number, shaped like one
            "Demo card 5454 5454 5454 5454 for the register",  # a repeated block
            "Card number 5425-2334-3010-9904",  # Luhn fails
            "Card 4556 7375-8689 9855",  # mixed separators
            "Card 9234567890123455",  # Luhn-valid but no issuer starts with 9
            "Tracking 1Z 4556737586899855",  # a tracking word nearer than any card word
            "Call 617-555-0142 ext 12",
            "Visa 45567375868986",  # a Visa prefix at a length Visa does not issue with this number
            "2024-06-11T10:02:11Z GET /api/items 200 req=4556737586899855 1.2ms",  # a request ID in a log
            "Paid with 4929382710479 at the book fair",  # unbroken digits and no card word
            "Item barcode 5425233430109903 The Giver / Lowry",
            "Session 4556 7375 8689 9855 expired",  # grouped, but a session word is nearer
            "Library card 4556737586899855 renewed",
        ),
    )

    def validate_result(self, pattern_text: str) -> bool | None:
        """Luhn, issuer prefix and length."""
        digits = "".join(ch for ch in pattern_text if ch.isdigit())
        return 12 <= len(digits) <= 19 and issuer_accepts(digits) and luhn_ok(digits)

    def flag(self, value: str) -> str | None:
        """Published test numbers are test data."""
        return "test_data" if is_test_card("".join(ch for ch in value if ch.isdigit())) else None
