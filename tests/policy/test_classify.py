"""Classification of items and their data categories, from hand-made findings."""

from __future__ import annotations

from dlp.policy.classify import classify
from dlp.types import Document, Finding, Part


def f(entity: str, start: int, locator: str = "body", preview: str = "A*** B****", h: str = "") -> Finding:
    return Finding(entity=entity, score=0.9, locator=locator, start=start, end=start + 5, preview=preview,
                   value_hash=h or f"{entity}{start}{locator}")


def doc(*texts: str) -> Document:
    return Document(media_type="text/plain", parts=tuple(Part(locator=f"p{i}" if i else "body", text=t)
                                                        for i, t in enumerate(texts)))


def test_a_name_near_an_ssn_is_ma_pi_but_far_apart_it_is_not() -> None:
    d = doc("x" * 2000)
    assert "MA_PI" in classify(d, [f("PERSON", 10), f("US_SSN", 200)]).labels
    assert "MA_PI" not in classify(d, [f("PERSON", 10), f("US_SSN", 900)]).labels
    assert "MA_PI" in classify(d, [f("PERSON", 10), f("US_SSN", 900)], proximity=1000).labels


def test_a_single_word_name_or_a_header_name_does_not_make_ma_pi() -> None:
    d = doc("x" * 100)
    assert "MA_PI" not in classify(d, [f("PERSON", 10, preview="J***"), f("US_SSN", 20)]).labels
    header = [f("PERSON", 0, locator="header From"), f("US_SSN", 20)]
    assert "MA_PI" not in classify(d, header).labels


def test_same_row_is_near_in_tables() -> None:
    d = doc("x")
    assert "MA_PI" in classify(d, [f("PERSON", 0, "table row 4"), f("US_BANK_NUMBER", 5000, "table row 4")]).labels
    assert "MA_PI" not in classify(d, [f("PERSON", 0, "table row 4"), f("US_SSN", 30, "table row 5")]).labels


def test_student_records_and_sensitive_terms() -> None:
    text = "Student Dario Okafor (grade 5) has an IEP for reading."
    result = classify(doc(text), [f("PERSON", 8)])
    assert result.labels == ("STUDENT_PII", "STUDENT_SENSITIVE")
    assert {"student_name", "special_indicator"} <= set(result.categories)
    assert classify(doc("The lunch menu changes."), [f("PERSON", 50)]).labels == ()
    assert "STUDENT_PII" in classify(doc("SASID on file"), [f("MA_SASID", 0)]).labels


def test_payroll_is_employee_pii_and_a_directory_is_not() -> None:
    payroll = classify(doc("Payroll change for Dana Whitfield, salary step 4, SSN on file"),
                       [f("PERSON", 19), f("US_SSN", 55)])
    assert set(payroll.labels) == {"EMPLOYEE_PII", "MA_PI"}
    assert {"employee_name", "compensation", "ssn", "tax_id"} <= set(payroll.categories)
    directory = classify(doc("Staff directory: Dana Whitfield, library"), [f("PERSON", 17)])
    assert directory.labels == ()


def test_subjects_count_distinct_people() -> None:
    findings = [f("PERSON", 0, h="a"), f("PERSON", 50, h="a"), f("PERSON", 90, h="b"), f("US_SSN", 5, h="s1"),
                f("US_SSN", 55, h="s2"), f("US_SSN", 95, h="s3")]
    assert classify(doc("x" * 200), findings).subjects == 3
    roster = [f("PERSON", 0, h="a"), Finding(entity="PERSON", score=1, locator="body", start=9, end=12,
                                            preview="B*** C***", value_hash="z", subject="person-1")]
    assert classify(doc("x" * 20), roster).subjects == 2


def test_credentials() -> None:
    assert classify(doc("password: x"), [f("CREDENTIAL", 10, preview="********")]).labels == ("CREDENTIALS",)


def test_vendor_enrollment_and_numbers_are_no_student_words() -> None:
    form = "ACH Vendor Enrollment Form\nPayee Name: Dana Whitfield\nAmount: 1,504.26\n"
    assert "STUDENT_PII" not in classify(doc(form), [f("PERSON", form.index("Dana"))]).labels
    note = "Dana Whitfield enrolled in kindergarten in September."
    assert "STUDENT_PII" in classify(doc(note), [f("PERSON", 0)]).labels
    log = "Called the Whitfield home re: Dana Whitfield - missing homework."
    assert "STUDENT_PII" in classify(doc(log), [f("PERSON", log.index("Dana"))]).labels


def test_correspondents_addresses_are_no_student_contact_data() -> None:
    text = "Student Dario Okafor (grade 5) moves to room 12."
    parts = (Part("header From", "a@example.org"), Part("body", text))
    findings = [f("PERSON", 8), f("EMAIL_ADDRESS", 0, locator="header From")]
    result = classify(Document(media_type="message/rfc822", parts=parts), findings)
    assert "STUDENT_PII" in result.labels
    assert "student_contact" not in result.categories and "parent_contact" not in result.categories
    findings.append(f("EMAIL_ADDRESS", 30))
    assert "student_contact" in classify(Document(media_type="message/rfc822", parts=parts), findings).categories


def _grid(*rows: tuple[str, ...]) -> Part:
    return Part(locator="table", text="\n".join(" | ".join(r) for r in rows), rows=rows, has_header=True)


def test_a_job_title_in_a_directory_is_no_personnel_record_but_a_pcard_list_is() -> None:
    directory = _grid(("Last", "First", "Title", "Email"), ("Uchenna", "Zoe", "Van Driver", "zu@example.org"))
    found = [f("PERSON", directory.text.index("Uchenna"), "table row 2")]
    assert classify(Document(media_type="text/csv", parts=(directory,)), found).labels == ()
    cards = _grid(("Last Name", "First Name", "P-Card #", "Dept"), ("Lefevre", "Yusuf", "5270502324760765", "Food"))
    found = [f("PERSON", cards.text.index("Lefevre"), "table row 2"), f("CREDIT_CARD", 40, "table row 2")]
    assert set(classify(Document(media_type="text/csv", parts=(cards,)), found).labels) == {"EMPLOYEE_PII", "MA_PI"}


def test_a_driver_roster_is_a_personnel_record() -> None:
    roster = _grid(("Transportation - driver roster (CDL compliance)",), ("LAST_NAME", "FIRST_NAME", "DL#"),
                   ("LACHANCE", "NIKHIL", "SA9056641"))
    found = [f("PERSON", roster.text.index("LACHANCE"), "table row 3"), f("US_DRIVER_LICENSE", 60, "table row 3")]
    labels = classify(Document(media_type="text/csv", parts=(roster,)), found).labels
    assert set(labels) == {"EMPLOYEE_PII", "MA_PI"}
