"""Tables and forms as real systems export them: headers below titles, tables inside text, label/value forms.

Every value here is synthetic: invented names, valid-format numbers, example.org addresses.
"""

from __future__ import annotations

import pytest

from dlp.config import DetectSettings
from dlp.detect.engine import DetectionEngine
from dlp.detect.headers import FIRST, FULL, INDICATOR, LAST, NOT_PI, header_kind, header_terms, is_label
from dlp.detect.layout import find_header, find_segments, grid_headings, text_forms, text_headings, text_tables
from dlp.detect.tables import row_offsets, type_grid
from dlp.extract._common import rows_to_text
from dlp.policy.classify import classify
from dlp.types import Document, Finding, Part

# --- the header vocabulary ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "kind"),
    [("CDL / MA DL", "US_DRIVER_LICENSE"), ("License #", "US_DRIVER_LICENSE"), ("Lic No", "US_DRIVER_LICENSE"),
     ("ABA Routing", "ABA_ROUTING_NUMBER"), ("Routing No.", "ABA_ROUTING_NUMBER"), ("Emp ID", "EMPLOYEE_ID"),
     ("Empl #", "EMPLOYEE_ID"), ("Student (Last, First)", FULL), ("Educator", FULL), ("Teacher of Record", FULL),
     ("State ID (SASID)", "MA_SASID"), ("Soc. Sec. #", "US_SSN"), ("DOB (mm/dd/yyyy)", "DATE_OF_BIRTH"),
     ("LAST_NAME", LAST), ("firstName", FIRST), ("Acct. No", "US_BANK_NUMBER"), ("Taxpayer ID", "TAX_ID"),
     ("Meal Status", INDICATOR), ("Meal Eligibility", INDICATOR), ("Lunch Code", INDICATOR), ("F/R", INDICATOR),
     ("Disability Category", INDICATOR), ("SPED", INDICATOR), ("ELL", INDICATOR), ("504", INDICATOR),
     ("IEP", INDICATOR), ("SSN (last 4)", NOT_PI), ("Author", NOT_PI), ("Title", NOT_PI), ("ISBN", NOT_PI),
     ("Barcode", NOT_PI), ("Call Number", NOT_PI), ("Asset Tag", NOT_PI), ("Serial", NOT_PI), ("Model", NOT_PI),
     ("Order #", NOT_PI), ("Invoice #", NOT_PI), ("PO Number", NOT_PI), ("Job Title", NOT_PI),
     ("Position", NOT_PI), ("Department", NOT_PI), ("Building", NOT_PI), ("Library Card #", NOT_PI),
     ("Account Type", NOT_PI), ("School Name", NOT_PI)],
)
def test_header_words_are_matched_by_their_canonical_words(header: str, kind: str) -> None:
    assert header_kind(header) == kind


@pytest.mark.parametrize("header", ["Last Updated", "First Day", "Gross", "Principal", "Notes", "Homeroom",
                                    "Transportation - driver roster", "Emergency Contact Relationship"])
def test_words_that_name_no_column_kind(header: str) -> None:
    assert header_kind(header) is None


def test_codes_and_numbers_are_column_labels() -> None:
    for cell in ("Q1", "HW 3", "Quiz 2", "504", "IEP", "Gr", "Unit Test 2"):
        assert is_label(cell), cell
    assert not is_label("Dario Okafor")
    assert not is_label("Transportation - driver roster")


def test_indicator_headers_lend_the_words_they_stand_for() -> None:
    words = header_terms(["Name", "F/R", "504", "ELL", "SPED"])
    for term in ("free or reduced lunch", "504 plan", "English learner", "special education"):
        assert term in words


# --- finding the header in a grid -----------------------------------------------------------------------

