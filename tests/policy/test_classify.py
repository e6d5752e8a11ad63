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


def _form(locator: str, *rows: tuple[str, str]) -> Part:
    return Part(locator=locator, text="\n".join(" | ".join(r) for r in rows), rows=rows, has_header=False)


def test_a_tax_form_is_one_record_with_its_title_on_the_page() -> None:
    # A W-4 printed from PDF: its title in the page text, its fields in a table below (one row each).
    title = Part(locator="page 1", text="Form W-4 Employee's Withholding Certificate")
    fields = _form("page 1 table 1", ("Full name", "Marcus Okonkwo"), ("Address", "14 Elm Street"),
                   ("Social security number", "514-28-3376"), ("Filing status", "Single"))
    found = [f("PERSON", fields.text.index("Marcus"), "page 1 table 1 row 1"),
             f("US_SSN", fields.text.index("514"), "page 1 table 1 row 3")]
    w4 = classify(Document(media_type="application/pdf", parts=(title, fields)), found)
    assert set(w4.labels) == {"EMPLOYEE_PII", "MA_PI"}
    # A W-9 of a sole proprietor (labels the lexicon may not know) is PI, but nobody's personnel record;
    # nor is a 1099's "nonemployee compensation".
    w9_title = Part(locator="body", text="Form W-9 Request for Taxpayer Identification Number")
    w9 = _form("table 1", ("Name (as shown on your income tax return)", "Delia Fairbanks"),
               ("Business name", "Fairbanks Tutoring"), ("Social security number", "078-05-1121"),
               ("Address", "9 Pine Rd"), ("Nonemployee compensation", "$4,250.00"))
    found = [f("PERSON", w9.text.index("Delia"), "table 1 row 1"), f("US_SSN", w9.text.index("078"), "table 1 row 3")]
    assert classify(Document(media_type="application/pdf", parts=(w9_title, w9)), found).labels == ("MA_PI",)


def test_rows_of_a_roster_are_still_separate_records() -> None:
    roster = _grid(("Name", "SSN"), ("Dana Whitfield", "514-28-3376"), ("Omar Haddad", "n/a"))
    found = [f("PERSON", roster.text.index("Omar"), "table row 3"),
             f("US_SSN", roster.text.index("514"), "table row 2")]
    assert classify(Document(media_type="text/csv", parts=(roster,)), found).labels == ()


def test_a_form_over_several_lines_of_text_is_one_record() -> None:
    text = "First name: Rosalind\nLast name: Petrakis\n\n\nRouting: 011000138\nAccount number: 4481902277\n"
    found = [f("PERSON", 12, "body row 1-2"), f("US_BANK_NUMBER", text.index("4481"), "body row 5")]
    assert "MA_PI" not in classify(doc(text), found).labels
    found = [f("PERSON", 12, "body row 1-6"), f("US_BANK_NUMBER", text.index("4481"), "body row 6")]
    assert "MA_PI" in classify(doc(text), found).labels


def test_volunteers_cori_checks_are_no_personnel_record() -> None:
    volunteers = _grid(("Volunteer Name", "School", "CORI Status"), ("Paula Brennan", "Lincoln", "Cleared"))
    found = [f("PERSON", volunteers.text.index("Paula"), "table row 2")]
    assert classify(Document(media_type="text/csv", parts=(volunteers,)), found).labels == ()
    staff = _grid(("Name", "School", "CORI Status"), ("Paula Brennan", "Lincoln", "Cleared"))
    found = [f("PERSON", staff.text.index("Paula"), "table row 2")]
    assert classify(Document(media_type="text/csv", parts=(staff,)), found).labels == ("EMPLOYEE_PII",)


def test_a_json_array_key_names_its_records() -> None:
    students = Part(locator="json students", text="name | grade\nAva Castellano | 5",
                    rows=(("name", "grade"), ("Ava Castellano", "5")), has_header=True)
    found = [f("PERSON", 13, "json students row 2")]
    assert classify(Document(media_type="application/json", parts=(students,)), found).labels == ("STUDENT_PII",)


def test_a_referral_in_prose_is_about_a_student() -> None:
    text = "I am referring Maya Goldberg to outside counseling services. She was diagnosed with anxiety."
    assert classify(doc(text), [f("PERSON", 15)]).labels == ("STUDENT_PII", "STUDENT_SENSITIVE")


