"""OLE2 files: Outlook MSG, Excel/Word/PowerPoint 97-2003 and encrypted OOXML, dispatched by their streams.

Legacy .doc files cannot be written without Word or LibreOffice, so the converters are tested on the
Apache Tika corpus (skipped when absent) and the built-in fallbacks on synthetic OLE2 files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dlp.errors import ItemError, NotExamined
from dlp.extract import ole
from dlp.types import Reason
from tests.extract.conftest import FILES, PASSWORD, part, run_extract, text_of

TIKA = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "apache-tika-test-documents" / "microsoft"
needs_tika = pytest.mark.skipif(not TIKA.is_dir(), reason=f"corpus not present: {TIKA}")


def _tool(name: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        shutil.which(name) is None, reason=f"{name} is not installed (apt-get install antiword catdoc)"
    )


def test_msg_headers_body_and_attachments(extract):
    document = extract("roster_mail.msg")
    assert part(document, "header Subject").text == "Roster for Jordan Alvarez (SASID 1012345678)"
    assert part(document, "header From").text == "Dana Whitfield"
    assert "ops@vendor.example.com" in part(document, "header To").text
    assert "523-47-1186" in part(document, "body").text
    assert [c.name for c in document.children] == ["roster.csv", "contacts.msg"]
    assert document.children[0].data == (FILES / "roster.csv").read_bytes()


def test_an_attached_msg_is_a_child_read_as_msg_again(extract):
    inner = extract("roster_mail.msg").children[1]
    document = extract(inner.name, inner.data)
    assert part(document, "header Subject").text == "Guardian contacts"
    assert "617-555-0178" in part(document, "body").text


@needs_tika
def test_an_embedded_msg_attachment_is_exported_as_msg_bytes():
    document = run_extract("testMSG_att_msg.msg", (TIKA / "testMSG_att_msg.msg").read_bytes())
    embedded = [c for c in document.children if c.name.endswith(".msg")]
    assert embedded and embedded[0].data.startswith(b"\xd0\xcf\x11\xe0")
    inner = run_extract(embedded[0].name, embedded[0].data)
    assert any(p.locator == "header Subject" for p in inner.parts)


def test_xls_sheets_are_parts_with_rows(extract):
    sheet = part(extract("roster.xls"), "sheet Roster")
    assert sheet.has_header
    assert sheet.rows[1] == ("Jordan Alvarez", "1012345678", "523-47-1186", "2011-03-14")


def test_doc_without_a_converter_falls_back_to_text_runs(extract, monkeypatch):
    monkeypatch.setattr(ole.shutil, "which", lambda name: None)
    document = extract("fallback.doc")
    assert part(document, "body (text runs)").text == "Evaluation of Marcus O'Neill, SSN 404-21-7753."


def test_ppt_without_catppt_falls_back_to_text_records(extract, monkeypatch):
    monkeypatch.setattr(ole.shutil, "which", lambda name: None)
    text = part(extract("fallback.ppt"), "slides (text records)").text
    assert text == "Attendance review: Priya Natarajan\nSASID 1023456789"


@needs_tika
@_tool("antiword")
def test_doc_through_antiword():
    document = run_extract("testWORD.doc", (TIKA / "testWORD.doc").read_bytes())
    assert "Sample Word Document" in part(document, "body (antiword)").text


@needs_tika
@_tool("catppt")
def test_ppt_through_catppt():
    document = run_extract("testPPT.ppt", (TIKA / "testPPT.ppt").read_bytes())
    assert "Sample Powerpoint Slide" in part(document, "slides (catppt)").text


@needs_tika
@pytest.mark.parametrize(
    "name", ["testWORD_protected_passtika.doc", "testEXCEL_protected_passtika.xls"]
)  # fmt: skip
def test_legacy_rc4_files_are_detected_and_opened_with_the_password(name):
    data = (TIKA / name).read_bytes()
    with pytest.raises(NotExamined) as caught:
        run_extract(name, data)
    assert (caught.value.reason, caught.value.encrypted) == (Reason.ENCRYPTED, True)
    assert (caught.value.cipher, caught.value.key_bits) == ("RC4", 40)
    document = run_extract(name, data, passwords=("wrong", "tika"))
    assert (document.encrypted, document.cipher, document.key_bits) == (True, "RC4", 40)
    assert "encrypted" in text_of(document).lower() or "Encrypted" in text_of(document)


def test_encrypted_ooxml_is_not_examined_with_cipher_and_key_bits(extract):
    with pytest.raises(NotExamined) as caught:
        extract("iep_notes_encrypted.docx", passwords=("wrong",))
    error = caught.value
    assert (error.reason, error.encrypted, error.cipher, error.key_bits) == (Reason.ENCRYPTED, True, "AES-256", 256)


def test_encrypted_ooxml_opened_by_a_password_is_one_child_named_after_the_item(extract):
    document = extract("iep_notes_encrypted.docx", passwords=("wrong", PASSWORD))
    (child,) = document.children
    assert child.name == "iep_notes_encrypted.docx"
    assert (document.encrypted, document.cipher, document.key_bits) == (True, "AES-256", 256)
    inner = extract(child.name, child.data)
    assert inner.media_type.endswith("wordprocessingml.document")
    assert "523-47-1186" in text_of(inner)


def test_standard_encryption_header_names_its_algorithm():
    import struct

    # version 3.2, flags, header size, then Flags, SizeExtra, AlgID (AES-192), AlgIDHash, KeySize.
    header = struct.pack("<HHII", 3, 2, 0x24, 0) + struct.pack("<IIIII", 0x24, 0, 0x660F, 0x8004, 192)
    assert ole.encryption_info_cipher(header) == ("AES-192", 192)


def test_an_unknown_ole_file_is_unsupported(extract):
    from tests.fixtures.make_fixtures import _ole

    with pytest.raises(NotExamined) as caught:
        extract("thing.bin", _ole({"VisioDocument": b"x" * 100}))
    assert caught.value.reason is Reason.UNSUPPORTED


def test_a_truncated_ole_file_is_corrupt(extract):
    data = (FILES / "roster.xls").read_bytes()
    with pytest.raises(ItemError) as caught:
        extract("roster.xls", data[:1024])
    assert caught.value.reason is Reason.CORRUPT


def test_printable_runs_keep_utf16_and_ascii_text_in_order():
    blob = b"\x01\x02" + "SSN 523-47-1186".encode("utf-16-le") + b"\x00\xff\x03" + b"Jordan Alvarez" + b"\x00"
    assert ole.printable_runs(blob) == "SSN 523-47-1186\nJordan Alvarez"
