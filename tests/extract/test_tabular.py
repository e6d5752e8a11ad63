"""CSV and TSV: rows, the header guess, and the flattened text."""

from __future__ import annotations

from tests.extract.conftest import part

HEADER = ("Student Name", "SASID", "SSN", "Date of Birth", "Guardian Phone", "Guardian Email")
FIRST = ("Jordan Alvarez", "1012345678", "523-47-1186", "2011-03-14", "617-555-0142", "m.alvarez@example.org")


def test_csv_roster_becomes_rows_with_a_header(extract):
    table = part(extract("roster.csv"), "table")
    assert table.rows[0] == HEADER
    assert table.rows[1] == FIRST
    assert table.rows[3][0] == "Marcus O'Neill"
    assert len(table.rows) == 4
    assert table.has_header is True


def test_csv_text_has_one_row_per_line_with_cells_separated(extract):
    table = part(extract("roster.csv"), "table")
    lines = table.text.split("\n")
    assert lines[1] == " | ".join(FIRST)
    assert len(lines) == 4


def test_tsv_is_split_on_tabs(extract):
    table = part(extract("roster.tsv"), "table")
    assert table.rows[1] == FIRST
    assert table.has_header is True


def test_semicolon_export_without_header_is_sniffed_and_not_taken_for_a_header(extract):
    table = part(extract("export_semicolon.csv"), "table")
    assert table.rows[0][:2] == ("Jordan Alvarez", "1012345678")
    assert table.has_header is False


def test_quoted_cells_with_commas_and_newlines_stay_one_cell(extract):
    data = b'Name,Notes\r\n"Alvarez, Jordan","IEP review\nSSN 523-47-1186"\r\n'
    table = part(extract("notes.csv", data), "table")
    assert table.rows[1] == ("Alvarez, Jordan", "IEP review\nSSN 523-47-1186")


def test_a_file_that_is_not_really_csv_is_still_scanned_as_text(extract):
    data = b"Just a sentence about Jordan Alvarez, SSN 523-47-1186.\n"
    document = extract("misnamed.csv", data)
    assert "523-47-1186" in document.parts[0].text


def test_a_field_over_the_csv_size_limit_falls_back_to_plain_text(extract):
    data = b'Name,Blob\nJordan Alvarez,"' + b"x" * 200_000 + b' 523-47-1186"\n'
    document = extract("huge_field.csv", data)
    assert document.parts[0].locator == "body"
    assert "523-47-1186" in document.parts[0].text
