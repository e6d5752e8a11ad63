"""Content before extension: the bytes say what an item is; a name that disagrees is noted, not obeyed."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from dlp import worker
from dlp.config import Settings
from dlp.errors import ItemError, NotExamined
from dlp.extract.base import XLSB, extractor_for, name_mismatch, sniff
from dlp.types import Item, ItemRef, Reason, Status
from tests.extract.conftest import FILES, run_extract

ROSTER_CSV = (FILES / "roster.csv").read_bytes()
PNG = (FILES / "scan.png").read_bytes()
PDF = (FILES / "report.pdf").read_bytes()


@pytest.mark.parametrize("name", ["roster.png", "roster.pdf", "roster.xlsx", "roster.docx", "roster.zip",
                                  "roster.doc", "roster.7z", "roster.gz", "roster"])
def test_a_csv_under_a_binary_name_or_none_is_read_as_csv(name: str) -> None:
    assert sniff(name, ROSTER_CSV[:8192]) == "text/csv"
    document = run_extract(name, ROSTER_CSV)
    [table] = document.parts
    assert table.rows is not None and "1012345678" in table.text


def test_the_mismatch_note_names_the_extension_and_both_types_and_no_content() -> None:
    note = name_mismatch("roster.png", "text/csv")
    assert note == "content is text/csv, not the image/png its name (.png) says"
    assert name_mismatch("roster.csv", "text/csv") is None
    assert name_mismatch("roster", "text/csv") is None  # no name, nothing to disagree with
    # One reader for both: not a mismatch worth a note.
    assert name_mismatch("photo.jpg", "image/png") is None
    assert name_mismatch("book.xlsm", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") is None
    assert name_mismatch("locked.docx", "application/x-cfb") is None  # encrypted OOXML is OLE2
    assert name_mismatch("roster.pdf", "application/x-cfb") is not None


def test_signed_content_wins_over_any_name() -> None:
    assert sniff("roster.csv", PNG[:8192]) == "image/png"
    assert sniff("notes.txt", PDF[:8192]) == "application/pdf"
    assert name_mismatch("notes.txt", "application/pdf") is not None


def test_a_text_name_stands_for_text_content() -> None:
    # A roster in a .txt stays text: the detection finds tables inside text parts.
    assert sniff("roster.txt", ROSTER_CSV[:8192]) == "text/plain"
    assert sniff("page.html", b"Name,SASID\nA,1\nB,2\nC,3\n") == "text/html"


def test_unsigned_binary_bytes_keep_the_name_they_came_with() -> None:
    blob = bytes(range(256)) * 4
    assert sniff("scan.png", blob) == "image/png"  # its reader says whether it is readable
    assert sniff("blob.bin", blob) == "application/octet-stream"


@pytest.mark.parametrize(
    ("text", "delimited"),
    [
        (b"Transportation - driver roster\n\nName,License,Phone\nAnn Lee,S12345678,617-555-0101\n"
         b"Bo Chu,S23456789,617-555-0102\nCy Dee,S34567890,617-555-0103\n", True),
        (b"SASID\tName\tGrade\n1012345678\tAnn Lee\t7\n1023456789\tBo Chu\t8\n", True),
        (b"id;name\n1;a\n2;b\n", True),
        (b"Dear families,\nThe concert is on Thursday.\nDoors open at six, and it ends at seven.\nThanks!\n", False),
        (b"Note: call home\nThanks", False),
    ],
)  # fmt: skip
def test_delimited_text_without_a_name_is_told_from_prose(text: bytes, delimited: bool) -> None:
    assert (sniff("attachment-1", text) == "text/csv") is delimited


def test_utf16_tab_separated_text_is_delimited() -> None:
    # Excel's "Unicode text" export: UTF-16 with tabs.
    text = "\ufeffSASID\tName\n1012345678\tAnn Lee\n1023456789\tBo Chu\n1034567890\tCy Dee\n".encode("utf-16-le")
    assert sniff("export", text) == "text/csv"


def _xlsb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.bin", b"\x83\x01\x00")
        archive.writestr("xl/worksheets/sheet1.bin", b"\x81\x01\x00")
    return buffer.getvalue()


def test_a_binary_workbook_is_unsupported_not_corrupt() -> None:
    data = _xlsb()
    assert sniff("grades.xlsb", data) == XLSB
    with pytest.raises(NotExamined) as caught:
        extractor_for(XLSB)
    assert caught.value.reason is Reason.UNSUPPORTED
    # Named .xlsx, it reaches the workbook reader, which says the same.
    xlsx = extractor_for("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    with pytest.raises(NotExamined) as caught:
        xlsx.extract(Item(ref=ItemRef("t", "g", "t/g"), name="grades.xlsx", data=data), _ctx())
    assert caught.value.reason is Reason.UNSUPPORTED


def _ctx():  # type: ignore[no-untyped-def]
    from tests.extract.conftest import make_ctx

    return make_ctx()


def test_a_broken_zip_is_still_a_zip_and_corrupt() -> None:
    data = (FILES / "truncated.zip").read_bytes()
    assert sniff("members.zip", data[:8192]) == "application/zip"
    with pytest.raises(ItemError) as caught:
        # Cut inside the first member's header: nothing is left to read (intact members would be read).
        run_extract("members.zip", data[:40])
    assert caught.value.reason is Reason.CORRUPT


# --- in the worker --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def engine() -> None:
    worker.init_worker(Settings(), b"k" * 32, False)


def _judge(tmp_path: Path, name: str, data: bytes):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_bytes(data)
    ref = ItemRef(source="t", item_id=name, uri=f"share/{name}", local_path=str(path))
    return worker.process_item(Item(ref=ref, name=name, path=str(path)))


def test_a_roster_renamed_png_is_scanned_as_csv_and_the_mismatch_recorded(engine: None, tmp_path: Path) -> None:
    [result] = _judge(tmp_path, "holiday.png", ROSTER_CSV)
    assert (result.status, result.media_type) == (Status.SCANNED, "text/csv")
    assert result.detail == "content is text/csv, not the image/png its name (.png) says"
    assert {"US_SSN", "PERSON"} <= {f.entity for f in result.findings}


def test_a_pdf_named_txt_is_read_as_pdf(engine: None, tmp_path: Path) -> None:
    [result] = _judge(tmp_path, "notes.txt", PDF)
    assert (result.status, result.media_type) == (Status.SCANNED, "application/pdf")
    assert result.detail is not None and "(.txt)" in result.detail
    assert any(f.entity == "US_SSN" for f in result.findings)


def test_a_binary_workbook_is_not_examined_as_unsupported(engine: None, tmp_path: Path) -> None:
    [result] = _judge(tmp_path, "grades.xlsb", _xlsb())
    assert (result.status, result.reason) == (Status.NOT_EXAMINED, Reason.UNSUPPORTED)


def test_a_matching_name_gets_no_note(engine: None, tmp_path: Path) -> None:
    [result] = _judge(tmp_path, "roster.csv", ROSTER_CSV)
    assert result.status is Status.SCANNED and result.detail is None
