"""Roster import through the real command line: only keyed hashes are kept, re-imports replace, bad files
are refused. Every name and number here is invented."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from dlp import cli
from dlp.config import DetectSettings
from dlp.detect.engine import engine_version
from dlp.detect.values import load_or_create_key
from dlp.roster import (
    RosterIndex,
    digest,
    digits_only,
    fold_name,
    map_headers,
    name_forms,
    name_variants,
    rostered_people,
    safe_header,
    student_hashes,
)

ROOT = Path(__file__).resolve().parents[1]

STUDENTS = [
    # First, Last, Middle, Preferred, SASID, local ID, DOB
    ("William", "Okafor", "Tobenna", "", "1048820317", "204518", "2011-04-12"),
    ("Jordan", "Álvarez", "Maria", "", "1093310428", "204519", "2012-01-30"),
    ("Zephyrine", "Quillfeather-Nunez", "", "Zee", "1077215531", "204520", "2010-09-02"),
    ("Ngozi", "O'Pembleton", "", "", "1062238840", "204521", "2011-11-19"),
]
EMPLOYEES = [
    # First, Last, Employee ID, MEPID
    ("Dorcas", "Wrenfield", "E-550912", "80412267"),
    ("Tobias", "Marchetti", "E-550913", "80412268"),
]


def write_students(path: Path, rows=STUDENTS) -> Path:
    lines = ["Student First Name,Last Name,Middle,Nickname,SASID,Student #,DOB"]
    lines += [",".join(r) for r in rows]
    lines += [",,,,,,", "Ana,,,,,,"]  # an empty row; a row with no last name and no ID
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_employees(path: Path) -> Path:
    lines = ["Last Name\tFirst Name\tEmployee ID\tMEPID"]
    lines += ["\t".join((last, first, emp, mepid)) for first, last, emp, mepid in EMPLOYEES]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("DLP_HOME", str(home))
    return home


def roster_import(path: Path, kind: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(["roster", "import", str(path), "--kind", kind])
    out, err = capsys.readouterr()
    return code, out, err


def index(home: Path) -> RosterIndex:
    loaded = RosterIndex.load(load_or_create_key(home / "hmac.key"), home / "roster.sqlite")
    assert loaded is not None
    return loaded


def test_import_keeps_only_hashes_and_prints_counts(home: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = roster_import(write_students(tmp_path / "sis.csv"), "student", capsys)
    assert code == 0, err
    assert "rows read: 6" in out and "people: 4" in out
    assert "1 empty" in out and "1 with no full name and no ID" in out
    roster = home / "roster.sqlite"
    assert roster.stat().st_mode & 0o777 == 0o600
    raw = roster.read_bytes()
    printed = (out + err).casefold()
    for row in STUDENTS:
        for value in row:
            if not value:
                continue
            for form in {value, value.casefold(), value.upper(), fold_name(value)}:
                assert form.encode() not in raw, "a raw value reached the roster file"
                assert form.encode("utf-16-le") not in raw
            assert value.casefold() not in printed, "a raw value was printed"
    for form in ("william okafor", "bill okafor", "okafor william", "1048820317"):
        assert form.encode() not in raw
    # The import log holds counts, not values.
    with sqlite3.connect(roster) as conn:
        (log,) = conn.execute("SELECT file_name, kind, rows, people FROM imports").fetchall()
    assert log == ("sis.csv", "student", 6, 4)


def test_imported_people_are_found_by_name_nickname_and_id(home: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    roster_import(write_students(tmp_path / "sis.csv"), "student", capsys)
    idx = index(home)
    william = idx.lookup("1048820317")
    assert william is not None and william.entity == "MA_SASID" and william.kind == "student"
    for form in ("william okafor", "bill okafor", "okafor bill", "w okafor", "william tobenna okafor",
                 "okafor william t"):
        found = idx.lookup(form)
        assert found is not None and found.subject == william.subject, form
    assert idx.lookup("alvarez jordan").subject == idx.lookup("204519").subject  # type: ignore[union-attr]
    assert idx.lookup("204519").entity == "STUDENT_ID"  # type: ignore[union-attr]
    assert idx.lookup("zee quillfeather nunez") is not None
    assert idx.lookup("ngozi opembleton") is not None
    assert idx.lookup("okafor") is None  # one word alone is never a form
    assert idx.lookup("jordan okafor") is None


def test_reimport_of_a_kind_replaces_it_and_leaves_the_other_kind(home: Path, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    roster_import(write_students(tmp_path / "sis.csv"), "student", capsys)
    code, out, _ = roster_import(write_employees(tmp_path / "hr.tsv"), "employee", capsys)
    assert code == 0 and "people: 2" in out
    idx = index(home)
    assert idx.lookup("william okafor") is not None
    dorcas = idx.lookup("dorcas wrenfield")
    assert dorcas is not None and dorcas.kind == "employee"
    assert idx.lookup("550912").entity == "EMPLOYEE_ID"  # type: ignore[union-attr]
    assert idx.lookup("80412267").entity == "MA_MEPID"  # type: ignore[union-attr]

    roster_import(write_students(tmp_path / "sis2.csv", STUDENTS[2:]), "student", capsys)
    idx = index(home)
    assert idx.lookup("william okafor") is None and idx.lookup("1048820317") is None
    assert idx.lookup("zee quillfeather nunez") is not None
    assert idx.lookup("dorcas wrenfield") is not None
    with sqlite3.connect(home / "roster.sqlite") as conn:
        kinds = dict(conn.execute("SELECT kind, COUNT(*) FROM people GROUP BY kind").fetchall())
    assert kinds == {"student": 2, "employee": 2}


def test_rostered_people_give_each_subject_its_kind_and_student_id_digests(home: Path, tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    roster_import(write_students(tmp_path / "sis.csv"), "student", capsys)
    roster_import(write_employees(tmp_path / "hr.tsv"), "employee", capsys)
    key = load_or_create_key(home / "hmac.key")
    people = rostered_people(home / "roster.sqlite")
    william = index(home).lookup("william okafor")
    assert william is not None and william.subject is not None
    sasid, local = (digest(key, digits_only(v)).hex() for v in ("1048820317", "204518"))
    assert people[william.subject] == ("student", frozenset({sasid, local}))
    kinds = sorted(p.kind for p in people.values())
    assert kinds == ["employee"] * 2 + ["student"] * 4
    # An employee's IDs are no student IDs.
    assert all(not p.student_ids for p in people.values() if p.kind == "employee")
    assert student_hashes(home / "roster.sqlite", local) == {sasid, local, william.subject}
    assert student_hashes(home / "roster.sqlite", digest(key, "550912").hex()) == set()
    assert rostered_people(home / "none.sqlite") == {}


def test_a_file_without_a_name_column_exits_2_naming_its_columns(home: Path, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("Grade,Homeroom,Bus Route\n4,12B,14\n", encoding="utf-8")
    code, out, err = roster_import(bad, "student", capsys)
    assert code == 2
    assert "no name column" in err and "Grade, Homeroom, Bus Route" in err
    assert not (home / "roster.sqlite").exists()


def test_a_headerless_file_is_refused_without_printing_its_values(home: Path, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "noheader.csv"
    bad.write_text("Jordan,Alvarez,1093310428\n", encoding="utf-8")
    code, _, err = roster_import(bad, "student", capsys)
    assert code == 2
    assert "Jordan" not in err and "Alvarez" not in err and "1093310428" not in err


def test_missing_file_and_wrong_kind_are_usage_errors(home: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert roster_import(tmp_path / "nope.csv", "student", capsys)[0] == 2
    with pytest.raises(SystemExit) as exc:
        cli.main(["roster", "import", str(tmp_path / "x.csv"), "--kind", "parent"])
    assert exc.value.code == 2


def test_xlsx_roster_with_a_one_column_name(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Roster export 2025-26"])  # a title row before the header
    sheet.append(["Student Name", "State ID", "Grade"])
    sheet.append(["Okafor, William T", 1048820317, 4])
    sheet.append(["Jordan Maria Alvarez", 1093310428, 3])
    path = tmp_path / "sis.xlsx"
    book.save(path)
    code, out, err = roster_import(path, "student", capsys)
    assert code == 0, err
    assert "people: 2" in out
    idx = index(home)
    assert idx.lookup("bill okafor") is not None and idx.lookup("1048820317") is not None
    assert idx.lookup("jordan m alvarez") is not None


def test_importing_a_roster_changes_the_engine_version(home: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    before = engine_version(DetectSettings())
    roster_import(write_students(tmp_path / "sis.csv"), "student", capsys)
    after = engine_version(DetectSettings())
    assert before != after
    roster_import(write_students(tmp_path / "sis.csv", STUDENTS[:1]), "student", capsys)
    assert engine_version(DetectSettings()) not in (before, after)


def test_header_aliases_nicknames_and_forms() -> None:
    cols = map_headers(["Student #", "LAST_NAME", "first name", "Preferred Name", "State ID", "Birthdate", "MI"])
    assert cols == {"local_id": 0, "last": 1, "first": 2, "preferred": 3, "sasid": 4, "dob": 5, "middle": 6}
    assert {"bill", "will", "liam", "william"} <= name_variants("william")
    assert "william" in name_variants("bill") and "liam" not in name_variants("bill")
    assert {"ted", "edward", "theodore"} <= name_variants("ted")
    assert fold_name("  O’Brien-Núñez,  J. ") == "obrien nunez j"
    forms = name_forms("Elizabeth", "Ng", "Ann")
    assert {"elizabeth ng", "liz ng", "ng beth", "e ng", "ng e", "elizabeth a ng", "ng elizabeth ann"} <= forms
    assert name_forms("Cher", "") == set()
    assert safe_header("Student First Name") == "Student First Name"
    assert safe_header("Jordan") == "J*****" and safe_header("David") == "D****"


@pytest.mark.slow
def test_a_scan_finds_rostered_people_that_ner_misses(tmp_path: Path) -> None:
    """End to end through the real command line: import, then scan a share."""
    env = {**os.environ, "DLP_HOME": str(tmp_path / "home")}
    run = [sys.executable, str(ROOT / "run_scan.py")]
    subprocess.run([*run, "roster", "import", str(write_students(tmp_path / "sis.csv")), "--kind", "student"],
                   env=env, check=True, capture_output=True)
    share = tmp_path / "share"
    share.mkdir()
    (share / "late.txt").write_text("Late list\nOKAFOR, BILL - late 3x\nSASID on file: 1093310428\n",
                                    encoding="utf-8")
    proc = subprocess.run([*run, "scan", str(share), "--format", "jsonl", "--no-progress", "--workers", "1",
                           "--show-values"], env=env, check=True, capture_output=True, text=True)
    item = json.loads(proc.stdout.splitlines()[0])
    found = {f["entity"]: f["values"] for f in item["findings"]}
    assert found["PERSON"] == ["OKAFOR, BILL"]
    assert found["MA_SASID"] == ["1093310428"]
