"""Sensitive terms by meaning: a signature, an address or a job title is no statement about a student.

Findings are made by hand at the offsets of the invented names, so each case tests the classifier alone.
"""

from __future__ import annotations

import pytest

from dlp.policy.classify import classify
from dlp.policy.statements import statement_text
from dlp.types import Document, Finding, Part

ROSTER = (
    "Hello,\n\nHere are the spring results.\n\n"
    "Student: Jordan Alvarez, SASID 1034567891, grade 5, MCAS score 512\n"
    "Student: Maria Chen, SASID 1045678912, grade 5, MCAS score 498\n"
)
PEOPLE = ("Jordan Alvarez", "Maria Chen", "Rosa Delgado", "Kelly Brennan", "Dana Whitfield", "Sam Ortiz")


def findings_for(text: str, locator: str = "body") -> list[Finding]:
    """PERSON findings at every invented name in ``text``, SASID findings at every SASID."""
    out = []
    for name in PEOPLE:
        start = text.find(name)
        while start >= 0:
            out.append(Finding("PERSON", 0.9, locator, start, start + len(name), "X*** Y****", f"p-{name}"))
            start = text.find(name, start + 1)
    for sasid in ("1034567891", "1045678912"):
        start = text.find(sasid)
        if start >= 0:
            out.append(Finding("MA_SASID", 0.9, locator, start, start + 10, "**********", f"s-{sasid}"))
    return out


