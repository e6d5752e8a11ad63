"""Excel workbooks: one part per sheet with rows as people see them."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from dlp.errors import ItemError
from dlp.types import Reason
from tests.extract.conftest import part


def test_each_sheet_is_a_part_named_after_it(extract):
    document = extract("roster.xlsx")
    assert [p.locator for p in document.parts] == ["sheet Roster", "sheet Contacts"]


def test_numbers_read_without_decimals_and_dates_without_time(extract):
    roster = part(extract("roster.xlsx"), "sheet Roster")
    assert roster.rows[0] == ("Student Name", "SASID", "SSN", "Date of Birth")
    assert roster.rows[1] == ("Jordan Alvarez", "1012345678", "523-47-1186", "2011-03-14")
    assert roster.has_header is True


def test_row_numbers_match_the_sheet_so_an_empty_row_is_kept(extract):
    roster = part(extract("roster.xlsx"), "sheet Roster")
    assert roster.rows[4] == ()
    # The formula has no cached value (never opened in Excel), so only its label remains.
    assert roster.rows[5] == ("Total",)
    assert len(roster.rows) == 6


def test_a_hidden_sheet_is_read_too(extract):
    contacts = part(extract("roster.xlsx"), "sheet Contacts")
    assert contacts.rows[1] == ("617-555-0142", "m.alvarez@example.org")
    assert "617-555-0131 | k.oneill@example.org" in contacts.text


def test_a_cached_formula_value_is_read_not_the_formula(extract):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["SSN"])
    sheet.append(['="523-47-"&"1186"'])
    buffer = io.BytesIO()
    workbook.save(buffer)
    # openpyxl writes an empty cached value; fill it in as Excel would on saving.
    source = zipfile.ZipFile(buffer)
    patched = io.BytesIO()
    with zipfile.ZipFile(patched, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<v></v>", b"<v>523-47-1186</v>").replace(
                    b'<c r="A2">', b'<c r="A2" t="str">'
                )
            target.writestr(info, data)
    table = part(extract("formula.xlsx", patched.getvalue()), "sheet Sheet")
    assert table.rows == (("SSN",), ("523-47-1186",))


def test_a_truncated_workbook_is_corrupt(extract):
    with pytest.raises(ItemError) as caught:
        extract("truncated.xlsx")
    assert caught.value.reason is Reason.CORRUPT


def test_the_text_budget_stops_reading_rows(extract):
    document = extract("roster.xlsx", max_text_chars=60)
    assert sum(len(p.text) for p in document.parts) < 200
    assert document.parts[0].rows[1][0] == "Jordan Alvarez"
