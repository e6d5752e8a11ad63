"""US Social Security numbers (M.G.L. c. 93H element (a)); domain rule 20.

SSNs have no checksum, so validity is structural: area not 000, 666 or 900-999 (those are ITINs and
advertising numbers), group not 00, serial not 0000, not a known void number, not one repeated digit.
Separators must be consistent: all dashes, all spaces, or none; nine bare digits count only with an
SSN word nearby. Area ceilings from before 2011 are not applied: assignment has been random since.
"""

from __future__ import annotations

from detectors.base import NUM_END, NUM_START, DistrictPattern, DistrictPatternRecognizer, Examples

# Published or widely misused numbers that never belonged to anyone (the Woolworth wallet card, the
# 1990s advertisement) plus the keyboard run.
VOID_SSNS = frozenset({"078051120", "219099999", "123456789"})


def is_valid_ssn(digits: str) -> bool:
    """True for nine digits that the SSA could have issued (no checksum exists)."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        return False
    return digits not in VOID_SSNS and len(set(digits)) > 1


class SsnRecognizer(DistrictPatternRecognizer):
    """US_SSN in ``AAA-GG-SSSS``, ``AAA GG SSSS`` or (with an SSN word) nine bare digits."""

    ENTITY = "US_SSN"
    REPLACES = ("UsSsnRecognizer",)
    PATTERNS = (
        # The backreference keeps the two separators identical: "078-05 1120" is not an SSN.
        DistrictPattern("ssn delimited", NUM_START + r"\d{3}([- ])\d{2}\1\d{4}" + NUM_END, 0.6),
        DistrictPattern("ssn bare", NUM_START + r"\d{9}" + NUM_END, 0.3, requires_context=True),
    )
    CONTEXT = (
        "ssn", "ssns", "ss#", "ss #", "ssn#", "ssn no", "social security", "social security number",
        "social security no", "social security #", "soc sec", "soc sec #", "soc sec no", "social sec",
        "ss no", "ss number", "taxpayer id", "tax id",
    )
    NEGATIVE_CONTEXT = (
        "phone", "tel", "fax", "invoice", "order", "po", "zip", "routing", "aba", "account", "isbn",
        "barcode", "item", "serial", "part", "model", "tracking", "ticket", "session", "request",
    )
    EXAMPLES = Examples(
        positives=(
            "SSN: [[524-71-3390]]",
            "Employee Dana Whitfield, social security number [[431 56 2207]], hired 2019.",
            "ssn#[[372649105]] on the W-4",
            "Payroll file row: Ortiz, Ramon, [[601-23-4488]], Step 4",
            "Social Security No. [[078-05-1121]] (valid area 078)",
        ),
        negatives=(
            "SSN: 078-05-1120",  # the Woolworth wallet card
            "SSN 219-09-9999",  # the void advertising number
            "SSN: 666-12-3456",  # area 666 is never issued
            "SSN: 912-70-3456",  # a 9xx area is an ITIN, not an SSN
            "SSN 524-00-3390 and 524-71-0000",  # zero group, zero serial
            "Call 617-555-0142 about the field trip",
            "Ship to Cambridge MA 02139-4321",
            "Invoice 372649105 is due",  # nine digits without an SSN word
            "SSN 524-71 3390",  # mixed separators
            "Order number 111-11-1111",
            "Part 524-71-3390 (hinge, left)",
        ),
    )

    def validate_result(self, pattern_text: str) -> bool | None:
        """Structural SSN rules on the digits."""
        return is_valid_ssn("".join(ch for ch in pattern_text if ch.isdigit()))
