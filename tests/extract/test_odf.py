"""OpenDocument: text, sheets with rows, slides with notes; encryption detected; bombs and XML attacks refused."""

from __future__ import annotations

import io
import zipfile

import pytest

from dlp.errors import ItemError, NotExamined
from dlp.types import Reason
from tests.extract.conftest import FILES, part


def test_text_document_body_and_table(extract):
    document = extract("letter.odt")
    body = part(document, "body").text
    assert "Student Jordan Alvarez, SASID 1012345678." in body
    assert "SSN:\t523-47-1186" in body
    assert part(document, "table 1").rows == (
        ("Guardian Phone", "Guardian Email"),
        ("617-555-0142", "m.alvarez@example.org"),
    )


def test_spreadsheet_rows_with_repeated_empty_cells_and_rows_not_expanded(extract):
    sheet = part(extract("roster.ods"), "sheet Roster")
    assert sheet.has_header
    assert sheet.rows[1][:3] == ("Jordan Alvarez", "1012345678", "523-47-1186")
    assert len(sheet.rows) == 4 and all(len(row) == 6 for row in sheet.rows)


def test_presentation_slides_and_notes(extract):
    document = extract("slides.odp")
    assert [p.locator for p in document.parts] == ["slide 1", "slide 2", "slide 2 notes"]
    assert "SASID 1023456789" in part(document, "slide 2").text
    assert "617-555-0178" in part(document, "slide 2 notes").text


def test_an_encrypted_package_is_not_examined_with_its_cipher(extract):
    with pytest.raises(NotExamined) as caught:
        extract("encrypted.odt")
    error = caught.value
    assert (error.reason, error.encrypted, error.cipher, error.key_bits) == (Reason.ENCRYPTED, True, "AES-256", 256)


def _package(content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        package.writestr("content.xml", content)
    return buffer.getvalue()


def test_entity_expansion_is_refused_as_corrupt(extract):
    laughs = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">' + b"".join(
        f'<!ENTITY a{i} "{"&a;" * 10 if i == 0 else f"&a{i - 1};" * 10}">'.encode() for i in range(9)
    ) + b"]><d>&a8;</d>"
    with pytest.raises(ItemError) as caught:
        extract("laughs.odt", _package(laughs))
    assert caught.value.reason is Reason.CORRUPT


def test_external_entities_are_refused(extract):
    xxe = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>'
    with pytest.raises(ItemError):
        extract("xxe.odt", _package(xxe))


def test_a_package_without_content_and_a_truncated_one_are_corrupt(extract):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    for data in (buffer.getvalue(), (FILES / "letter.odt").read_bytes()[:300]):
        with pytest.raises(ItemError) as caught:
            extract("broken.odt", data)
        assert caught.value.reason is Reason.CORRUPT
