"""US passport numbers.

Passport books carry 9 digits (older issues) or one letter and 8 digits (Next Generation books, since
2021). Neither form has a public check digit and both collide with other numbers (an MA license is
``S`` + 8 digits), so a passport word must be nearby.
"""

from __future__ import annotations

from detectors.base import NUM_END, NUM_START, DistrictPattern, DistrictPatternRecognizer, Examples


class UsPassportNumberRecognizer(DistrictPatternRecognizer):
    """US_PASSPORT: 9 digits or a letter and 8 digits, beside a passport word."""

    ENTITY = "US_PASSPORT"
    REPLACES = ("UsPassportRecognizer",)
    PATTERNS = (
        DistrictPattern("passport digits", NUM_START + r"\d{9}" + NUM_END, 0.3, requires_context=True),
        DistrictPattern("passport book", r"(?<![\w-])[A-Z]\d{8}" + NUM_END, 0.3, requires_context=True),
    )
    CONTEXT = (
        "passport", "passports", "passport#", "passport no", "passport number", "us passport",
        "travel document", "passport book",
    )
    NEGATIVE_CONTEXT = (
        "license", "lic", "dl", "rmv", "phone", "invoice", "order", "ssn", "routing", "account",
    )
    EXAMPLES = Examples(
        positives=(
            "Passport number: [[A12803456]]",
            "Chaperone Priya Nair, US passport [[567120934]], exp 2031",
            "passport#[[Z20481736]] (copy in the trip folder)",
            "Travel document [[C03005988]] for the Quebec exchange",
        ),
        negatives=(
            "Part A12803456 on the supply order",  # no passport word
            "Passport renewal fees: invoice 567120934",  # the invoice word is nearer
            "Driver's license S12345678 (passport not on file)",  # the license word is nearer
            "Passport number: A1280345",  # too short
            "Call 617-555-0142 about passports",
        ),
    )
