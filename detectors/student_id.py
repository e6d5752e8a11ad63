"""Local student numbers (LASID and the like) in the district's own format; domain rule 40.

The format is the district's: set ``student_id_patterns`` in the configuration. A configured regex
given as a string counts only with a student-ID word nearby; with no pattern configured the recognizer
finds nothing.
"""

from __future__ import annotations

from detectors.base import ConfiguredIdRecognizer, Examples


class StudentIdRecognizer(ConfiguredIdRecognizer):
    """STUDENT_ID: the district's configured student-number patterns, beside a student-ID word."""

    ENTITY = "STUDENT_ID"
    CONTEXT = (
        "student id", "student number", "student no", "student #", "student#", "lasid", "local id",
        "local student id", "stu id", "id number", "aspen id", "sis id", "student",
        # A school library's circulation lists its borrowers by their student numbers.
        "patron id", "patron #", "patron no", "patron number", "borrower id", "patron barcode",
    )
    NEGATIVE_CONTEXT = ("phone", "tel", "fax", "invoice", "order", "employee", "staff", "sasid", "state id")
    # An invented district format for the examples: six digits starting with 2 or 3.
    EXAMPLE_PATTERNS = (r"\b[23]\d{5}\b",)
    EXAMPLES = Examples(
        positives=(
            "Student ID: [[204518]]",
            "LASID [[318842]], Grade 4, Haggerty School",
            "student,id\nJonah Pierce [[230117]]",
            "Local ID [[299004]] withdrawn 06/2025",
            "Patron ID [[231870]], Charlotte's Web, due 10/14",
        ),
        negatives=(
            "Purchase order 204518 for library books",
            "Employee ID 204518",  # a staff number
            "Student ID: 104518",  # outside the district's format
            "Invoice 204518 for the buses",
            "SASID 1023456789",
        ),
    )
