"""Quarantine of flagged files in a local folder: dry run, apply, undo, through the real command line."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from dlp.store import remediations as records
from dlp.store.db import Store
from tests.remediate.conftest import Stored, remediate, store_items

ROSTER = "Last Name,First Name,SSN\nQuintero,Marisol,284-73-9165\n"  # invented person, valid-format SSN


def snapshot(root: Path, resolution_ns: int = 1) -> dict[str, Any]:
    """Every entry under ``root``: name, kind, content, mode and modified time (what undo must restore), the
    time in units of ``resolution_ns`` (SMB carries times in 100 ns units)."""
    out: dict[str, Any] = {}
    for path in sorted(root.rglob("*")):
        st = path.lstat()
        rel = path.relative_to(root).as_posix()
        out[rel] = (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), st.st_mtime_ns // resolution_ns,
                    path.read_bytes() if path.is_file() else None)
    return out


@pytest.fixture
def share(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    root = tmp_path / "share"
    (root / "hr" / "payroll").mkdir(parents=True)
    (root / "hr" / "payroll" / "roster.csv").write_text(ROSTER)
    (root / "hr" / "payroll" / "roster.csv").chmod(0o644)
    (root / "hr" / "notes.txt").write_text(ROSTER)
    (root / "menu.txt").write_text("Tuesday: tacos.\n")
    quarantine = tmp_path / "quarantine"
    config = tmp_path / "dlp.toml"
    config.write_text(f'[remediate]\ncontact = "security@example.org"\nlocal_quarantine = "{quarantine}"\n'
                      'file_action = "quarantine"\n'
                      '[access]\nbroad_groups = ["everyone", "other_readable", "staff"]\n')
    monkeypatch.setenv("DLP_HOME", str(tmp_path / "home"))
    db = tmp_path / "dlp.sqlite"
    key = f"local:{os.path.realpath(root)}"
    store_items(db, [
        Stored(key, "hr/payroll/roster.csv", f"{root}/hr/payroll/roster.csv", exposure=("other_readable",)),
        Stored(key, "hr/notes.txt", f"{root}/hr/notes.txt", exposure=("group:staff (inherited)",),
               classifications=("STUDENT_SENSITIVE", "STUDENT_PII")),
        Stored(key, "menu.txt", f"{root}/menu.txt", exposure=("other_readable",), classifications=()),
    ])
    return {"root": root, "quarantine": quarantine, "db": db, "args": ["--config", str(config), "--db", str(db)]}


def test_dry_run_apply_and_undo_restore_the_folder_exactly(share: dict[str, Any],
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    root: Path = share["root"]
    before = snapshot(root)

    code, plan = remediate(capsys, "--rule", "broad-access", *share["args"])
    assert code == 0 and plan["mode"] == "dry_run"
    assert sorted((a["action"], a["status"], Path(a["target"]).name) for a in plan["actions"]) == [
        ("quarantine", "planned", "notes.txt"), ("quarantine", "planned", "roster.csv")]
    assert snapshot(root) == before  # a dry run changes nothing

    code, done = remediate(capsys, "--rule", "broad-access", "--apply", "--by", "analyst1", *share["args"])
    assert code == 0 and [a["status"] for a in done["actions"]] == ["done", "done"]
    roster = root / "hr" / "payroll" / "roster.csv"
    assert not roster.exists()
    stub = (root / "hr" / "payroll" / "roster.csv.QUARANTINED.txt").read_text()
    moved = next(share["quarantine"].rglob("roster.csv"))
    assert moved.read_text() == ROSTER and str(moved) in stub and "security@example.org" in stub
    assert "284-73" not in stub
    assert stat.S_IMODE(moved.parent.parent.parent.parent.stat().st_mode) == 0o700  # the source's quarantine
    assert (root / "menu.txt").exists()  # no PI: not flagged

    store = Store(f"sqlite:///{share['db']}")
    try:
        rows = records.actions(store, done["run_id"])
        assert {(r.by, r.rule, r.action, r.status) for r in rows} == {
            ("analyst1", "broad-access", "quarantine", "done")}
        assert all(r.before["path"].startswith(str(root)) and r.after["path"].startswith(str(share["quarantine"]))
                   for r in rows)
        assert records.run_row(store, done["run_id"])["status"] == "completed"
    finally:
        store.close()

    code, again = remediate(capsys, "--rule", "broad-access", "--dry-run", *share["args"])
    assert code == 0 and again["actions"] == []  # what is in quarantine is not planned again

    code, undone = remediate(capsys, "--undo", str(done["run_id"]), *share["args"])
    assert code == 0 and [a["status"] for a in undone["actions"]] == ["done", "done"]
    assert snapshot(root) == before  # names, contents, modes and times as they were
    assert not any(p.is_file() for p in share["quarantine"].rglob("*"))

    code, twice = remediate(capsys, "--undo", str(done["run_id"]), *share["args"])
    assert code == 0 and twice["actions"] == []  # an undone action is not undone twice


def test_a_file_gone_since_the_scan_fails_by_name_and_exits_6(share: dict[str, Any],
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    (share["root"] / "hr" / "notes.txt").unlink()
    code, result = remediate(capsys, "--apply", *share["args"])
    assert code == 6
    by_name = {Path(a["target"]).name: a for a in result["actions"]}
    assert by_name["notes.txt"]["status"] == "failed" and "no longer there" in by_name["notes.txt"]["detail"]
    assert by_name["roster.csv"]["status"] == "done"


def test_usage_errors_exit_2(share: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    assert remediate(capsys, "--rule", "no-such-rule", *share["args"])[0] == 2
    assert remediate(capsys, "--undo", "999", *share["args"])[0] == 2
