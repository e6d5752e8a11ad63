"""Massachusetts driver's license and Mass ID numbers (93H element (b)); domain rule 22.

The RMV issues ``S`` + 8 digits or ``SA`` + 7 digits; older licenses carry 9 digits. The letter forms
score below the reporting threshold alone (a part or order number can look the same) and above it with
a license word nearby; 9 bare digits count only with a license word. "lic" matches as a whole word, so
"public" does not count.
"""

from __future__ import annotations

from detectors.base import NUM_END, NUM_START, DistrictPattern, DistrictPatternRecognizer, Examples


class MaDriverLicenseRecognizer(DistrictPatternRecognizer):
    """US_DRIVER_LICENSE in the MA forms ``S########``, ``SA#######`` and (with context) 9 digits."""

    ENTITY = "US_DRIVER_LICENSE"
    REPLACES = ("UsLicenseRecognizer",)
    PATTERNS = (
        DistrictPattern("ma license letter", r"(?<![\w-])S(?:A\d{7}|\d{8})" + NUM_END, 0.4),
        DistrictPattern("ma license digits", NUM_START + r"\d{9}" + NUM_END, 0.3, requires_context=True),
    )
    # Labels as HR and transportation exports write them: "CDL / MA DL", "License #", "Lic No",
    # "Operator License", "MA DL #".
    CONTEXT = (
        "license", "licence", "license no", "license nbr", "license #", "lic", "lic#", "lic no", "lic nbr",
        "driver's license", "drivers license", "driver license", "driving license", "driver's lic",
        "drivers lic", "driver lic", "dl", "dl#", "dl no", "dl nbr", "dln", "ma dl", "mass dl", "cdl",
        "cdl#", "cdl no", "rmv", "massachusetts id", "mass id", "ma id", "liquor id", "id card",
        "operator's license", "operators license", "operator license", "learner's permit",
        "learners permit", "learner permit",
    )
    NEGATIVE_CONTEXT = (
        "phone", "tel", "fax", "invoice", "order", "po", "routing", "aba", "ssn", "social security", "isbn",
        "barcode", "item", "serial", "part", "tracking", "session", "request", "ticket",
    )
    EXAMPLES = Examples(
        positives=(
            "Driver's license: [[S12345678]]",
            "MA DL [[SA1234567]] exp 2027",
            "Bus driver Marcus Lee, Lic. [[S98765432]], CDL class B",
            "License number [[123456789]] (legacy Massachusetts format)",
            "RMV record for [[s20481736]] updated",
            "CDL / MA DL: [[S31457102]]",
            "Operator License [[SA7654321]], class D",
            "Lic No. [[S44210398]] exp 03/2028",
            "MA DL # [[012345678]]",
        ),
        negatives=(
            "Public library card 123456789 expires in June",  # "lic" inside "public" is no license word
            "Part S12345678 is back-ordered",  # letter form with no license word
            "License number S1234567",  # one digit short
            "Invoice 123456789 for textbooks",
            "Call 617-555-0142 about the permit",
            "Ship to 02139-4321",
            "Account S123456789X",
            "Serial S12345678 (Epson projector)",
            "Item S44210398, license: CC BY 4.0",  # the item word is nearer than the license word
        ),
    )
