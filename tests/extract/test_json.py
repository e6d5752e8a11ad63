"""JSON and JSON lines: leaves with their key path, broken input as a corrupt item."""

from __future__ import annotations

import json

import pytest

from dlp.errors import ItemError
from dlp.types import Reason
from tests.extract.conftest import part


def test_leaves_outside_records_carry_their_key_path(extract):
    text = part(extract("students.json"), "json").text.split("\n")
    assert text == ["district: Example Public Schools", '["school year"]: 2025-26']


def test_an_array_of_records_is_a_table_typed_by_its_keys(extract):
    table = part(extract("students.json"), "json students")
    assert table.has_header
    assert table.rows[0] == ("name.first", "name.last", "sasid", "ssn", "dob", "guardians[0].phone",
                             "guardians[0].email")
    assert table.rows[1] == ("Jordan", "Alvarez", "1012345678", "523-47-1186", "2011-03-14", "617-555-0142",
                             "m.alvarez@example.org")
    assert len(table.rows) == 4
    assert table.text.split("\n")[3].startswith("Marcus | O'Neill | 1034567890")


def test_booleans_and_nulls_are_left_out(extract):
    document = extract("students.json")
    text = "\n".join(p.text for p in document.parts)
    assert "primary" not in text and "notes" not in text and "iep" not in text


def test_records_without_a_known_key_stay_key_paths(extract):
    data = json.dumps({"builds": [{"commit": "a1b2c3", "took": 41}, {"commit": "d4e5f6", "took": 38}]}).encode()
    document = extract("builds.json", data)
    assert [p.locator for p in document.parts] == ["json"]
    assert document.parts[0].text.split("\n") == ["builds[0].commit: a1b2c3", "builds[0].took: 41",
                                                   "builds[1].commit: d4e5f6", "builds[1].took: 38"]


def test_untyped_columns_keep_their_key_as_context(extract):
    records = [{"student_id": "204331", "case_note": "seen by nurse"}, {"student_id": "204332", "locker": 12}]
    table = part(extract("export.json", json.dumps(records).encode()), "json $")
    assert table.rows == (("student_id", "case_note", "locker"),
                          ("204331", "case_note: seen by nurse", ""),
                          ("204332", "", "locker: 12"))


def test_json_lines_records_make_a_table_and_a_stray_line_is_kept(extract):
    document = extract("students.jsonl")
    assert part(document, "json lines").text == "[3]: not json: Jordan Alvarez 617-555-0142"
    table = part(document, "json records")
    assert table.rows[3][:4] == ("Marcus", "O'Neill", "1034567890", "404-21-7753")
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