def judge(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    doc = Document(media_type="text/plain", parts=(Part(locator="body", text=text),))
    result = classify(doc, findings_for(text))
    return result.labels, result.categories


NOT_STATEMENTS = {
    "signature with a title": ROSTER + "\nThanks,\nRosa Delgado\nSchool Counselor\nLincoln Elementary School\n",
    "signature after --": ROSTER + "\n-- \nKelly Brennan, RN\nSchool Nurse | Health Office\n(617) 555-0142\n",
    "sender address": ROSTER + "\nReply to counselor@example.org with corrections.\n",
    "office address": ROSTER + "\nPlease return forms to the Counseling Office, 12 Main St, Springfield.\n",
    "title beside a name": ROSTER + "\nQuestions go to Rosa Delgado, Adjustment Counselor, by Friday.\n",
    "title before a name": ROSTER + "\nCopy to Nurse Practitioner Kelly Brennan for the file.\n",
    "director in a signature": ROSTER + "\nSincerely,\n\nDana Whitfield\nDirector of Special Education\n",
    "department name": ROSTER + "\nThe Special Education Department office moves to room 12 in May.\n",
    "header line in a forwarded message": ROSTER + "\nFrom: Guidance Counselor <guidance@example.org>\nSee above.\n",
    "weak word with no one in the sentence": ROSTER + "\nIf a bus is late, tell the nurse. Counselors meet Friday.\n",
    "dean of discipline signature": ROSTER + "\nBest regards,\nSam Ortiz\nDean of Discipline\n",
}

STATEMENTS = {
    "strong term anywhere": ROSTER + "Both students have an IEP and receive services.\n",
    "suspension": ROSTER + "Jordan Alvarez was suspended for two days last week.\n",
    "diagnosed with": ROSTER + "The doctor's note says she was diagnosed with asthma.\n",
    "free or reduced lunch": ROSTER + "Maria Chen qualifies for free or reduced lunch.\n",
    "weak term about a named student": ROSTER + "The nurse gave Jordan Alvarez his inhaler at recess.\n",
    "weak term beside a student word": ROSTER + "Each student who saw the counselor this week is listed.\n",
    "a title in a sentence about a student": ROSTER + "Maria Chen meets the school counselor weekly.\n",
    "signature after a real statement": ROSTER + "Jordan Alvarez has a 504 plan.\n\nThanks,\nRosa Delgado\n"
                                                "School Counselor\n",
    "a sentence right after a sign-off is no signature": ROSTER + "\nThanks,\nJordan has an IEP meeting Tuesday.\n",
}


@pytest.mark.parametrize("text", NOT_STATEMENTS.values(), ids=NOT_STATEMENTS.keys())
def test_terms_that_are_no_statement_leave_a_roster_student_pii(text: str) -> None:
    labels, categories = judge(text)
    assert labels == ("STUDENT_PII",)
    assert "special_indicator" not in categories
    assert "conduct" not in categories


@pytest.mark.parametrize("text", STATEMENTS.values(), ids=STATEMENTS.keys())
def test_statements_about_a_student_make_it_sensitive(text: str) -> None:
    labels, categories = judge(text)
    assert labels == ("STUDENT_PII", "STUDENT_SENSITIVE")
    assert "special_indicator" in categories


def test_conduct_comes_from_a_statement_not_from_a_title() -> None:
    _, categories = judge(ROSTER + "Jordan Alvarez was suspended for two days.\n")
    assert "conduct" in categories
    _, categories = judge(ROSTER + "Jordan Alvarez has an IEP.\n\nBest,\nSam Ortiz\nDean of Discipline\n")
    assert "special_indicator" in categories and "conduct" not in categories


def test_the_same_words_outside_student_records_change_nothing() -> None:
    doc = Document(media_type="text/plain", parts=(Part("body", "Staff meeting: the IEP process and the nurse."),))
    assert classify(doc, []).labels == ()


def test_mail_headers_other_than_the_subject_are_no_statements() -> None:
    parts = (Part("header From", "School Counselor <counselor@example.org>"),
             Part("header Subject", "IEP meeting"), Part("body", ROSTER))
    result = classify(Document(media_type="message/rfc822", parts=parts), findings_for(ROSTER))
    assert "STUDENT_SENSITIVE" in result.labels  # the Subject is something the sender wrote
    parts = (parts[0], Part("header Subject", "Spring results"), parts[2])
    result = classify(Document(media_type="message/rfc822", parts=parts), findings_for(ROSTER))
    assert result.labels == ("STUDENT_PII",)


def _table(header: tuple[str, ...], *rows: tuple[str, ...]) -> Part:
    all_rows = (header, *rows)
    return Part(locator="table", text="\n".join(" | ".join(r) for r in all_rows), rows=all_rows, has_header=True)


def _row_findings(part: Part) -> list[Finding]:
    out = []
    lines = part.text.split("\n")
    pos = 0
    for number, line in enumerate(lines, start=1):
        for name in PEOPLE:
            at = line.find(name)
            if at >= 0:
                out.append(Finding("PERSON", 0.9, f"table row {number}", pos + at, pos + at + len(name), "X*** Y****",
                                   f"p-{name}"))
        pos += len(line) + 1
    return out


@pytest.mark.parametrize(("header", "value", "sensitive"), [
    ("Meal Status", "F", True), ("Meal Status", "Paid", False), ("504", "Y", True), ("504", "N", False),
    ("SPED", "Yes", True), ("F/R", "R", True), ("ELL", "Y", True), ("Disability Category", "SLD", True),
    ("Counselor", "Rosa Delgado", False),  # the assigned counselor is no fact about the student's health
])
def test_special_indicator_columns(header: str, value: str, sensitive: bool) -> None:
    table = _table(("Student Name", "SASID", "Grade", header), ("Jordan Alvarez", "1034567891", "5", value),
                   ("Maria Chen", "1045678912", "5", "N" if header != "Meal Status" else "Paid"))
    result = classify(Document(media_type="text/csv", parts=(table,)), _row_findings(table)
                      + [Finding("MA_SASID", 0.9, "table row 2", 0, 1, "*", "s1")])
    assert ("STUDENT_SENSITIVE" in result.labels) is sensitive
    assert ("special_indicator" in result.categories) is sensitive


def test_catalog_authors_are_not_district_people() -> None:
    table = _table(("Barcode", "Title", "Author", "Call Number", "Grade Level"),
                   ("39999000123456", "Field Notes", "Dana Whitfield", "551.5 WHI", "Grade 5"),
                   ("39999000123457", "River Days", "Sam Ortiz", "917.4 ORT", "Grade 4"))
    result = classify(Document(media_type="text/csv", parts=(table,)), _row_findings(table))
    assert result.labels == ()
    prose = "New this month for grade 5 students: Field Notes by Dana Whitfield, ISBN 978-0-316-76948-8.\n"
    result = classify(Document(media_type="text/plain", parts=(Part("body", prose),)), findings_for(prose))
    assert result.labels == ()


def test_a_circulation_report_still_names_its_patrons() -> None:
    table = _table(("Student", "Grade", "Title", "Author", "Due"),
                   ("Jordan Alvarez", "5", "River Days", "Sam Ortiz", "06/11"))
    result = classify(Document(media_type="text/csv", parts=(table,)), _row_findings(table))
    assert "STUDENT_PII" in result.labels


def test_statement_text_keeps_offsets() -> None:
    text = "Best,\nRosa Delgado\nSchool Counselor\n"
    masked, _ = statement_text(Part("body", text))
    assert len(masked) == len(text)
    assert "Counselor" not in masked and masked.startswith("Best,")


def test_indicator_columns_below_title_lines_and_by_their_values() -> None:
    rows = (("Food Services - eligibility list",), ("",), ("Student Name", "LASID", "Grade", "Elig."),
            ("Jordan Alvarez", "204518", "5", "Free"), ("Maria Chen", "204519", "4", "Paid"),
            ("Sam Ortiz", "204520", "3", "Reduced"))
    table = Part(locator="table", text="\n".join(" | ".join(r) for r in rows), rows=rows, has_header=False)
    findings = _row_findings(table) + [Finding("STUDENT_ID", 0.9, "table row 4", 0, 1, "*", "id1")]
    result = classify(Document(media_type="text/csv", parts=(table,)), findings)
    assert result.labels == ("STUDENT_PII", "STUDENT_SENSITIVE")
    paid = tuple(r if i < 3 else (*r[:3], "Paid") for i, r in enumerate(rows))
    table = Part(locator="table", text="\n".join(" | ".join(r) for r in paid), rows=paid, has_header=False)
    result = classify(Document(media_type="text/csv", parts=(table,)), findings)
    assert result.labels == ("STUDENT_PII",)


def test_a_table_pasted_in_a_mail_body_is_read_by_its_header() -> None:
    body = ("Hi,\n\nthe list for Friday:\n\n"
            "Student\tSASID\tGrade\tIEP\n"
            "Jordan Alvarez\t1034567891\t5\tY\n"
            "Maria Chen\t1045678912\t5\tN\n"
            "Sam Ortiz\t1045678913\t4\tN\n\nThanks,\nRosa Delgado\nSchool Counselor\n")
    labels, _ = judge(body)
    assert labels == ("STUDENT_PII", "STUDENT_SENSITIVE")
    labels, _ = judge(body.replace("\tY\n", "\tN\n"))
    assert labels == ("STUDENT_PII",)


def test_signatures_in_crlf_mail_bodies() -> None:
    text = (ROSTER + "\nThanks,\nRosa Delgado\nSchool Counselor\n").replace("\n", "\r\n")
    assert judge(text)[0] == ("STUDENT_PII",)


def test_a_first_name_names_the_student_again() -> None:
    text = ROSTER + "This is Jordan Alvarez's father. Jordan will see the counselor on Monday.\n"
    assert judge(text)[0] == ("STUDENT_PII", "STUDENT_SENSITIVE")
    text = ROSTER + "Jordan Alvarez moved up a level. Ask the nurse about the new forms.\n"
    assert judge(text)[0] == ("STUDENT_PII",)


def test_a_programs_column_names_the_indicator_in_its_values() -> None:
    table = _table(("Student Name", "SASID", "programs[0]"), ("Jordan Alvarez", "1034567891", "programs[0]: 504"),
                   ("Maria Chen", "1045678912", ""))
    findings = _row_findings(table) + [Finding("MA_SASID", 0.9, "table row 2", 0, 1, "*", "s1")]
    assert "STUDENT_SENSITIVE" in classify(Document(media_type="application/json", parts=(table,)), findings).labels
    table = _table(("Student Name", "SASID", "Room"), ("Jordan Alvarez", "1034567891", "504"),
                   ("Maria Chen", "1045678912", "12"))
    findings = _row_findings(table) + [Finding("MA_SASID", 0.9, "table row 2", 0, 1, "*", "s1")]
    assert "STUDENT_SENSITIVE" not in classify(Document(media_type="text/csv", parts=(table,)), findings).labels


def test_form_questions_answered_no_are_no_statements() -> None:
    from dlp.policy.classify import classify
    from dlp.types import Document, Finding, Part

    def slip(answer: str) -> Document:
        rows = (("Student name", "Ethan Marchetti"), ("Grade", "4"), ("IEP or 504 plan? (Y/N)", "N"),
                ("Allergies / Medical Conditions:", answer), ("Medications:", "N/A"))
        return Document(media_type="text/plain", parts=(
            Part(locator="table 1", text="\n".join(" | ".join(r) for r in rows), rows=rows, has_header=False),))

    name = Finding(entity="PERSON", score=0.9, locator="table 1 row 1", start=15, end=30, preview="E**** M*******",
                   value_hash="n")
    assert classify(slip("None"), [name]).labels == ("STUDENT_PII",)
    assert classify(slip("Yes - peanut allergy"), [name]).labels == ("STUDENT_PII", "STUDENT_SENSITIVE")
