"""HTML: what a reader sees, without scripts, styles or comments; tables with rows."""

from __future__ import annotations

from tests.extract.conftest import part, text_of


def test_visible_text_is_kept_and_inline_markup_does_not_split_a_name(extract):
    body = part(extract("roster.html"), "body").text
    assert "Contact Jordan Alvarez's guardian at m.alvarez@example.org." in body
    assert "Nurse visit: SSN 523-47-1186\nfollow up Friday" in body
    assert body.startswith("Grade 6 Roster")  # the title


def test_scripts_styles_and_comments_are_not_text(extract):
    text = text_of(extract("roster.html"))
    assert "SCRIPT-ONLY-TEXT" not in text
    assert "999-99-9999" not in text
    assert "COMMENT-ONLY-TEXT" not in text


def test_a_table_becomes_a_part_with_rows_and_a_header_and_is_not_repeated_in_the_body(extract):
    document = extract("roster.html")
    table = part(document, "table 1")
    assert table.rows[0] == ("Student", "SASID", "Phone")
    assert table.rows[1] == ("Jordan Alvarez", "1012345678", "617-555-0142")
    assert table.has_header is True
    assert "1023456789" not in part(document, "body").text


def test_hidden_form_values_are_scanned(extract):
    assert "1099887766" in part(extract("roster.html"), "body").text


def test_a_nested_table_flattens_into_its_cell(extract):
    html = (
        b"<table><tr><td>Outer</td><td><table><tr><td>Inner 523-47-1186</td></tr></table></td></tr></table>"
    )
    document = extract("nested.html", html)
    assert [p.locator for p in document.parts] == ["table 1"]
    assert part(document, "table 1").rows == (("Outer", "Inner 523-47-1186"),)


def test_declared_charset_is_honoured(extract):
    html = '<html><head><meta charset="windows-1252"></head><body>Renée – 617-555-0142</body></html>'
    body = part(extract("page.htm", html.encode("cp1252")), "body").text
    assert body == "Renée – 617-555-0142"


def test_garbage_does_not_crash_the_parser(extract):
    document = extract("junk.html", b"<<<>>><table><tr><td>\x00\xff</b></i></table></tr>")
    assert isinstance(document.parts, tuple)
