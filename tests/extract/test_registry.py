"""The extractors are found by the registry, and sniff() sends every fixture to the right one."""

from __future__ import annotations

import pytest

from dlp.extract.base import known_media_types, sniff
from tests.extract.conftest import FILES

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

EXPECTED = {
    "note_utf8.txt": "text/plain",
    "note_utf8_bom.txt": "text/plain",
    "note_utf16le_bom.txt": "text/plain",
    "note_utf16be_bom.txt": "text/plain",
    "note_utf16le_nobom.txt": "text/plain",
    "note_latin1.txt": "text/plain",
    "note_cp1252.txt": "text/plain",
    "roster.csv": "text/csv",
    "roster.tsv": "text/csv",
    "export_semicolon.csv": "text/csv",
    "students.json": "application/json",
    "students.jsonl": "application/json",
    "roster.html": "text/html",
    "iep_notes.docx": DOCX,
    "truncated.docx": DOCX,
    "roster.xlsx": XLSX,
    "truncated.xlsx": XLSX,
    "report.pdf": "application/pdf",
    "report_protected.pdf": "application/pdf",
    "report_owner_only.pdf": "application/pdf",
    "corrupt.pdf": "application/pdf",
    "roster_mail.eml": "message/rfc822",
    "forward.eml": "message/rfc822",
    "malformed.eml": "message/rfc822",
    "members.zip": "application/zip",
    "aes256.zip": "application/zip",
    "zipcrypto.zip": "application/zip",
    "nested.zip": "application/zip",
    "truncated.zip": "application/zip",
    # issue 4 formats
    "slides.pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "note.rtf": "application/rtf",
    "letter.odt": "application/vnd.oasis.opendocument",
    "roster.ods": "application/vnd.oasis.opendocument",
    "slides.odp": "application/vnd.oasis.opendocument",
    "encrypted.odt": "application/vnd.oasis.opendocument",
    "roster.xls": "application/x-cfb",
    "fallback.doc": "application/x-cfb",
    "fallback.ppt": "application/x-cfb",
    "roster_mail.msg": "application/x-cfb",
    "iep_notes_encrypted.docx": "application/x-cfb",
    "members.tar": "application/x-tar",
    "members.tar.gz": "application/gzip",
    "note.txt.bz2": "application/x-bzip2",
    "note.txt.xz": "application/x-xz",
    "members.7z": "application/x-7z-compressed",
    "members_aes.7z": "application/x-7z-compressed",
    "meeting.ics": "text/calendar",
    "contacts.vcf": "text/calendar",
    "archive.mbox": "application/mbox",
    "1736947800.M1P2.mailhost": "message/rfc822",  # a Maildir message file: no extension
    "scan.png": "image/png",
}


def test_every_fixture_has_an_expected_media_type():
    assert sorted(EXPECTED) == sorted(p.name for p in FILES.iterdir())


@pytest.mark.parametrize(("name", "media_type"), sorted(EXPECTED.items()))
def test_sniff_picks_the_extractor_of_each_fixture(name, media_type):
    assert sniff(name, (FILES / name).read_bytes()[:8192]) == media_type
    assert media_type in known_media_types()


@pytest.mark.parametrize(
    ("name", "media_type"),
    [("iep_notes.docx", DOCX), ("roster.xlsx", XLSX), ("report.pdf", "application/pdf"),
     ("members.zip", "application/zip")],
)  # fmt: skip
def test_binary_formats_are_recognised_by_content_without_a_file_name(name, media_type):
    assert sniff("attachment-1", (FILES / name).read_bytes()[:8192]) == media_type


def test_each_format_family_has_its_extractor():
    names = set(known_media_types().values())
    assert {"text", "delimited", "json", "html", "docx", "xlsx", "pdf", "eml", "zip"} <= names
    assert {"pptx", "rtf", "odf", "ole", "mbox", "tar", "gzip", "bzip2", "xz", "7z", "calendar", "image"} <= names


def test_unnamed_mail_html_and_late_content_types_are_sniffed_by_content() -> None:
    from dlp.extract.base import sniff

    mail = b"Received: from mx.example.org\r\nFrom: a@example.org\r\nSubject: hi\r\n\r\nbody"
    assert sniff("attachment-1", mail) == "message/rfc822"
    assert sniff("attachment-2", b"Note: call home\nThanks") == "text/plain"
    assert sniff("page", b"  <!DOCTYPE html><html><body>x</body></html>") == "text/html"
    # A workbook whose writer put [Content_Types].xml last: only the central directory names it.
    head = b"PK\x03\x04" + b"\x00" * 26 + b"xl/worksheets/sheet1.xml" + b"\x00" * 9000
    tail = b"PK\x01\x02 ... xl/workbook.xml ... [Content_Types].xml PK\x05\x06"
    assert sniff("attachment-3", head, tail).endswith("spreadsheetml.sheet")
    assert sniff("archive.bin", head) == "application/zip"
