"""CSV and TSV: rows, the header guess, and the flattened text."""

from __future__ import annotations

import pytest

from dlp.extract.tabular import _consistent_delimiter
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


@pytest.mark.parametrize(("text", "expected"), [
    ("name;student id;dob\nAda Quill;204331;2011-04-02\nBo Tran;204332;2010-09-14\n", ";"),
    ("name\tdob\nAda Quill\t2011-04-02\nBo Tran\t2010-09-14\n", "\t"),
    ("name,dob\nAda Quill,2011-04-02\nBo Tran,2010-09-14\n", ","),
])
def test_a_consistent_unquoted_delimiter_is_settled_without_the_sniffer(text: str, expected: str) -> None:
    assert _consistent_delimiter(text) == expected


def test_quoted_or_ambiguous_samples_go_to_the_sniffer() -> None:
    assert _consistent_delimiter('name,note\n"Quill, Ada","a;b"\n') is None
    assert _consistent_delimiter("a,b;c\nd,e;f\n") is None  # two candidates, both consistent
    assert _consistent_delimiter("just one line\n") is None
