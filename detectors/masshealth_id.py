"""MassHealth (Massachusetts Medicaid) member IDs; domain rule 29.

Twelve digits, the same for life and not derived from the SSN, with no published check digit: they
count only with a MassHealth / Medicaid word nearby. Held by the district (school-based Medicaid
billing), a student's number is health information in the education record.
"""

from __future__ import annotations

from detectors.base import NUM_END, NUM_START, DistrictPattern, DistrictPatternRecognizer, Examples


class MassHealthIdRecognizer(DistrictPatternRecognizer):
    """MASSHEALTH_ID: twelve digits (unbroken or 4-4-4) beside a MassHealth / Medicaid word."""

    ENTITY = "MASSHEALTH_ID"
    PATTERNS = (
        DistrictPattern("masshealth", NUM_START + r"\d{12}" + NUM_END, 0.3, requires_context=True),
        DistrictPattern(
            "masshealth grouped", NUM_START + r"\d{4}([ -])\d{4}\1\d{4}" + NUM_END, 0.3, requires_context=True
        ),
    )
    CONTEXT = (
        "masshealth", "mass health", "medicaid", "medicaid id", "member id", "masshealth id", "evs", "mmis",
        "recipient id",
    )
    NEGATIVE_CONTEXT = (
        "phone", "tel", "fax", "invoice", "order", "tracking", "account", "acct", "card", "routing",
    )
    EXAMPLES = Examples(
        positives=(
            "MassHealth ID: [[100234567890]]",
            "Medicaid member [[1002 3456 7891]] - speech therapy billed",
            "EVS check for [[100987654321]] returned active",
            "Student Leo Brandt, MassHealth [[100555123456]], IEP related services",
        ),
        negatives=(
            "Invoice 100234567890 for therapy services",
            "MassHealth help line 1-800-555-0142",
            "MassHealth ID 10023456789",  # eleven digits
            "Tracking 021394321000 for the MassHealth mailer",  # the tracking word is nearer
            "Order 100234567890 placed",
        ),
    )
