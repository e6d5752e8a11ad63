"""PDF: the text layer per page, blank pages counted, encrypted files opened or reported."""

from __future__ import annotations

import pytest

from dlp.errors import ItemError, NotExamined
from dlp.types import Reason
from tests.extract.conftest import PASSWORD, part


def test_each_page_with_text_is_a_part_located_by_page_number(extract):
    document = extract("report.pdf")
    assert [p.locator for p in document.parts] == ["page 1", "page 2"]
    assert "Student: Jordan Alvarez" in part(document, "page 1").text
    assert "SSN on file: 523-47-1186" in part(document, "page 2").text


def test_a_page_without_a_text_layer_is_counted(extract):
    document = extract("report.pdf")
    assert document.untexted_pages == 1
    assert document.encrypted is False


def test_pages_past_max_pages_are_not_read_and_are_counted_as_untexted(extract):
    document = extract("report.pdf", max_pages=1)
    assert [p.locator for p in document.parts] == ["page 1"]
    assert document.untexted_pages == 2


def test_a_password_protected_pdf_without_a_password_is_not_examined_as_encrypted(extract):
    with pytest.raises(NotExamined) as caught:
        extract("report_protected.pdf", passwords=("wrong-one",))
    error = caught.value
    assert error.reason is Reason.ENCRYPTED
    assert error.encrypted is True
    assert (error.cipher, error.key_bits) == ("AES-256", 256)
    assert "wrong-one" not in str(error)


def test_a_configured_password_opens_the_protected_pdf(extract):
    document = extract("report_protected.pdf", passwords=("wrong-one", PASSWORD))
    assert "523-47-1186" in part(document, "page 2").text
    assert document.encrypted is True
    assert (document.cipher, document.key_bits) == ("AES-256", 256)


def test_an_owner_password_only_pdf_is_read_and_not_called_protected(extract):
    document = extract("report_owner_only.pdf")
    assert "Jordan Alvarez" in part(document, "page 1").text
    assert document.encrypted is False
    assert (document.cipher, document.key_bits) == ("AES-128", 128)


def test_a_corrupt_pdf_raises_item_error(extract):
    with pytest.raises(ItemError) as caught:
        extract("corrupt.pdf")
    assert caught.value.reason is Reason.CORRUPT


def test_the_text_budget_caps_the_pages_text(extract):
    document = extract("report.pdf", max_text_chars=30)
    assert sum(len(p.text) for p in document.parts) <= 30


# --- tables rebuilt from text positions ----------------------------------------------------------

from tests.fixtures.make_fixtures import (  # noqa: E402 - the table tests' own helpers
    ATTENDANCE_HEADER,
    ATTENDANCE_TITLE,
    attendance_rows,
    positioned_pdf,
    table_report_pages,
)


def _tables(document):
    return [p for p in document.parts if p.rows is not None]


def test_a_report_table_over_many_pages_gives_every_row_with_the_title_kept_as_page_text(extract):
    from dlp.extract._common import rows_to_text

    rows = attendance_rows(2000)
    pdf = positioned_pdf(table_report_pages(ATTENDANCE_HEADER, rows, title=ATTENDANCE_TITLE, per_page=45,
                                            right_align=(4, 5, 6)))
    document = extract("attendance.pdf", pdf)
    tables = _tables(document)
    assert [t.locator for t in tables] == [f"page {n} table 1" for n in range(1, 46)]
    # The header the writer repeats on each page is each part's first row; the title is page text.
    assert all(t.rows[0] == ATTENDANCE_HEADER and t.has_header for t in tables)
    assert all(t.text == rows_to_text(t.rows) for t in tables)
    assert [row for t in tables for row in t.rows[1:]] == rows
    page_1 = part(document, "page 1").text
    assert "Attendance Summary" in page_1 and "Page 1 of 45" in page_1
    assert "1347712782" not in page_1  # table text is not given twice


def test_a_header_printed_on_the_first_page_only_is_carried_to_the_following_pages(extract):
    rows = attendance_rows(120, seed=11)
    pdf = positioned_pdf(table_report_pages(ATTENDANCE_HEADER, rows, per_page=50, repeat_header=False))
    tables = _tables(extract("attendance.pdf", pdf))
    assert len(tables) == 3
    assert all(t.rows[0] == ATTENDANCE_HEADER and t.has_header for t in tables)
    assert [row for t in tables for row in t.rows[1:]] == rows


def test_empty_cells_stay_in_their_column():
    from dlp.extract._pdf_layout import Glyph, page_lines, split_blocks

    def run(x: float, y: float, text: str) -> list[Glyph]:
        return [Glyph(ch, x + 5 * i, x + 5 * i + 5, y, 9.0, 0) for i, ch in enumerate(text)]

    glyphs = []
    for n, (a, b, c) in enumerate([("SASID", "Name", "Notes"), ("1012345678", "Ann Lee", "late bus"),
                                   ("1023456789", "", "absent"), ("1034567890", "Bo Chu", "")]):
        glyphs += run(40, 700 - 14 * n, a) + run(120, 700 - 14 * n, b) + run(200, 700 - 14 * n, c)
    for order, glyph in enumerate(glyphs):
        glyphs[order] = Glyph(glyph.text, glyph.x0, glyph.x1, glyph.y, glyph.size, order)
    [block] = split_blocks(page_lines(glyphs))
    assert block.rows == (("SASID", "Name", "Notes"), ("1012345678", "Ann Lee", "late bus"),
                          ("1023456789", "", "absent"), ("1034567890", "Bo Chu", ""))


def test_a_form_of_labels_and_values_is_a_table_without_a_header(extract):
    form = [("Student:", "Okafor, Jordan"), ("SASID:", "1744820931"), ("Date of Birth:", "03/14/2011"),
            ("Grade:", "7")]
    runs = [(40.0, 760.0, "IEP Notice")]
    for n, (label, value) in enumerate(form):
        runs += [(40.0, 730.0 - 16 * n, label), (160.0, 730.0 - 16 * n, value)]
    document = extract("notice.pdf", positioned_pdf([runs], size=11))
    [table] = _tables(document)
    assert table.rows == tuple(form) and table.has_header is False
    assert part(document, "page 1").text == "IEP Notice"


def test_prose_in_two_columns_and_a_bulleted_list_stay_text(extract):
    left = ["Families are invited to the spring", "concert on Thursday evening in the",
            "auditorium. Doors open at six and", "the program lasts about an hour."]
    right = ["Students in the chorus should be", "there by five thirty wearing black",
             "and white. Parking is behind the", "gym; please do not use the bus loop."]
    runs = [(40.0, 700.0 - 13 * n, line) for n, line in enumerate(left)]
    runs += [(320.0, 700.0 - 13 * n, line) for n, line in enumerate(right)]  # drawn a column at a time
    bullets = ["Bring a water bottle", "Label every instrument", "Concert dress: black and white"]
    for n, line in enumerate(bullets):
        runs += [(50.0, 600.0 - 13 * n, "-"), (64.0, 600.0 - 13 * n, line)]
    document = extract("newsletter.pdf", positioned_pdf([runs], size=10))
    assert _tables(document) == []
    assert "Families are invited" in part(document, "page 1").text


def test_a_page_without_aligned_text_is_not_read_twice(extract, monkeypatch):
    from dlp.extract import pdf as pdf_module

    def refuse(*args, **kwargs):
        raise AssertionError("glyph positions read for a page of plain lines")

    monkeypatch.setattr(pdf_module._Glyphs, "blocks", refuse)
    document = extract("report.pdf")
    assert "Student: Jordan Alvarez" in part(document, "page 1").text
