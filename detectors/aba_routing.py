"""ABA routing transit numbers; domain rule 24.

Nine digits (or ``XXXX-XXXX-X``) whose first two digits are a Federal Reserve prefix (00-12, 21-32,
61-72, 80) and which pass the 3-7-1 checksum. One number in ten passes the checksum by chance, so a
routing word must be nearby.
"""

from __future__ import annotations

from detectors.base import NUM_END, NUM_START, DistrictPattern, DistrictPatternRecognizer, Examples

_PREFIXES = frozenset({*range(0, 13), *range(21, 33), *range(61, 73), 80})
_WEIGHTS = (3, 7, 1) * 3


def is_aba_routing(digits: str) -> bool:
    """True for nine digits with a valid Federal Reserve prefix and 3-7-1 checksum."""
    if len(digits) != 9 or not digits.isdigit() or int(digits[:2]) not in _PREFIXES:
        return False
    return sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 10 == 0


class AbaRoutingNumberRecognizer(DistrictPatternRecognizer):
    """ABA_ROUTING_NUMBER: a checksum-valid routing number beside a routing / ABA word."""

    ENTITY = "ABA_ROUTING_NUMBER"
    REPLACES = ("AbaRoutingRecognizer",)
    PATTERNS = (
        DistrictPattern("aba", NUM_START + r"\d{9}" + NUM_END, 0.4, requires_context=True),
        DistrictPattern("aba dashed", NUM_START + r"\d{4}-\d{4}-\d" + NUM_END, 0.4, requires_context=True),
    )
    # Labels as forms and exports write them: "ABA Routing", "Routing No.", "RTN", "Transit/ABA",
    # "Routing/Transit #", "R/T".
    CONTEXT = (
        "aba", "aba#", "aba no", "aba number", "aba routing", "aba rtn", "abartn", "routing", "routing number",
        "routing no", "routing nbr", "routing num", "routing #", "routing code", "routing/transit",
        "routing transit", "rtn", "rtn#", "rt#", "r/t", "rtg", "rtg no", "transit", "transit number",
        "transit no", "transit #", "bank routing", "fed routing", "bank aba",
    )
    NEGATIVE_CONTEXT = (
        "account number", "acct", "phone", "tel", "fax", "invoice", "order", "po", "ssn", "zip", "isbn",
        "barcode", "item", "serial", "tracking", "session", "request", "ticket",
    )
    EXAMPLES = Examples(
        positives=(
            "Routing number: [[011000015]]",
            "Direct deposit - ABA [[021000021]], checking",
            "RTN [[0110-0001-5]] for the district's payroll bank",
            "Bank routing #: [[215260185]]",
            "ABA Routing [[011000015]] / Account 4400187236",
            "Routing No. [[021000021]]",
            "Transit/ABA: [[011000015]]",
            "Bank: Eastern Bank  RTN [[011301798]]",
        ),
        negatives=(
            "Routing number: 011000016",  # checksum fails
            "Routing number 421042111",  # prefix 42 is not a Federal Reserve district
            "Reference 011000015 on the bus invoice",  # no routing word
            "Routing slip 617-555-0142",
            "Zip 02139-4321 routing",
            "Bus routing: order 011000015 for the Tuesday run",  # an order word is nearer
            "Transit pass barcode 021000021",
        ),
    )

    def validate_result(self, pattern_text: str) -> bool | None:
        """Prefix and 3-7-1 checksum."""
        return is_aba_routing(pattern_text.replace("-", ""))