ROSTER = [
    ["Transportation - driver roster", "", "", ""],
    ["# Exported 2024-06-11 by transport-admin", "", "", ""],
    ["Pay date: 06/14/2024", "", "", ""],
    ["", "", "", ""],
    ["Driver", "CDL / MA DL", "Emp ID", "Phone"],
    ["Okafor, Dario", "S12345678", "E1042", "617-555-0142"],
    ["Marisol Quintero", "S23456789", "E1043", "617-555-0178"],
    ["Page 1 of 2", "", "", ""],
    ["Driver", "CDL / MA DL", "Emp ID", "Phone"],
    ["Jordan Alvarez", "S34567890", "E1044", "617-555-0199"],
    ["Total: 3", "", "", ""],
]


def test_the_header_is_found_below_titles_banners_and_blank_rows() -> None:
    assert find_header(ROSTER) == 4
    (segment,) = find_segments(ROSTER)
    # The header repeated on page 2, the page line and the total line are not data.
    assert segment.rows == (5, 6, 9)


def test_a_group_row_above_the_header_is_combined_and_a_second_table_starts_its_own_segment() -> None:
    rows = [["Student", "", "", "Guardian", ""],
            ["Last", "First", "SASID", "Name", "Phone"],
            ["Okafor", "Dario", "1012345678", "Ada Okafor", "617-555-0142"],
            ["", "", "", "", ""],
            ["Staff", "", "", "", ""],
            ["Employee Name", "Emp ID", "SSN", "", ""],
            ["Robert Finch", "E1042", "523-47-1186", "", ""]]
    first, second = find_segments(rows)
    assert first.header == 1 and first.header_rows == (0, 1) and first.rows == (2,)
    assert first.names[3] == "Guardian Name"
    assert second.header == 5 and second.rows == (6,)


def test_a_header_of_codes_is_a_header_and_a_data_row_of_names_is_not() -> None:
    assert find_header([["Name", "Q1", "HW 3", "Quiz 2", "504"], ["Dario Okafor", "90", "85", "77", "Y"]]) == 0
    assert find_header([["Dario Okafor", "Marisol Quintero"], ["Jordan Alvarez", "Ada Lin"]]) is None


# --- typing grids (no engine: a stand-in validator) --------------------------------------------------------

def _aba(value: str) -> bool:
    digits = value.replace("-", "")
    weights = (3, 7, 1) * 3
    if len(digits) != 9 or not digits.isdigit():
        return False
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 10 == 0


def _validate(entity: str, value: str) -> bool:
    if entity == "ABA_ROUTING_NUMBER":
        return _aba(value)
    if entity == "MA_SASID":
        return len(value) == 10 and value.isdigit()
    return entity not in ("PERSON",)


def _typed(rows: list[list[str]]) -> dict[str, list[int]]:
    grid = tuple(tuple(r) for r in rows)
    typing = type_grid(grid, row_offsets(grid), range(1, len(grid) + 1), _validate)
    out: dict[str, list[int]] = {}
    for cell in typing.cells:
        out.setdefault(cell.entity, []).append(cell.row)
    return out


def test_a_column_without_header_is_typed_by_its_checksums() -> None:
    rows = [["Okafor", "011000015", "x"], ["Quintero", "021000021", "y"], ["Alvarez", "011401533", "z"],
            ["Lin", "026009593", "w"]]
    assert _typed(rows) == {"ABA_ROUTING_NUMBER": [1, 2, 3, 4]}
    # Nine digits that fail the checksum are no routing numbers, whatever their number.
    assert _typed([["a", "123456789"], ["b", "234567891"], ["c", "345678912"]]) == {}


def test_ten_digit_columns_need_corroboration_to_be_sasids() -> None:
    title = [["Grade 5 bus riders", ""]]
    shuffled = [["a", "1556774937"], ["b", "1023456789"], ["c", "1412345670"], ["d", "1300012345"]]
    assert _typed(title + shuffled) == {"MA_SASID": [2, 3, 4, 5]}
    counting = [["a", "1000000001"], ["b", "1000000002"], ["c", "1000000003"], ["d", "1000000004"]]
    assert _typed(title + counting) == {}  # record numbers count up
    isbns = [["a", "1402894627"], ["b", "1400031698"], ["c", "1250301696"], ["d", "1524763136"]]
    assert _typed(title + isbns) == {}  # ISBN-10s pass their own checksum
    # Without anything saying the rows are students, ten digits are some other record's number.
    assert _typed(shuffled) == {}


