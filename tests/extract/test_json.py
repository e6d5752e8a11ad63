"""JSON and JSON lines: leaves with their key path, broken input as a corrupt item."""

from __future__ import annotations

import json

import pytest

from dlp.errors import ItemError
from dlp.types import Reason
from tests.extract.conftest import part


def test_each_leaf_carries_its_key_path(extract):
    text = part(extract("students.json"), "json").text.split("\n")
    assert "students[0].ssn: 523-47-1186" in text
    assert "students[1].sasid: 1023456789" in text
    assert "students[2].guardians[0].email: k.oneill@example.org" in text
    assert '["school year"]: 2025-26' in text


def test_booleans_and_nulls_are_left_out(extract):
    text = part(extract("students.json"), "json").text
    assert "primary" not in text and "notes" not in text and "iep" not in text


def test_json_lines_are_numbered_like_an_array_and_a_stray_line_is_kept(extract):
    document = extract("students.jsonl")
    text = part(document, "json lines").text.split("\n")
    assert "[2].ssn: 404-21-7753" in text
    assert "[3]: not json: Jordan Alvarez 617-555-0142" in text
    assert document.media_type == "application/x-ndjson"


def test_text_that_is_neither_json_nor_json_lines_is_corrupt(extract):
    with pytest.raises(ItemError) as caught:
        extract("broken.json", b"{'name': 'Jordan Alvarez', ssn: 523-47-1186")
    assert caught.value.reason is Reason.CORRUPT
    assert "523-47-1186" not in str(caught.value) and "Jordan" not in str(caught.value)


def test_hostile_nesting_is_corrupt_not_a_recursion_crash(extract):
    with pytest.raises(ItemError) as caught:
        extract("deep.json", b"[" * 200_000 + b"]" * 200_000)
    assert caught.value.reason is Reason.CORRUPT


def test_output_with_key_paths_stops_at_max_text_chars(extract):
    # The source (about 1400 characters) fits the budget; its path-prefixed text (about 1900) does not.
    data = json.dumps({"ids": ["523-47-1186"] * 100}, separators=(",", ":")).encode()
    text = part(extract("ids.json", data, max_text_chars=1500), "json").text
    assert len(text) <= 1500
    assert text.startswith("ids[0]: 523-47-1186\nids[1]: 523-47-1186")


def test_a_document_cut_by_the_text_budget_is_scanned_as_plain_text(extract):
    document = extract("students.json", max_text_chars=100)
    assert [p.locator for p in document.parts] == ["body"]
    assert len(document.parts[0].text) <= 100
