"""Word documents: body, tables, headers and footers; broken and bomb packages."""

from __future__ import annotations

import io
import zipfile

import pytest

from dlp.errors import ItemError, NotExamined
from dlp.types import Reason
from tests.extract.conftest import FILES, part, text_of

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _package(document_xml: str, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal .docx around a hand-written document.xml."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        archive.writestr("word/document.xml", f'<?xml version="1.0"?><w:document {W}><w:body>{document_xml}'
                         "</w:body></w:document>")  # fmt: skip
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_body_paragraphs_are_read_in_order_with_runs_joined(extract):
    body = part(extract("iep_notes.docx"), "body").text.split("\n")
    assert body == [
        "Team meeting notes",
        "Student: Jordan Alvarez, date of birth 2011-03-14.",
        "SSN 523-47-1186 confirmed with guardian.",
        "Next review in June.",
    ]


def test_a_table_becomes_a_part_with_rows_and_a_header(extract):
    table = part(extract("iep_notes.docx"), "table 1")
    assert table.rows[0] == ("Student Name", "SASID", "Guardian Phone")
    assert table.rows[2] == ("Priya Natarajan", "1023456789", "617-555-0178")
    assert table.has_header is True
    assert "Marcus O'Neill | 1034567890 | 617-555-0131" in table.text


def test_header_and_footer_are_their_own_parts(extract):
    document = extract("iep_notes.docx")
    assert part(document, "header").text == "CONFIDENTIAL - Student Services - SASID 1012345678"
    assert part(document, "footer").text == "Prepared by Dana Whitfield, 617-555-0190"


def test_content_controls_and_text_boxes_are_not_skipped(extract):
    xml = (
        "<w:sdt><w:sdtContent><w:p><w:r><w:t>Control: 1012345678</w:t></w:r></w:p></w:sdtContent></w:sdt>"
        "<w:p><w:r><w:t>Anchor</w:t></w:r><w:r><w:pict><w:txbxContent><w:p><w:r>"
        "<w:t>Box: 523-47-1186</w:t></w:r></w:p></w:txbxContent></w:pict></w:r></w:p>"
    )
    body = part(extract("form.docx", _package(xml)), "body").text.split("\n")
    assert body == ["Control: 1012345678", "Anchor", "Box: 523-47-1186"]


def test_a_truncated_document_is_corrupt(extract):
    with pytest.raises(ItemError) as caught:
        extract("truncated.docx")
    assert caught.value.reason is Reason.CORRUPT


def test_a_zip_without_a_word_document_is_corrupt(extract):
    data = (FILES / "members.zip").read_bytes()
    with pytest.raises(ItemError) as caught:
        extract("renamed.docx", data)
    assert caught.value.reason is Reason.CORRUPT


def test_a_package_that_would_inflate_past_the_limit_is_a_bomb_and_not_parsed(extract):
    data = _package("<w:p><w:r><w:t>x</w:t></w:r></w:p>", {"word/media/padding.bin": b"\0" * (3 << 20)})
    with pytest.raises(NotExamined) as caught:
        extract("bomb.docx", data, max_expanded_bytes=1 << 20)
    assert caught.value.reason is Reason.BOMB


def test_everything_is_in_the_text(extract):
    text = text_of(extract("iep_notes.docx"))
    for value in ("523-47-1186", "1012345678", "617-555-0131", "617-555-0190"):
        assert value in text
