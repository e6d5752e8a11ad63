"""Plain text: every encoding a district's machines write decodes to the same synthetic values."""

from __future__ import annotations

import pytest

from dlp.extract.base import extractor_for
from tests.extract.conftest import FILES, make_ctx, make_item, part


@pytest.mark.parametrize(
    "name",
    [
        "note_utf8.txt",
        "note_utf8_bom.txt",
        "note_utf16le_bom.txt",
        "note_utf16be_bom.txt",
        "note_utf16le_nobom.txt",
        "note_latin1.txt",
    ],
)
def test_each_encoding_decodes_to_the_same_names_and_numbers(extract, name):
    document = extract(name)
    body = part(document, "body").text
    assert "Jordan Alvarez" in body
    assert "523-47-1186" in body
    assert "Renée Dubois" in body and "José Núñez" in body
    assert "\ufeff" not in body  # the BOM is not text


def test_windows_1252_smart_quotes_and_dash_decode_to_their_characters(extract):
    body = part(extract("note_cp1252.txt"), "body").text
    assert "\u201cPlease call Zoë Brontë\u201d \u2013 phone 617-555-0166" in body
    assert "219-09-9999" in body


def test_text_is_cut_at_max_text_chars(extract):
    body = part(extract("note_utf8.txt", max_text_chars=20), "body").text
    assert body == "Guidance note for Jo"


def test_a_multibyte_character_cut_by_the_byte_budget_is_dropped_not_garbled(extract):
    # 5 characters allowed -> 20 bytes read; the 20th byte is the first half of an "é".
    data = b"Ren" + "é".encode() * 20
    body = part(extract("cut.txt", data, max_text_chars=5), "body").text
    assert body == "Renéé"


def test_an_empty_file_has_no_parts(extract):
    assert extract("empty.txt", b"").parts == ()


def test_a_file_on_disk_is_read_from_its_path():
    item = make_item("note_utf16le_bom.txt", path=FILES / "note_utf16le_bom.txt")
    document = extractor_for("text/plain").extract(item, make_ctx())
    assert "SASID 1012345678" in part(document, "body").text


def test_markdown_and_log_files_are_read_as_text(extract):
    assert "617-555-0142" in part(extract("notes.md", b"# Call\n617-555-0142\n"), "body").text
    assert "617-555-0142" in part(extract("app.log", b"INFO phone=617-555-0142\n"), "body").text
