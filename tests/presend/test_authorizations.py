"""Authorizations: validation at start-up, matching, dates, and the spreadsheet import (no raw IDs written)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dlp.config import from_dict
from dlp.errors import ConfigError
from dlp.policy.authorizations import from_table, import_csv, load_all, student_hash
from tests.presend.conftest import KEY, SASID_A, SASID_B, SASID_C

BASE = {"id": "DPA-1", "kind": "dpa", "party": "Example Learning Inc.", "recipients": ["vendor.example"],
        "data_categories": ["student_name"], "effective": dt.date(2025, 7, 1), "expires": dt.date(2026, 6, 30)}


@pytest.mark.parametrize(("change", "says"), [
    ({"kind": "handshake"}, "kind = 'handshake'; use one of dpa"),
    ({"data_categories": ["shoe_size"]}, "data_categories entry 'shoe_size' is not a data category"),
    ({"recipients": ["not a domain"]}, "recipients entry 'not a domain'"),
    ({"expires": "June 2026"}, "expires must be a date"),
    ({"expires": dt.date(2025, 1, 1)}, "is before effective"),
    ({"colour": "blue"}, "unknown field 'colour'"),
    ({"student_hashes": ["abc"]}, "student_hashes entries must be 32 hex digits"),
])
def test_a_bad_entry_is_refused_naming_the_entry_and_field(change: dict[str, object], says: str) -> None:
    with pytest.raises(ConfigError) as err:
        from_table({**BASE, **change}, KEY, "dlp.toml")
    assert "DPA-1" in str(err.value) and says in str(err.value)


def test_a_missing_field_is_named() -> None:
    table = {k: v for k, v in BASE.items() if k != "expires"}
    with pytest.raises(ConfigError, match="authorization 'DPA-1': missing field 'expires'"):
        from_table(table, KEY, "dlp.toml")


def test_duplicate_ids_are_refused() -> None:
    settings = from_dict({"authorizations": [BASE, BASE]})
    with pytest.raises(ConfigError, match="defined twice"):
        load_all(settings, KEY)


def test_recipients_match_domains_with_subdomains_and_addresses_exactly() -> None:
    auth = from_table({**BASE, "recipients": ["vendor.example", "Records@Partner.example"]}, KEY, "t")
    assert auth.covers_recipient("ops@vendor.example")
    assert auth.covers_recipient("ops@eu.vendor.example")
    assert not auth.covers_recipient("ops@evilvendor.example")
    assert auth.covers_recipient("RECORDS@partner.example")
    assert not auth.covers_recipient("billing@partner.example")


def test_dates_are_inclusive_and_the_reason_says_which() -> None:
    auth = from_table(BASE, KEY, "t")
    assert auth.date_problem(dt.date(2025, 7, 1)) is None and auth.date_problem(dt.date(2026, 6, 30)) is None
    assert auth.date_problem(dt.date(2026, 7, 1)) == "DPA-1 expired on 2026-06-30"
    assert auth.date_problem(dt.date(2025, 6, 30)) == "DPA-1 is not effective until 2025-07-01"


def test_student_ids_are_kept_as_keyed_hashes_of_their_digits() -> None:
    auth = from_table({**BASE, "students": [SASID_A, f"S-{SASID_B}"]}, KEY, "t")
    assert auth.students == {student_hash(KEY, SASID_A), student_hash(KEY, SASID_B)}
    assert SASID_A not in repr(auth)
    assert student_hash(KEY, SASID_A) != student_hash(b"another key" * 3, SASID_A)


def test_a_date_of_birth_is_covered_by_demographics_or_date_of_birth() -> None:
    auth = from_table({**BASE, "data_categories": ["student_name", "demographics"]}, KEY, "t")
    assert auth.missing_categories(["student_name", "date_of_birth"]) == []
    auth = from_table({**BASE, "data_categories": ["student_name", "date_of_birth"]}, KEY, "t")
    assert auth.missing_categories(["date_of_birth", "demographics"], dob_only_demographics=True) == []
    assert auth.missing_categories(["date_of_birth", "demographics"]) == ["demographics"]


CSV = (
    "id,kind,party,recipients,data_categories,students,effective,expires\n"
    "DPA-2025-014,dpa,Example Learning Inc.,example-learning.example; records@partner.example,"
    '"student_name,student_id,assessment",,2025-07-01,2026-06-30\n'
    "REL-2026-001,release,Partner Clinic,records@clinic.example,student_name;student_id,"
    f'"{SASID_A}; {SASID_B}",9/1/2025,8/31/2026\n'
)


def test_the_spreadsheet_import_writes_hashed_students_only(tmp_path: Path) -> None:
    source = tmp_path / "agreements.csv"
    source.write_text(CSV, encoding="utf-8")
    out = tmp_path / "authorizations.toml"
    summary = import_csv(source, out, KEY)
    written = out.read_text(encoding="utf-8")
    assert SASID_A not in written and SASID_B not in written
    assert student_hash(KEY, SASID_A) in written
    assert out.stat().st_mode & 0o077 == 0
    assert len(summary.authorizations) == 2 and summary.students == 2
    assert any("REL-2026-001: release" in line and "2 students" in line for line in summary.lines())
    settings = from_dict({"authorizations_file": str(out)})
    loaded = {a.id: a for a in load_all(settings, KEY)}
    assert loaded["REL-2026-001"].students == {student_hash(KEY, SASID_A), student_hash(KEY, SASID_B)}
    assert loaded["REL-2026-001"].effective == dt.date(2025, 9, 1)
    assert loaded["DPA-2025-014"].recipients == ("example-learning.example", "records@partner.example")
    assert not loaded["DPA-2025-014"].students
    # Under another key the hashes would never match: refused, not silently ignored.
    with pytest.raises(ConfigError, match="another key"):
        load_all(settings, b"x" * 32)


def test_a_bad_row_names_its_line_and_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "agreements.csv"
    source.write_text(CSV.replace("release", "handshake") + f"X,dpa,P,p.example,student_name,{SASID_C},"
                      "2025-01-01,2025-12-31\n", encoding="utf-8")
    out = tmp_path / "a.toml"
    with pytest.raises(ConfigError, match="line 3") as err:
        import_csv(source, out, KEY)
    assert SASID_A not in str(err.value) and not out.exists()