def test_a_list_of_bus_drivers_is_a_personnel_record() -> None:
    roster = _grid(("Driver Name", "License #", "Route"), ("Gerald Moynihan", "S12345678", "12"))
    found = [f("PERSON", roster.text.index("Gerald"), "table row 2"),
             f("US_DRIVER_LICENSE", roster.text.index("S123"), "table row 2")]
    assert set(classify(Document(media_type="text/csv", parts=(roster,)), found).labels) == {"EMPLOYEE_PII", "MA_PI"}


def test_a_field_trip_list_is_a_student_record_but_a_memo_on_field_trips_is_not() -> None:
    trip = Part(locator="table 1", text="Field Trip - Museum of Science\nName | Bus\nAva Castellano | 1",
                rows=(("Field Trip - Museum of Science", ""), ("Name", "Bus"), ("Ava Castellano", "1")))
    found = [f("PERSON", trip.text.index("Ava"), "table 1 row 3")]
    assert classify(Document(media_type="text/plain", parts=(trip,)), found).labels == ("STUDENT_PII",)
    memo = "Daniel Mendoza reviewed the field trip approval process with families."
    assert classify(doc(memo), [f("PERSON", 0)]).labels == ()


def test_the_indexed_nearness_agrees_with_every_pair() -> None:
    import random

    from dlp.policy.classify import _any_near, _near, _Records

    title = Part(locator="page 1", text="x" * 3000)
    form = _form("page 1 table 1", ("Full name", "A B"), ("Social security number", "1"), ("Address", "2"))
    grid = _grid(("Name", "Account"), *((f"N{i}", str(i)) for i in range(30)))
    text = Part(locator="body", text="y" * 3000)
    document = (title, form, grid, text)
    records = _Records(document)
    places = ([("page 1", None), ("page 1 table 1 row 1", None), ("page 1 table 1 row 2", None)]
              + [(f"table row {r}", None) for r in range(2, 32)] + [("body row 3-6", None), ("body row 5", None)]
              + [("body", None)] * 5)
    rng = random.Random(7)
    for _ in range(300):
        people = [f("PERSON", rng.randrange(2900), loc) for loc, _ in rng.sample(places, 3)]
        elements = [f("US_SSN", rng.randrange(2900), loc) for loc, _ in rng.sample(places, 2)]
        expected = any(_near(p, e, 300, records) for p in people for e in elements)
        assert _any_near(people, elements, 300, records) == expected


def test_a_short_page_text_is_the_caption_of_its_table() -> None:
    caption = Part(locator="body", text="Transportation - driver roster\nCDL compliance report 10/01/2024")
    table = _grid(("LAST_NAME", "FIRST_NAME", "Driver's License"), ("GALLAGHER", "HARUTO", "S70758032"))
    table = Part(locator="table 1", text=table.text, rows=table.rows, has_header=True)
    found = [f("PERSON", table.text.index("GALLAGHER"), "table 1 row 2"),
             f("US_DRIVER_LICENSE", table.text.index("S707"), "table 1 row 2")]
    labels = classify(Document(media_type="text/html", parts=(caption, table)), found).labels
    assert set(labels) == {"EMPLOYEE_PII", "MA_PI"}
    # A page of prose is no caption: its words speak for its own sentences only.
    prose = Part(locator="body", text="The CDL renewal schedule is posted. " * 30)
    labels = classify(Document(media_type="text/html", parts=(prose, table)), found).labels
    assert labels == ("MA_PI",)


def test_a_school_named_after_a_person_names_no_one() -> None:
    text = "Grade 5 MCAS by school: Martin Luther King Jr. School 44% meeting; students with IEP 18%."
    found = [Finding(entity="PERSON", score=0.9, locator="body", start=text.index("Martin"),
                       end=text.index(" Jr."), preview="M***** L***** K***", value_hash="mlk")]
    assert classify(doc(text), found).labels == ()
    note = "Student Ava Jones high fever at 10am, sent home"
    ava = Finding(entity="PERSON", score=0.9, locator="body", start=8, end=17, preview="A** J****", value_hash="a")
    assert classify(doc(note), [ava]).labels == ("STUDENT_PII",)
