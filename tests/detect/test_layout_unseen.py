"""Layouts the scanner was not built on: purchasing exports, odd delimiters, unfamiliar headers, split name
fields, dashed forms, paged reports, district ID formats under any header.

Every value is synthetic: invented names, valid-format numbers, example.org addresses.
"""

from __future__ import annotations

import pytest

from dlp.config import DetectSettings
from dlp.detect.engine import DetectionEngine
from dlp.detect.headers import header_kind
from dlp.detect.layout import text_forms, text_tables
from dlp.extract._common import rows_to_text
from dlp.types import Document, Part


@pytest.fixture(scope="module")
def engine() -> DetectionEngine:
    return DetectionEngine(DetectSettings(student_id_patterns=(r"\b2\d{5}\b",), employee_id_patterns=(r"\bE\d{5}\b",)),
                           b"k" * 32, show_values=True)


def _text(engine: DetectionEngine, text: str, locator: str = "body") -> set[tuple[str, str | None]]:
    document = Document(media_type="text/plain", parts=(Part(locator=locator, text=text),))
    return {(f.entity, f.value) for f in engine.detect(document)}


def _grid(engine: DetectionEngine, rows: list[list[str]]) -> set[tuple[str, str | None]]:
    grid = tuple(tuple(r) for r in rows)
    document = Document(media_type="text/csv", parts=(Part(locator="sheet", text=rows_to_text(grid), rows=grid),))
    return {(f.entity, f.value) for f in engine.detect(document)}


@pytest.mark.parametrize(("header", "kind"), [
    ("SIMS ID", "MA_SASID"), ("SIMS #", "MA_SASID"), ("Born", "DATE_OF_BIRTH"), ("Birth", "DATE_OF_BIRTH"),
    ("Stu Num", "STUDENT_ID"), ("Perm #", "STUDENT_ID"), ("Aspen ID", "STUDENT_ID"), ("DESE ID", "STATE_ID"),
    ("DOE ID", "STATE_ID"), ("State #", "STATE_ID"), ("Educator Lic #", "MA_MEPID"), ("Req #", "NOT_PI"),
    ("Catalog #", "NOT_PI"), ("Check #", "NOT_PI"), ("Educator ID (MEPID)", "MA_MEPID")])
def test_words_district_systems_use(header: str, kind: str) -> None:
    assert header_kind(header) == kind


# Ten-digit requisition numbers that start with 1, in no order, all distinct: SASID-shaped.
REQS = ("1556774937", "1023456789", "1412345670", "1300012345", "1187654321")


def test_requisition_numbers_in_a_purchasing_export_are_no_sasids(engine: DetectionEngine) -> None:
    rows = [["Req #", "Item", "Qty", "Unit Price"]] + [[r, f"Copy paper case {i}", "4", "38.50"]
                                                       for i, r in enumerate(REQS)]
    assert not {e for e, _ in _grid(engine, rows)} & {"MA_SASID", "STUDENT_ID"}
    # No header at all, a staff member's name beside each number: still no student here.
    bare = [["Purchasing - open requisitions", "", ""]] + [[r, "Marisol Quintero", "Supplies"] for r in REQS]
    assert "MA_SASID" not in {e for e, _ in _grid(engine, bare)}
    text = "Open requisitions\n\n" + "".join(f"{r}    Toner cartridge    2    64.00\n" for r in REQS)
    assert "MA_SASID" not in {e for e, _ in _text(engine, text)}


def test_the_same_numbers_under_students_are_sasids(engine: DetectionEngine) -> None:
    rows = [["Grade 4 roster", ""]] + [[n, r] for n, r in zip(
        ("Dario Okafor", "Marisol Quintero", "Jordan Alvarez", "Ada Lindqvist", "Tomas Ferreira"), REQS, strict=True)]
    assert {e for e, _ in _grid(engine, rows)} >= {"MA_SASID", "PERSON"}


PUPILS = (("Okafor, Dario", "1412345678", "03/14/2011"), ("Quintero, Marisol", "1023456789", "11/02/2010"),
          ("Alvarez, Jordan", "1334567891", "01/22/2011"))


@pytest.mark.parametrize("delimiter", ["^", "~", "!", " - ", " :: ", ":"])
def test_odd_delimiters_with_unfamiliar_headers(engine: DetectionEngine, delimiter: str) -> None:
    lines = [delimiter.join(("Pupil", "SIMS ID", "Born"))] + [delimiter.join(p) for p in PUPILS]
    text = "Hi,\n\nthe list for Monday:\n\n" + "\n".join(lines) + "\n\nThanks,\nPat\n"
    found = _text(engine, text)
    assert ("MA_SASID", "1023456789") in found
    assert ("DATE_OF_BIRTH", "11/02/2010") in found
    assert ("PERSON", "Quintero, Marisol") in found