def test_catalog_columns_are_covered_and_yield_nothing() -> None:
    rows = [["Title", "Author", "ISBN", "Barcode"], ["The Giver", "Lowry, Lois", "9780544336261", "31234000123456"],
            ["Holes", "Louis Sachar", "9780440414803", "31234000123457"]]
    grid = tuple(tuple(r) for r in rows)
    typing = type_grid(grid, row_offsets(grid), range(1, 4), _validate)
    assert typing.cells == ()
    text = rows_to_text(grid)
    covered = {text[lo:hi] for lo, hi in typing.covered}
    assert "Author" in covered
    # The row's columns side by side are one span (delimiters included), so the text engine reads none of them.
    assert "The Giver | Lowry, Lois | 9780544336261 | 31234000123456" in covered


def test_a_two_column_form_is_one_record() -> None:
    rows = [["Student Name", "Jane Doe"], ["SASID", "1744556677"], ["Date of Birth", "03/14/2011"],
            ["Math 6", "A-"], ["Science 6", "B+"]]
    grid = tuple(tuple(r) for r in rows)
    typing = type_grid(grid, row_offsets(grid), range(1, 6), _validate)
    assert {(c.entity, c.where) for c in typing.cells} == {("PERSON", "row 1-3"), ("MA_SASID", "row 1-3"),
                                                           ("DATE_OF_BIRTH", "row 1-3")}


def test_a_four_column_form_combines_first_and_last_names() -> None:
    rows = [["Student Last Name", "Villanueva", "Student First Name", "Ines"],
            ["Date of Birth", "October 10, 2018", "Grade Entering", "K"],
            ["Cell", "508-555-0105", "Email", "parent@example.com"]]
    grid = tuple(tuple(r) for r in rows)
    typing = type_grid(grid, row_offsets(grid), range(1, 4), _validate)
    found = {(c.entity, c.value) for c in typing.cells}
    assert ("PERSON", "Ines Villanueva") in found
    assert ("DATE_OF_BIRTH", "October 10, 2018") in found
    assert not any(c.entity == "PERSON" and "Date" in c.value for c in typing.cells)


# --- tables and forms inside text ------------------------------------------------------------------------

MAIL = (
    "Hi all,\n\nHere is the list you asked for:\n\n"
    "{header}\n{r1}\n{r2}\n{r3}\n\nThanks,\nPat\n"
)
ROWS = (("Last Name", "First Name", "SASID", "DOB"), ("Okafor", "Dario", "1412345678", "03/14/2011"),
        ("Quintero", "Marisol", "1023456789", "11/02/2010"), ("Alvarez", "Jordan", "1334567891", "01/22/2011"))


@pytest.mark.parametrize("delimiter", ["\t", "|", ";", ",", " | "])
def test_a_pasted_roster_is_a_table_at_its_real_lines(delimiter: str) -> None:
    text = MAIL.format(**dict(zip(("header", "r1", "r2", "r3"), (delimiter.join(r) for r in ROWS), strict=True)))
    (table,) = text_tables(text)
    assert table.lines == (5, 6, 7, 8)
    assert table.rows[1][2] == "1412345678"
    assert text[table.starts[1][2]:table.starts[1][2] + 10] == "1412345678"


def test_space_aligned_columns_and_quoted_replies_are_tables() -> None:
    text = ("PAYROLL REGISTER\n\n"
            "> Employee          Emp ID    SSN\n"
            "> Robert Finch      E1042     523-47-1186\n"
            "> Anna Kowalski     E1043     318-62-4079\n"
            "> Luis Ortega                 284-73-9165\n")
    (table,) = text_tables(text)
    assert table.rows[0] == ("Employee", "Emp ID", "SSN")
    assert table.rows[3] == ("Luis Ortega", "", "284-73-9165")  # the empty cell stays in its column
    assert table.lines[0] == 3


