"""North American phone numbers (PHONE_NUMBER), in the ways districts write them.

Presidio's phone recognizer asks libphonenumber about eight regions for every candidate and spends
about 12% of Presidio's time doing it (research/perf.md); it also drops the 555-01xx numbers the NANP
reserves for fiction, which is exactly what test data uses. A phone number is contact information
(a data category), not 93H personal information, so a strict format check is enough here: a NANP
area code and exchange (first digit 2-9), separators used consistently.
"""

from __future__ import annotations

from detectors.base import NUM_END, NUM_START, DistrictPattern, DistrictPatternRecognizer, Examples

_AREA = r"[2-9]\d{2}"
_EXCHANGE = r"[2-9]\d{2}"


class NanpPhoneRecognizer(DistrictPatternRecognizer):
    """PHONE_NUMBER: (617) 555-0142, 617-555-0142, 617.555.0142, +1 617 555 0142."""

    ENTITY = "PHONE_NUMBER"
    PATTERNS = (
        DistrictPattern("paren", r"(?<![\w(])(?:\+?1[ .-]?)?\(" + _AREA + r"\)[ ]?" + _EXCHANGE + r"[-. ]\d{4}"
                        + NUM_END, 0.6),
        DistrictPattern("dash", NUM_START + r"(?:\+?1-)?" + _AREA + "-" + _EXCHANGE + r"-\d{4}" + NUM_END, 0.6),
        DistrictPattern("dot", NUM_START + r"(?:\+?1\.)?" + _AREA + r"\." + _EXCHANGE + r"\.\d{4}" + NUM_END, 0.55),
        DistrictPattern("space", NUM_START + r"(?:\+?1 )?" + _AREA + " " + _EXCHANGE + r" \d{4}" + NUM_END, 0.4),
        DistrictPattern("bare", NUM_START + _AREA + _EXCHANGE + r"\d{4}" + NUM_END, 0.2, requires_context=True),
    )
    CONTEXT = ("phone", "telephone", "tel", "cell", "mobile", "call", "text", "fax", "contact", "home",
               "work", "emergency", "guardian phone", "parent phone", "ph")
    NEGATIVE_CONTEXT = ("sasid", "ssn", "account", "acct", "routing", "invoice", "order", "isbn", "student id",
                        "mepid", "license")
    REPLACES = ("PhoneRecognizer",)
    NAME_ANCHOR = False  # a phone number does not make a name beside it matter (signatures, contact lists)
    EXAMPLES = Examples(
        positives=(
            "Guardian phone [[617-555-0142]].",
            "Call the office at [[(617) 555-0178]] before noon",
            "cell: [[978.555.0136]]",
            "Emergency contact [[857 555 0139]]",
            "Phone: [[6175550142]]",
        ),
        negatives=(
            "SASID 1012345678 on file",
            "Invoice 617-055-0142 is overdue",  # exchange starts with 0
            "ISBN 978-555-01423",
            "Order number 6175550142 shipped",
            "SSN 284-73-9165",
        ),
    )