def test_space_aligned_text_with_one_known_header_word(engine: DetectionEngine) -> None:
    text = ("Locker assignments\n\n"
            "Pupil               Locker    Combo       Born\n"
            "Dario Okafor        114       12-30-08    03/14/2011\n"
            "Marisol Quintero    115       04-22-16    11/02/2010\n"
            "Jordan Alvarez      116       33-10-27    01/22/2011\n")
    (table,) = text_tables(text)
    assert table.header and table.rows[0] == ("Pupil", "Locker", "Combo", "Born")
    found = _text(engine, text)
    assert ("DATE_OF_BIRTH", "11/02/2010") in found and ("PERSON", "Jordan Alvarez") in found


def test_prose_with_a_header_word_is_no_table() -> None:
    prose = ("Please send the name | the room | the time by Friday.\nWe will post it soon.\nThanks all.\n" * 3)
    assert text_tables(prose) == ()


def test_a_patron_id_in_the_district_format_is_a_student_id(engine: DetectionEngine) -> None:
    rows = [["Circulation - overdue"], ["Patron", "Patron ID", "Title", "Due"],
            ["Dario Okafor", "204518", "Holes", "06/01/2024"],
            ["Marisol Quintero", "230117", "The Giver", "06/03/2024"],
            ["Jordan Alvarez", "299004", "Wonder", "06/04/2024"]]
    found = _grid(engine, rows)
    assert ("STUDENT_ID", "230117") in found
    # The same format without people beside it is nobody's number.
    items = [["Patron ID", "Title"], ["204518", "Holes"], ["230117", "The Giver"], ["299004", "Wonder"]]
    assert "STUDENT_ID" not in {e for e, _ in _grid(engine, items)}


@pytest.mark.parametrize("separator", [" - ", " – ", " = ", " ..... "])
def test_dashed_and_equals_forms(engine: DetectionEngine, separator: str) -> None:
    text = "".join(f"{label}{separator}{value}\n" for label, value in (
        ("Student Name", "Jane Doe"), ("SASID", "1744556677"), ("Date of Birth", "03/14/2011")))
    (form,) = text_forms("Enrollment card\n\n" + text)
    assert [p.value for p in form.pairs] == ["Jane Doe", "1744556677", "03/14/2011"]
    assert {("PERSON", "Jane Doe"), ("MA_SASID", "1744556677")} <= _text(engine, text)


def test_a_dash_inside_a_sentence_is_no_label() -> None:
    assert text_forms("Name - please write it clearly - and the date.\n") == ()


def test_a_paged_report_keeps_its_table_across_page_breaks(engine: DetectionEngine) -> None:
    header = "Employee            Emp ID    SSN"
    page = ["Robert Finch        E10421    523-47-1186", "Anna Kowalski       E10432    318-62-4079"]
    text = "\n".join(["PAYROLL REGISTER", "", header, *page, "", "Page 1 of 2", "\f PAYROLL REGISTER (cont.)", "",
                      header, "Luis Ortega         E10444    284-73-9165", "Mei Tanaka          E10455    401-28-3376"])
    (table,) = text_tables(text)
    assert [r[0] for r in table.rows] == ["Employee", "Robert Finch", "Anna Kowalski", "Luis Ortega", "Mei Tanaka"]
    found = _text(engine, text)
    assert ("EMPLOYEE_ID", "E10444") in found and ("PERSON", "Mei Tanaka") in found


def test_the_next_pdf_page_takes_the_header_of_the_first(engine: DetectionEngine) -> None:
    first = ("Payroll register\n\nEmployee|Emp ID|SSN\n"
             "Robert Finch|E10421|523471186\nAnna Kowalski|E10432|318624079\nLuis Ortega|E10444|284739165\n")
    second = "Mei Tanaka|E10455|401283376\nOmar Haddad|E10466|512093847\nLena Vogel|E10477|287340915\n"
    document = Document(media_type="application/pdf", parts=(Part(locator="page 1", text=first),
                                                               Part(locator="page 2", text=second)))
    found = {(f.entity, f.value, f.locator) for f in engine.detect(document)}
    assert ("EMPLOYEE_ID", "E10466", "page 2 row 2") in found
    assert ("US_SSN", "512093847", "page 2 row 2") in found


def test_name_fields_far_apart_on_one_form_make_one_person(engine: DetectionEngine) -> None:
    text = ("Form W-9 (district copy)\n\nFirst name: Jane\n" + "Certification text about backup withholding.\n" * 10
            + "Last name: Doe\n" + "More instructions for the payee.\n" * 8 + "Social security number: 523-47-1186\n")
    document = Document(media_type="application/pdf", parts=(Part(locator="page 1", text=text),))
    findings = {(f.entity, f.value, f.locator) for f in engine.detect(document)}
    assert {("PERSON", "Jane Doe", "page 1 row 3-23"), ("US_SSN", "523-47-1186", "page 1 row 3-23")} <= findings
    # Labels above their values, as a PDF form's text comes out.
    stacked = ("First name and middle initial\nJane M\nLast name\nDoe\nYour social security number\n523-47-1186\n")
    assert ("PERSON", "Jane M Doe") in _text(engine, stacked)
