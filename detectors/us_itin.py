"""US Individual Taxpayer Identification Numbers; domain rule 21 (severity as an SSN).

An ITIN is ``9XX-XX-XXXX`` whose fourth and fifth digits fall in 50-65, 70-88, 90-92 or 94-99. The
other 9xx middles (93 for ATINs, the IRSN ranges) are not ITINs and are left alone. Separators must be
consistent; nine bare digits count only with a tax-ID word nearby.
"""

from __future__ import annotations

from detectors.base import NUM_END, NUM_START, DistrictPattern, DistrictPatternRecognizer, Examples

_MIDDLE = r"(?:5\d|6[0-5]|7\d|8[0-8]|9[0-24-9])"


def is_valid_itin(digits: str) -> bool:
    """True for nine digits in the ITIN ranges (no checksum exists)."""
    if len(digits) != 9 or not digits.isdigit() or digits[0] != "9":
        return False
    middle = int(digits[3:5])
    in_range = 50 <= middle <= 65 or 70 <= middle <= 88 or 90 <= middle <= 92 or 94 <= middle <= 99
    # 987-65-4320 to 987-65-4329 are reserved for advertisements.
    return in_range and digits[5:] != "0000" and not digits.startswith("98765432")


class ItinRecognizer(DistrictPatternRecognizer):
    """US_ITIN in ``9XX-XX-XXXX`` / ``9XX XX XXXX`` form, or nine bare digits beside a tax-ID word."""

    ENTITY = "US_ITIN"
    REPLACES = ("UsItinRecognizer",)
    PATTERNS = (
        DistrictPattern("itin delimited", NUM_START + r"9\d{2}([- ])" + _MIDDLE + r"\1\d{4}" + NUM_END, 0.6),
        DistrictPattern(
            "itin bare", NUM_START + r"9\d{2}" + _MIDDLE + r"\d{4}" + NUM_END, 0.3, requires_context=True
        ),
    )
    CONTEXT = (
        "itin", "itins", "individual taxpayer", "taxpayer id", "taxpayer identification", "tax id", "tin",
        "w-7", "w7",
    )
    NEGATIVE_CONTEXT = (
        "phone", "tel", "fax", "invoice", "order", "po", "routing", "aba", "isbn", "barcode", "item",
        "serial", "part", "model", "tracking", "ticket", "session", "request",
    )
    EXAMPLES = Examples(
        positives=(
            "ITIN: [[912-70-3456]]",
            "Vendor W-9 lists taxpayer ID [[931 84 5120]].",
            "tax id [[955902187]] on file for the contractor",
            "Parent volunteer Lucia Ferreira, ITIN [[987-65-4433]], background check",
        ),
        negatives=(
            "ITIN: 912-93-3456",  # 93 is an ATIN, not an ITIN
            "ITIN: 912-40-3456",  # 40 is in no ITIN range
            "Sample ITIN 987-65-4321 from the brochure",  # reserved for advertisements
            "Invoice 912703456 for bus service",  # bare digits without a tax-ID word
            "ITIN 912-70 3456",  # mixed separators
            "Call 978-555-0142 after 3 pm",
            "Ship to 02139-4321",
        ),
    )

    def validate_result(self, pattern_text: str) -> bool | None:
        """ITIN ranges on the digits."""
        return is_valid_itin("".join(ch for ch in pattern_text if ch.isdigit()))
