"""District employee numbers in the district's own format (personnel records, ``employee_id``).

The format is the district's: set ``employee_id_patterns`` in the configuration. A configured regex
given as a string counts only with an employee-ID word nearby; with no pattern configured the
recognizer finds nothing.
"""

from __future__ import annotations

from detectors.base import ConfiguredIdRecognizer, Examples


class EmployeeIdRecognizer(ConfiguredIdRecognizer):
    """EMPLOYEE_ID: the district's configured employee-number patterns, beside an employee-ID word."""

    ENTITY = "EMPLOYEE_ID"
    CONTEXT = (
        "employee id", "employee number", "employee no", "employee #", "emp id", "emp#", "emp no", "staff id",
        "staff number", "badge", "badge number", "payroll id", "personnel number", "employee",
    )
    NEGATIVE_CONTEXT = ("phone", "tel", "fax", "invoice", "order", "student", "lasid", "sasid", "mepid")
    # An invented district format for the examples: E followed by five digits.
    EXAMPLE_PATTERNS = (r"\bE\d{5}\b",)
    EXAMPLES = Examples(
        positives=(
            "Employee ID: [[E20451]]",
            "Staff ID [[E00917]] - custodian, night shift",
            "Badge [[E31288]] deactivated on 06/30",
            "emp#[[E40022]] payroll correction",
        ),
        negatives=(
            "Form E20451 is in the office",  # no employee word
            "Student ID E20451",  # a student word is nearer
            "Employee ID: E2045",  # too short for the district format
            "Invoice E20451 from the vendor",
        ),
    )
