"""Classification as one table: a text, the findings the detectors would report in it, and the labels.

Each row names its findings by the words they cover, so a row reads as the document it stands for. Adding
a case is adding a row; the scenarios that need hand-made locators or subjects stay in test_classify.py.
All people and numbers are invented.
"""

from __future__ import annotations

import pytest

from dlp.policy.classify import classify
from dlp.types import Document, Finding, Part

# (case, text, [(entity, covered words)], expected labels)
CASES: list[tuple[str, str, list[tuple[str, str]], tuple[str, ...]]] = [
    ("name and SSN together are 93H PI",
     "Payroll change for Dana Whitfield, SSN 512-48-7793, effective March.",
     [("PERSON", "Dana Whitfield"), ("US_SSN", "512-48-7793")], ("EMPLOYEE_PII", "MA_PI")),
    ("an SSN alone is no 93H PI",
     "Reference number 512-48-7793 was filed.",
     [("US_SSN", "512-48-7793")], ()),
    ("name and driver's license",
     "Driver: Marco Ruiz, Massachusetts license S12345678, bus route 4.",
     [("PERSON", "Marco Ruiz"), ("US_DRIVER_LICENSE", "S12345678")], ("MA_PI",)),
    ("name and bank account for direct deposit (a payroll word)",
     "Direct deposit for Ana Lopez, account 000123456789 at the credit union.",
     [("PERSON", "Ana Lopez"), ("US_BANK_NUMBER", "000123456789")], ("EMPLOYEE_PII", "MA_PI")),
    ("a SASID makes a student record",
     "Transfer record: SASID 1034567891, grade 4.",
     [("MA_SASID", "1034567891")], ("STUDENT_PII",)),
    ("a student named with a grade",
     "Student Dario Okafor (grade 5) moved to room 12.",
     [("PERSON", "Dario Okafor")], ("STUDENT_PII",)),
    ("an IEP statement about a student is sensitive",
     "Student Dario Okafor (grade 5) has an IEP for reading.",
     [("PERSON", "Dario Okafor")], ("STUDENT_PII", "STUDENT_SENSITIVE")),
    ("a name in a lunch menu is nothing",
     "The lunch menu changes on Monday, says Dana Whitfield.",
     [("PERSON", "Dana Whitfield")], ()),
    ("a staff directory line is nothing",
     "Staff directory: Dana Whitfield, library",
     [("PERSON", "Dana Whitfield")], ()),
    ("a password is a credential",
     "password: hunter22-district",
     [("CREDENTIAL", "hunter22-district")], ("CREDENTIALS",)),
    ("a vendor form is no student record",
     "ACH Vendor Enrollment Form\nPayee Name: Dana Whitfield\nAmount: 1,504.26\n",
     [("PERSON", "Dana Whitfield")], ()),
    ("enrolled in kindergarten is a student",
     "Dana Whitfield enrolled in kindergarten in September.",
     [("PERSON", "Dana Whitfield")], ("STUDENT_PII",)),
    ("a MEPID makes an employee record",
     "Educator MEPID 10234567 for Laura Chen, licensure renewal.",
     [("MA_MEPID", "10234567"), ("PERSON", "Laura Chen")], ("EMPLOYEE_PII",)),
]


def _findings(text: str, spans: list[tuple[str, str]]) -> list[Finding]:
    out = []
    for entity, words in spans:
        start = text.index(words)  # a row that names words not in its text is a broken row: ValueError
        preview = " ".join(w[0] + "*" * (len(w) - 1) for w in words.split())
        out.append(Finding(entity=entity, score=0.9, locator="body", start=start, end=start + len(words),
                           preview=preview, value_hash=f"{entity}:{start}"))
    return out


@pytest.mark.parametrize(("case", "text", "spans", "expected"), CASES, ids=[c[0] for c in CASES])
def test_classification_table(case: str, text: str, spans: list[tuple[str, str]], expected: tuple[str, ...]) -> None:
    document = Document(media_type="text/plain", parts=(Part(locator="body", text=text),))
    assert classify(document, _findings(text, spans)).labels == expected, case