def test_forms_in_text_inline_stacked_and_dot_leaders() -> None:
    text = ("IEP NOTICE\n\nStudent: Jane Doe\nDate of Birth: 03/14/2011\nSASID ........ 1744556677\n\n"
            "The team met to review progress.\n\n\n\n\n\n\n\n\nEmployee Name\nRobert Finch\n")
    first, second = text_forms(text)
    assert [(p.label, p.value) for p in first.pairs] == [("Student", "Jane Doe"), ("Date of Birth", "03/14/2011"),
                                                        ("SASID", "1744556677")]
    assert (first.first, first.last) == (3, 5) and first.titles[0] == "IEP NOTICE"
    assert [(p.label, p.value) for p in second.pairs] == [("Employee Name", "Robert Finch")]


def test_pi_free_text_has_no_tables_or_forms() -> None:
    prose = ("The committee reviewed the budget, the schedule, and the plan.\n" * 400
             + "def handler(name, value, first, last):\n    return name\n" * 400
             + "2024-06-11 10:22:01  INFO  worker-3  request id=123456789 status=200\n" * 400)
    assert text_tables(prose) == ()
    assert text_forms(prose) == ()
    assert text_headings(prose) == ""


def test_headings_hold_titles_group_rows_and_indicator_words() -> None:
    rows = [["Bus 20 - student riders", "", ""], ["Rider (Last, First)", "SASID", "F/R"],
            ["Okafor, Dario", "1412345678", "F"]]
    words = grid_headings(rows)
    assert "student riders" in words and "free or reduced lunch" in words


# --- through the engine and the classification ------------------------------------------------------------

@pytest.fixture(scope="module")
def engine() -> DetectionEngine:
    return DetectionEngine(DetectSettings(), b"k" * 32, show_values=True)


def _table(rows: list[list[str]], locator: str = "table") -> Document:
    grid = tuple(tuple(r) for r in rows)
    return Document(media_type="text/csv", parts=(Part(locator=locator, text=rows_to_text(grid), rows=grid),))


def _found(engine: DetectionEngine, document: Document) -> set[tuple[str, str | None, str]]:
    return {(f.entity, f.value, f.locator) for f in engine.detect(document)}


def test_a_roster_below_titles_is_typed_at_its_real_rows(engine: DetectionEngine) -> None:
    found = _found(engine, _table(ROSTER))
    assert ("US_DRIVER_LICENSE", "S12345678", "table row 6") in found
    assert ("PERSON", "Okafor, Dario", "table row 6") in found
    assert ("EMPLOYEE_ID", "E1044", "table row 10") in found
    assert not any(value in ("Driver", "Total: 3") for _, value, _ in found)


def test_label_words_are_never_people(engine: DetectionEngine) -> None:
    rows = [["Date of Birth", "Account Number", "Grade", "Gross", "Principal", "SASID"],
            ["03/14/2011", "000123456789", "5", "2,304.11", "Ada Lin", "1412345678"]]
    people = {value for entity, value, _ in _found(engine, _table(rows)) if entity == "PERSON"}
    assert not people & {"Date of Birth", "Account Number", "Grade", "Gross", "Principal", "SASID"}


def test_a_pasted_roster_and_a_form_in_a_mail_body(engine: DetectionEngine) -> None:
    text = MAIL.format(**dict(zip(("header", "r1", "r2", "r3"), ("\t".join(r) for r in ROWS), strict=True)))
    found = _found(engine, Document(media_type="text/plain", parts=(Part(locator="body", text=text),)))
    assert ("MA_SASID", "1412345678", "body row 6") in found
    assert ("PERSON", "Dario Okafor", "body row 6") in found
    form = "Employee Name\nRobert Finch\nSocial Security Number\n523-47-1186\nABA Routing: 011000015\n"
    document = Document(media_type="text/plain", parts=(Part(locator="body", text=form),))
    findings = engine.detect(document)
    assert {(f.entity, f.locator) for f in findings} >= {("PERSON", "body row 1-5"), ("US_SSN", "body row 1-5"),
                                                         ("ABA_ROUTING_NUMBER", "body row 1-5")}
    assert set(classify(document, findings).labels) >= {"MA_PI", "EMPLOYEE_PII"}


