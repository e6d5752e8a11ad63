"""Massachusetts State Assigned Student Identifiers (SASID); domain rule 27.

A SASID is 10 digits with no published check digit, so it counts only with a SASID or state-ID word
nearby. Phone numbers written 3-3-4 or ``(617) 555 0142`` never match, since only an unbroken run of
10 digits is a candidate; a phone word nearer than the SASID word drops the match.
"""

from __future__ import annotations

from detectors.base import NUM_END, NUM_START, DistrictPattern, DistrictPatternRecognizer, Examples


class MaSasidRecognizer(DistrictPatternRecognizer):
    """MA_SASID: ten unbroken digits beside a SASID / state student ID word."""

    ENTITY = "MA_SASID"
    PATTERNS = (DistrictPattern("sasid", NUM_START + r"\d{10}" + NUM_END, 0.3, requires_context=True),)
    CONTEXT = (
        "sasid", "sasids", "sasid#", "sasid no", "ma sasid", "state id", "state id#", "state id no",
        "state id number", "state student id", "state student number", "state student identifier",
        "state assigned student id", "state-assigned id", "state assigned id", "state identifier", "doe002",
        "student state id",
    )
    NEGATIVE_CONTEXT = (
        "phone", "tel", "telephone", "cell", "mobile", "fax", "call", "text", "contact number", "invoice",
        "order", "po", "account", "acct", "npi", "isbn", "barcode", "item", "serial", "tracking", "session",
        "request", "ticket", "timestamp", "epoch",
    )
    EXAMPLES = Examples(
        positives=(
            "SASID: [[1023456789]]",
            "Student: Amara Okafor, Grade 7, State ID [[1048820317]]",
            "sasid,last,first\n[[1099230184]],Nguyen,Linh",
            "DOE002 [[1000457732]] transferred from Somerville",
            "SASIDs [[1012345670]] and [[1012345689]] were merged",
            "SASID [[1023456789]], phone 6175550142",  # the phone word decides for the second number
            "SASID#[[1044412907]]",
            "State Student ID: [[1093328174]]",
            "MA SASID No. [[1012345678]]",
            # The label is said once, above a list of one student per line.
            "These students move to your section on Monday (name, SASID):\n\nJordan Alvarez ([[1034567891]])"
            " - grade 6, period 5\nOkafor, Farah ([[1045678912]]) - grade 11, period 3",
            "Moving to period 3 (name, SASID):\r\n\r\nJordan Alvarez ([[1034567891]])\r\nMaria Chen ([[1045678912]])",
        ),
        negatives=(
            "SASID: 617-555-0142",  # a phone number in 3-3-4 form
            "State ID help line (617) 555 0142",
            "Guardian cell 6175550142 (see SASID list)",  # the phone word is nearer than the SASID word
            "Invoice 1023456789 from the bus company",
            "Timestamp 1700000000 in the log",
            "SASID: 102345678",  # nine digits
            "Ship to 02139-4321",
            "State ID lookup: request 1023456789 failed",  # the request word is nearer
            "New SASIDs for the fall term are listed on the page below:\n\n\nRoute 4 (1045678912)",  # no list: 2 blanks
            "SASID pilot, parent phone list:\nJordan Alvarez (6175550142)",  # the phone word is nearer
        ),
    )
