"""Tables typed by column header: one record per row, values validated by the entity's recognizer."""

from __future__ import annotations

import pytest

from dlp.config import DetectSettings
from dlp.detect.engine import DetectionEngine
from dlp.detect.tables import normalize_header, row_offsets, type_columns, typed_cells
from dlp.types import Document, Part


def rows_part(rows: list[list[str]]) -> Part:
    text = "\n".join(" | ".join(r) for r in rows)
    return Part(locator="table", text=text, rows=tuple(tuple(r) for r in rows), has_header=True)


@pytest.mark.parametrize(
    ("header", "kind"),
    [("SASID", "MA_SASID"), ("State ID", "MA_SASID"), ("Student #", "STUDENT_ID"), ("DOB", "DATE_OF_BIRTH"),
     ("Birthdate", "DATE_OF_BIRTH"), ("SSN", "US_SSN"), ("Soc Sec", "US_SSN"), ("Last Name", "NAME_LAST"),
     ("first_name", "NAME_FIRST"), ("Routing #", "ABA_ROUTING_NUMBER"), ("Acct No", "US_BANK_NUMBER"),
     ("  Guardian Phone: ", "PHONE_NUMBER")],
)
def test_headers_are_typed(header: str, kind: str) -> None:
    assert type_columns([header]) == {0: kind}


def test_unknown_headers_are_not_typed() -> None:
    assert type_columns(["Notes", "Homeroom", "Bus", "Gross", "Principal"]) == {}
    assert type_columns(["Grade", "Job Title"]) == {0: "NOT_PI", 1: "NOT_PI"}  # never PI: withheld from NER
    assert normalize_header(' "Date_of_Birth": ') == "date of birth"


def test_json_key_paths_are_typed_by_their_last_segments() -> None:
    header = ["name.first", "name.last", "guardians[0].phone", "guardian.email", "meta.exported", "notes.text",
              "Acct. No"]
    assert type_columns(header) == {0: "NAME_FIRST", 1: "NAME_LAST", 2: "PHONE_NUMBER", 3: "EMAIL_ADDRESS",
                                    6: "US_BANK_NUMBER"}


def test_cell_offsets_match_the_part_text() -> None:
    part = rows_part([["Last Name", "First Name"], ["Okafor", "Dario"]])
    offsets = row_offsets(part.rows or ())
    assert part.text[offsets[1][0] : offsets[1][0] + 6] == "Okafor"
    assert part.text[offsets[1][1] : offsets[1][1] + 5] == "Dario"


def test_name_parts_make_one_person_per_row_and_values_are_validated() -> None:
    part = rows_part([["Last Name", "First Name", "SSN", "Notes"],
                      ["Okafor", "Dario", "284-73-9165", "walks home"],
                      ["Quintero", "Marisol", "000-12-3456", ""]])
    cells, covered = typed_cells(part, lambda entity, value: not value.startswith("000"))
    people = [(c.row, c.value) for c in cells if c.entity == "PERSON"]
    assert people == [(2, "Dario Okafor"), (3, "Marisol Quintero")]
    assert [(c.row, c.entity) for c in cells if c.entity == "US_SSN"] == [(2, "US_SSN")]
    # The header row's four cells (no label is ever a name), the name cells and the valid SSN; the
    # refused SSN and the "Notes" cells are left to the text engine.
    assert len(covered) == 4 + 4 + 1
    assert (part.text.index("walks"), part.text.index("walks") + len("walks home")) not in covered


@pytest.fixture(scope="module")
def engine() -> DetectionEngine:
    return DetectionEngine(DetectSettings(), b"k" * 32, show_values=True)


def test_the_engine_finds_bare_ids_in_typed_columns_by_row(engine: DetectionEngine) -> None:
    part = rows_part([["Student Name", "SASID", "DOB", "SSN", "Guardian Phone"],
                      ["Dario Okafor", "1012345678", "2011-03-14", "284739165", "(617) 555-0142"],
                      ["Marisol Quintero", "1023456789", "2010-11-02", "318624079", "617-555-0178"]])
    found = {(f.entity, f.locator) for f in engine.detect(Document(media_type="text/csv", parts=(part,)))}
    for row in (2, 3):
        for entity in ("PERSON", "MA_SASID", "DATE_OF_BIRTH", "US_SSN", "PHONE_NUMBER"):
            assert (entity, f"table row {row}") in found


def test_a_test_card_number_in_a_card_column_is_not_reported(engine: DetectionEngine) -> None:
    assert engine.validate("CREDIT_CARD", "4111 1111 1111 1111") is False
    assert engine.validate("US_SSN", "078-05-1120") is False
    assert engine.validate("STUDENT_ID", "S104233") is True
    assert engine.validate("STUDENT_ID", "n/a") is False


_CELLS = {
    "US_SSN": ["523-47-1186", "523471186", "000-12-3456", "666-12-3456", "123-45-6789", "523 47 1186", "52-347-1186"],
    "MA_SASID": ["1556774937", "1023456789", "0000000000", "155677493", "15567749370", "1556-774-937"],
    "DATE_OF_BIRTH": ["2011-04-02", "04/02/2011", "4/2/11", "2011-13-40", "April 2, 2011", "02.04.2011", "n/a"],
    "US_BANK_NUMBER": ["000123456789", "12345678", "1234", "9876543210123456789"],
    "ABA_ROUTING_NUMBER": ["011000015", "011000016", "123456789", "0110-0001-5"],
    "CREDIT_CARD": ["4111 1111 1111 1111", "4539 1488 0343 6467", "4539148803436468", "1234"],
    "MA_MEPID": ["12345678", "1234567", "A1234567"],
    "US_DRIVER_LICENSE": ["S12345678", "SA1234567", "123456789", "S1234567"],
    "PHONE_NUMBER": ["617-555-0142", "(617) 555-0142", "555-0142", "12345"],
    "US_ITIN": ["912-70-1234", "912-60-1234", "123-45-6789"],
}


@pytest.mark.parametrize("entity", sorted(_CELLS))
def test_the_quick_cell_check_agrees_with_judging_the_cell_as_text(engine: DetectionEngine, entity: str) -> None:
    """``cell_score`` must accept exactly the cells that the recognizer accepts after its context word."""
    quick = [engine.validate(entity, value) for value in _CELLS[entity]]
    recognizers = [r for r in engine._recognizers if hasattr(r, "cell_score")]
    saved = {id(r): r.cell_score for r in recognizers}
    try:
        for r in recognizers:
            r.cell_score = lambda value: None  # every cell through the recognizers' full text path
        slow = [engine.validate(entity, value) for value in _CELLS[entity]]
    finally:
        for r in recognizers:
            r.cell_score = saved[id(r)]
    assert quick == slow
    assert any(quick) and not all(quick)