def test_indicator_columns_make_a_student_table_sensitive_through_its_headings(engine: DetectionEngine) -> None:
    rows = [["Student (Last, First)", "SASID", "F/R", "ELL"], ["Okafor, Dario", "1412345678", "F", "Y"],
            ["Quintero, Marisol", "1023456789", "R", ""]]
    document = _table(rows)
    findings: list[Finding] = engine.detect(document)
    assert {f.entity for f in findings} >= {"PERSON", "MA_SASID"}
    from dlp.policy.classify import SENSITIVE_TERMS, _tables_with

    assert _tables_with(document.parts, SENSITIVE_TERMS) == {"table"}


def test_a_list_of_names_with_ids_in_parentheses_is_a_two_column_table(engine: DetectionEngine) -> None:
    text = ("These students move to your section on Monday:\n\n"
            "Vasquez, Gwen (1211926051) - grade 9, period 7\n"
            "Sjoberg, Declan (1523917277) - grade 7, period 3\n"
            "van der Meer, Bronwyn (1464603206) - grade 5, period 3\n\nThanks!\n")
    found = _found(engine, Document(media_type="text/plain", parts=(Part(locator="body", text=text),)))
    assert ("MA_SASID", "1523917277", "body row 4") in found
    # Timestamps in parentheses count up: no SASIDs.
    log = "".join(f"job {n} done (17171717{n:02d})\n" for n in range(10, 16))
    assert not {e for e, _, _ in _found(engine, Document(media_type="text/plain",
                                                         parts=(Part(locator="body", text=log),)))} & {"MA_SASID"}


def _isbn10(body: str) -> str:
    check = (11 - sum((10 - i) * int(d) for i, d in enumerate(body)) % 11) % 11
    return body + ("X" if check == 10 else str(check))


def test_a_pi_free_catalog_in_text_is_one_table_typed_by_its_header(engine: DetectionEngine) -> None:
    # A tab-separated export in a .txt: its ISBN-10s that end in X break the runs of ID-shaped lines, so
    # without its header the file reads as many small tables and the Author column as people.
    authors = ("Marlow, Edwina", "Tashkent, Oren", "Vilder, Paulette", "Quenby, Hollis")
    rows, x_rows = [], 0
    for i in range(40):
        isbn = _isbn10(f"{(123456789 + (i + 1) * 7919) % 10**9:09d}")
        x_rows += isbn.endswith("X")
        rows.append(f"3123400{i:07d}\t{isbn}\tThe Quiet Orchard {i}\t{authors[i % 4]}\tFIC Q{100 + i}\t2019")
    assert x_rows >= 2  # the runs do break
    text = "barcode\tisbn10\ttitle\tauthor\tcall_number\tpub_year\n" + "\n".join(rows) + "\n"
    (table,) = text_tables(text)
    assert table.header and table.lines == tuple(range(1, 42))
    part = Part(locator="body", text=text)
    assert not [f for f in engine.detect(Document(media_type="text/plain", parts=(part,))) if f.entity == "PERSON"]


@pytest.mark.parametrize("first", ["Total", "SUBTOTALS", "Sub-total", "Grand total", "Page 3 of 9", "Count: 41",
                                   "Records = 9", "12 students listed", "End of report", "Report run by", "Exported on",
                                   "Confidential", "# note", "-- x", "=====", "...", "ſubtotal"])
def test_footer_comment_and_decoration_rows_are_left_out_of_a_long_table(first: str) -> None:
    # A row deep in a long sheet is judged by its first cell's first characters before the regex reads it:
    # every word a footer starts with must still reach the regex.
    data = [[f"EPS-{i:05}", "1012345678", "x"] if i % 2 else [str(10_000_000 + i), "Smith", "y"] for i in range(300)]
    rows = [["Asset", "Student ID", "Note"], *data[:200], [first, "", ""], *data[200:]]
    segments = find_segments(rows)
    assert [len(s.rows) for s in segments] == [300]
    assert 201 not in segments[0].rows
