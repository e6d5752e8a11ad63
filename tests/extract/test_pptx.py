"""PPTX: one part per slide, tables as rows, speaker notes; broken packages are corrupt."""

from __future__ import annotations

import pytest

from dlp.errors import ItemError
from dlp.types import Reason
from tests.extract.conftest import FILES, part


def test_slides_notes_and_tables_are_parts(extract):
    document = extract("slides.pptx")
    assert [p.locator for p in document.parts] == ["slide 1", "slide 1 notes", "slide 2", "slide 2 table 1"]
    assert "523-47-1186" in part(document, "slide 1").text
    assert "617-555-0142" in part(document, "slide 1 notes").text
    table = part(document, "slide 2 table 1")
    assert table.rows[0] == ("Student Name", "SASID", "SSN") and table.has_header
    assert table.rows[1] == ("Jordan Alvarez", "1012345678", "523-47-1186")


def test_slides_past_max_pages_are_counted_not_read(extract):
    document = extract("slides.pptx", max_pages=1)
    assert [p.locator for p in document.parts] == ["slide 1", "slide 1 notes"]
    assert document.untexted_pages == 1


def test_a_truncated_presentation_is_corrupt(extract):
    data = (FILES / "slides.pptx").read_bytes()
    with pytest.raises(ItemError) as caught:
        extract("slides.pptx", data[: len(data) // 2])
    assert caught.value.reason is Reason.CORRUPT
