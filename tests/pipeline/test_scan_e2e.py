"""End-to-end scans through the real command line: statuses, incremental state, dedup, outputs, exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
from pathlib import Path

import pytest

from tests.pipeline.conftest import write

SSN = "284-73-9165"
MEMO = f"Personnel memo. Employee Marisol Quintero has SSN {SSN} on file; call 617-555-0142.\n"


@pytest.fixture
def share(tmp_path: Path) -> Path:
    root = tmp_path / "share"
    write(root / "hr" / "memo.txt", MEMO)
    write(root / "hr" / "memo-copy.txt", MEMO)
    write(root / "public" / "menu.txt", "Tuesday: tacos. Wednesday: pasta.\n")
    write(root / ".hidden" / "secret.txt", MEMO)
    write(root / "notes.xyz", "\x00\x01\x02binary\x00" * 10)
    return root


def test_a_scan_reports_findings_classifications_and_coverage(share: Path, run_cli) -> None:
    res = run_cli("scan", str(share), "--format", "jsonl", "--no-progress")
    assert res.code == 0, res.stderr
    items = res.by_uri()
    memo = items[f"{share}/hr/memo.txt"]
    assert memo["status"] == "scanned"
    assert "MA_PI" in memo["classifications"]
    assert {f["entity"] for f in memo["findings"]} >= {"US_SSN", "PERSON"}
    assert all("values" not in f for f in memo["findings"])
    assert items[f"{share}/public/menu.txt"]["findings"] == []
    # Hidden folders are skipped by default; a binary of unknown type is reported, not silently dropped.
    assert not any(".hidden" in uri for uri in items)
    assert items[f"{share}/notes.xyz"]["status"] == "not_examined"
    assert items[f"{share}/notes.xyz"]["reason"] == "unsupported"
    summary = res.summary()
    assert summary["items"] == 4
    assert summary["by_status"] == {"scanned": 3, "not_examined": 1}
    assert summary["by_reason"] == {"unsupported": 1}
    assert "not examined: 1" in res.stderr


def test_identical_content_at_two_paths_is_analysed_once(share: Path, run_cli) -> None:
    res = run_cli("scan", str(share), "--format", "jsonl", "--no-progress")
    items = res.by_uri()
    assert res.summary()["deduplicated"] == 1
    a, b = items[f"{share}/hr/memo.txt"], items[f"{share}/hr/memo-copy.txt"]
    assert a["findings"] == b["findings"] and a["classifications"] == b["classifications"]


def test_an_unchanged_rescan_examines_nothing_and_a_changed_file_is_rescanned(share: Path, run_cli) -> None:
    first = run_cli("scan", str(share), "--format", "jsonl", "--no-progress")
    assert first.summary()["examined"] == 4
    second = run_cli("scan", str(share), "--format", "jsonl", "--no-progress")
    assert second.code == 0
    assert second.summary()["examined"] == 0
    assert second.summary()["unchanged"] == 4
    assert second.records() == []
    assert "unchanged: 4" in second.stderr

    menu = share / "public" / "menu.txt"
    menu.write_text(f"Lunch list. Student Dario Okafor, SSN {SSN}.\n")
    os.utime(menu, (1_900_000_000, 1_900_000_000))
    (share / "hr" / "memo-copy.txt").unlink()
    third = run_cli("scan", str(share), "--format", "jsonl", "--no-progress")
    assert [r["uri"] for r in third.records()] == [str(menu)]
    assert third.summary()["unchanged"] == 2
    assert third.summary()["removed"] == 1
    assert third.summary()["items"] == 3

    full = run_cli("scan", str(share), "--format", "jsonl", "--no-progress", "--full")
    assert full.summary()["examined"] == 3


def test_removed_items_are_marked_in_the_store(share: Path, run_cli, dlp_home: Path) -> None:
    run_cli("scan", str(share), "--format", "jsonl", "--no-progress")
    (share / "public" / "menu.txt").unlink()
    run_cli("scan", str(share), "--format", "jsonl", "--no-progress")
    db = sqlite3.connect(dlp_home / "dlp.sqlite")
    rows = dict(db.execute("select item_id, removed from items where parent_id is null"))
    assert rows["public/menu.txt"] == 1
    assert rows["hr/memo.txt"] == 0


def test_show_values_prints_values_only_to_the_output(share: Path, run_cli, dlp_home: Path) -> None:
    res = run_cli("scan", str(share), "--format", "jsonl", "--no-progress", "--show-values")
    memo = res.by_uri()[f"{share}/hr/memo.txt"]
    ssn = next(f for f in memo["findings"] if f["entity"] == "US_SSN")
    assert ssn["values"] == [SSN]
    assert SSN.encode() not in (dlp_home / "dlp.sqlite").read_bytes()


def test_csv_and_json_formats(share: Path, run_cli, tmp_path: Path) -> None:
    out = tmp_path / "report.csv"
    res = run_cli("scan", str(share), "--format", "csv", "--output", str(out), "--no-progress")
    assert res.code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    memo = next(r for r in rows if r["uri"].endswith("hr/memo.txt"))
    assert "US_SSN:1" in memo["entities"] and "MA_PI" in memo["classifications"]
    res = run_cli("scan", str(share), "--format", "json", "--no-progress", "--full")
    doc = json.loads(res.stdout)
    assert len(doc["items"]) == 4 and doc["summary"]["status"] == "completed"


def test_table_format_lists_findings_and_coverage(share: Path, run_cli) -> None:
    res = run_cli("scan", str(share), "--format", "table", "--no-progress")
    assert res.code == 0
    assert "memo.txt" in res.stdout and "US_SSN" in res.stdout
    assert "scanned: 3" in res.stdout and "unsupported: 1" in res.stdout


def test_exit_codes_for_incomplete_and_findings(share: Path, run_cli) -> None:
    assert run_cli("scan", str(share), "--no-progress", "--fail-on-incomplete").code == 3
    assert run_cli("scan", str(share), "--no-progress", "--fail-on-findings").code == 4
    clean = share / "public"
    assert run_cli("scan", str(clean), "--no-progress", "--fail-on-findings", "--fail-on-incomplete").code == 0


def test_usage_and_config_errors_exit_2_naming_the_problem(share: Path, run_cli, tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.toml", "[scan]\nwokers = 2\n")
    res = run_cli("scan", str(share), "--config", str(bad))
    assert res.code == 2 and "wokers" in res.stderr and "workers" in res.stderr
    res = run_cli("scan", str(tmp_path / "does-not-exist"))
    assert res.code == 2 and "does not exist" in res.stderr
    res = run_cli("scan", "ftp://host/x")
    assert res.code == 2 and "ftp" in res.stderr


def test_plain_progress_lines_are_printed_when_not_on_a_terminal(share: Path, run_cli, tmp_path: Path) -> None:
    cfg = write(tmp_path / "dlp.toml", "[scan]\nprogress_interval = 0.1\n")
    res = run_cli("scan", str(share), "--config", str(cfg), "--format", "jsonl")
    assert "progress: " in res.stderr and "items/s" in res.stderr
    quiet = run_cli("scan", str(share), "--config", str(cfg), "--format", "jsonl", "--no-progress", "--full")
    assert "progress: " not in quiet.stderr


def test_a_scan_of_two_sources_summarizes_each(tmp_path: Path, run_cli) -> None:
    a = write(tmp_path / "a" / "menu.txt", "Tacos on Tuesday.\n").parent
    b = write(tmp_path / "b" / "memo.txt", MEMO).parent
    res = run_cli("scan", str(a), str(b), "--format", "jsonl", "--no-progress")
    by_source = res.summary()["by_source"]
    assert by_source == {f"local:{a}": {"scanned": 1}, f"local:{b}": {"scanned": 1}}
    assert f"local:{b}: scanned 1" in res.stderr
