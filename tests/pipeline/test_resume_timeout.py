"""A real SIGKILL half-way through a real run, then --resume; and a stuck item killed by its time limit."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.helpers.waiting import wait_until
from tests.pipeline.conftest import ROOT, write

# The reference engine (Presidio over all text) is slow enough that a scan can be caught half-way and an
# item can outlast a one-second limit; the fast engine finishes these shares before a test could act.
SLOW = '[detect]\nengine = "presidio"\n'


def _count_items(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        return int(con.execute("select count(*) from items").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def test_a_run_killed_with_sigkill_resumes_with_no_item_lost_or_counted_twice(tmp_path: Path, run_cli,
                                                                              dlp_home: Path) -> None:
    share = tmp_path / "share"
    n = 120
    for i in range(n):
        # Distinct content, so that deduplication does not shortcut the work.
        write(share / f"d{i % 6}" / f"note-{i:03}.txt",
              f"Note {i}. Teacher Alma Ferreira-{i} called about grade {i % 12} attendance.\n" * 20)
    cfg = write(tmp_path / "dlp.toml", SLOW + "[scan]\ncommit_every = 5\nworkers = 1\n")
    db = dlp_home / "dlp.sqlite"
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "run_scan.py"), "scan", str(share), "--config", str(cfg), "--format", "jsonl",
         "--no-progress"],
        env={**os.environ, "DLP_HOME": str(dlp_home)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
        start_new_session=True,
    )
    wait_until(lambda: _count_items(db) >= 15 or proc.poll() is not None, "15 items stored", interval=0.1)
    assert proc.poll() is None, "the scan finished before it could be killed; make the share larger"
    os.killpg(proc.pid, signal.SIGKILL)  # the whole group: the main process and its workers
    proc.wait()
    stored_before = _count_items(db)
    assert 0 < stored_before < n

    res = run_cli("scan", str(share), "--config", str(cfg), "--format", "jsonl", "--no-progress", "--resume")
    assert res.code == 0, res.stderr
    summary = res.summary()
    con = sqlite3.connect(db)
    assert summary["run_id"] == 1  # the killed run was continued, not replaced
    assert summary["status"] == "completed"
    assert summary["items"] == n and summary["by_status"] == {"scanned": n}
    assert con.execute("select count(*), count(distinct item_id) from items").fetchone() == (n, n)
    assert con.execute("select count(*) from items where last_scanned_run = 1").fetchone()[0] == n
    # What the first process had stored is not examined again.
    assert len(res.records()) <= n - stored_before
    runs = con.execute("select id, status from runs").fetchall()
    assert runs == [(1, "completed")]


def test_a_stuck_item_is_killed_at_its_time_limit_and_the_scan_goes_on(tmp_path: Path, run_cli) -> None:
    share = tmp_path / "share"
    # Presidio's engine reads prose at tens of KB/s here: 16 MB (under the streaming threshold) takes
    # minutes, far past the limit; the short note takes well under a second, even on a loaded machine
    # where a fresh worker's first item is slow (a one-second limit timed it out at load 9 on 2 cores).
    write(share / "a-long-report.txt", "The committee met again to review the bus routes and budget. " * 260_000)
    write(share / "b-short.txt", "Counselor Priya Raman, phone 617-555-0199.\n")
    cfg = write(tmp_path / "dlp.toml", SLOW + "[scan]\nitem_timeout = 5.0\nworkers = 1\n")
    res = run_cli("scan", str(share), "--config", str(cfg), "--format", "jsonl", "--no-progress")
    assert res.code == 0, res.stderr
    items = res.by_uri()
    slow = items[f"{share}/a-long-report.txt"]
    assert (slow["status"], slow["reason"]) == ("error", "timeout")
    assert items[f"{share}/b-short.txt"]["status"] == "scanned"
    assert res.summary()["by_reason"] == {"timeout": 1}
    # A failed item is retried by the next scan rather than counted as unchanged.
    again = run_cli("scan", str(share), "--config", str(cfg), "--format", "jsonl", "--no-progress")
    assert [r["uri"] for r in again.records()] == [f"{share}/a-long-report.txt"]
    json.dumps(again.summary())


def test_sigterm_ends_the_run_as_interrupted_with_exit_130_and_resume_finishes_it(tmp_path: Path, run_cli,
                                                                                   dlp_home: Path) -> None:
    share = tmp_path / "share"
    n = 60
    for i in range(n):
        write(share / f"memo-{i:03}.txt", f"Memo {i}: counselor Idris Bakshi-{i} met the family.\n" * 30)
    cfg = write(tmp_path / "dlp.toml", SLOW + "[scan]\ncommit_every = 2\nworkers = 1\n")
    db = dlp_home / "dlp.sqlite"
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "run_scan.py"), "scan", str(share), "--config", str(cfg), "--format", "jsonl",
         "--no-progress"],
        env={**os.environ, "DLP_HOME": str(dlp_home)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
    )
    wait_until(lambda: _count_items(db) >= 5 or proc.poll() is not None, "5 items stored", interval=0.1)
    assert proc.poll() is None, "the scan finished before it could be stopped; make the share larger"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()[-1000:]
    con = sqlite3.connect(db)
    assert con.execute("select status from runs").fetchall() == [("interrupted",)]
    res = run_cli("scan", str(share), "--config", str(cfg), "--format", "jsonl", "--no-progress", "--resume")
    assert res.code == 0 and res.summary()["items"] == n and res.summary()["run_id"] == 1
