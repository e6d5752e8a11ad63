"""Massachusetts Education Personnel Identifiers (MEPID); domain rule 28.

DESE assigns every educator an 8-digit MEPID through EPIMS/ELAR; no check digit is known, so the
number counts only with an MEPID, EPIMS or ELAR word nearby. It marks a personnel record (staff
identifier), not 93H personal information.
"""

from __future__ import annotations

from detectors.base import NUM_END, NUM_START, DistrictPattern, DistrictPatternRecognizer, Examples


class MaMepidRecognizer(DistrictPatternRecognizer):
    """MA_MEPID: eight unbroken digits beside an MEPID / EPIMS / ELAR word."""

    ENTITY = "MA_MEPID"
    PATTERNS = (DistrictPattern("mepid", NUM_START + r"\d{8}" + NUM_END, 0.3, requires_context=True),)
    CONTEXT = (
        "mepid", "mepids", "mepid#", "mepid no", "epims", "epims id", "elar", "educator id", "educator #",
        "ma educator", "ma educator id", "state educator id", "state staff id", "personnel id",
    )
    NEGATIVE_CONTEXT = (
        "phone", "tel", "fax", "invoice", "order", "po", "account", "acct", "license", "isbn", "barcode",
        "item", "serial", "tracking", "session", "request", "ticket",
    )
    EXAMPLES = Examples(
        positives=(
            "MEPID: [[10234567]]",
            "Teacher Rosa Delgado (MEPID [[20481736]]) licensed in ELA",
            "EPIMS export: [[30092214]], Chen, Wei, Grade 5 teacher",
            "ELAR profile [[11122233]] needs renewal",
            "Educator ID (MEPID): [[40218876]]",
            "MA Educator ID [[31207754]]",
            "MEPID # [[10982231]]",
        ),
        negatives=(
            "Purchase order 10234567 for classroom supplies",
            "Staff meeting moved to 20240115 in room 204",  # a date written as 8 digits
            "The EPIMS October report is due; employee count rose to 10234567 by mistake in cell B2",
            "MEPID: 1023456",  # seven digits
            "Call 617-555-0142 for EPIMS help",
            "ZIP 02139-4321",
            "EPIMS upload: order 10234567 of supplies",  # the order word is nearer
        ),
    )
