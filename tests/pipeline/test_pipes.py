"""Output to a closed pipe (`dlp scan ... | head -1`, `report --format json | head`, `review list | head`) ends
quietly: exit 0 or 141, no traceback; a scan cut off this way is recorded as interrupted and --resume ends it.

The outputs are made larger than a pipe's buffer (64 KiB on Linux), so the program is certain to write
after the reader has gone, however the two processes are scheduled.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from dlp.cli import EXIT_CLOSED_PIPE
from dlp.store.db import Store
from dlp.types import Finding, ItemRef, ItemResult, Status
from tests.pipeline.conftest import ROOT, write

PIPE_BUFFER = 64 * 1024


def _first_line_then_close(args: list[str], home: Path) -> tuple[int, str, str]:
    """Run the CLI into a real pipe, read one line, close the pipe; return (exit code, line, stderr)."""
    proc = subprocess.Popen([sys.executable, str(ROOT / "run_scan.py"), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT, env={**os.environ, "DLP_HOME": str(home)})
    assert proc.stdout is not None and proc.stderr is not None
    line = proc.stdout.readline()
    proc.stdout.close()  # what `head -1` does once it has its line
    err = proc.stderr.read()
    return proc.wait(timeout=600), line, err


@pytest.fixture
def big_share(tmp_path: Path) -> Path:
    """400 copies of one small memo under long folder names: one judgement, then deduplicated copies, whose
    jsonl lines add up to well over a pipe buffer."""
    share = tmp_path / "share"
    deep = "/".join(["a-folder-name-long-enough-to-make-the-output-larger-than-a-pipe-buffer"] * 3)
    for i in range(400):
        write(share / f"d{i % 4}" / deep / f"memo-{i:03}.txt", "Reminder: the bus leaves at noon.\n")
    return share


@pytest.mark.slow
def test_scan_into_a_closed_pipe_ends_quietly_and_the_run_is_resumable(big_share: Path, tmp_path: Path,
                                                                       run_cli, dlp_home: Path) -> None:
    db = tmp_path / "dlp.sqlite"
    args = ["scan", str(big_share), "--db", str(db), "--format", "jsonl", "--no-progress", "--workers", "1"]
    code, line, err = _first_line_then_close(args, dlp_home)
    assert code in (0, EXIT_CLOSED_PIPE), err[-2000:]
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err
    assert json.loads(line)["uri"].startswith(str(big_share))
    con = sqlite3.connect(db)
    assert con.execute("SELECT id, status FROM runs").fetchall() == [(1, "interrupted")]
    con.close()
    res = run_cli(*args[:-2], "--resume")
    assert res.code == 0, res.stderr
    summary = res.summary()
    assert summary["run_id"] == 1 and summary["status"] == "completed"
    assert summary["items"] == 400 and summary["by_status"] == {"scanned": 400}


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_the_other_scan_formats_into_a_closed_pipe_end_quietly(big_share: Path, tmp_path: Path, dlp_home: Path,
                                                              fmt: str) -> None:
    args = ["scan", str(big_share), "--db", str(tmp_path / "dlp.sqlite"), "--format", fmt, "--no-progress",
            "--workers", "1"]
    code, line, err = _first_line_then_close(args, dlp_home)
    assert line
    assert code in (0, EXIT_CLOSED_PIPE) and "Traceback" not in err and "Exception ignored" not in err, err[-2000:]


@pytest.fixture
def big_store(tmp_path: Path) -> Path:
    """A store with 3,000 items that each hold a finding (written directly: no scan needed)."""
    path = tmp_path / "big.sqlite"
    store = Store(f"sqlite:///{path}")
    run = store.start_run(["s"], {}, "v")
    groups = []
    for i in range(3000):
        ref = ItemRef(source="s", item_id=f"department/{i:04}.txt", uri=f"share/department/{i:04}.txt", size=10,
                      modified=1.0)
        finding = Finding(entity="US_SSN", score=0.9, locator="line 1", start=0, end=11, preview="***-**-0000",
                          value_hash=f"{i:064x}")
        groups.append([ItemResult(ref=ref, status=Status.SCANNED, findings=(finding,), classifications=("MA_PI",),
                                  subjects=1, content_hash=f"{i:064x}", media_type="text/plain")])
    store.write(run, "v", groups)
    store.finish_run(run, "completed", {})
    store.close()
    return path


@pytest.mark.parametrize("args", [["report", "--format", "json"], ["report", "--format", "csv"], ["review", "list"]],
                         ids=["report-json", "report-csv", "review-list"])
def test_reports_and_review_lists_into_a_closed_pipe_end_quietly(big_store: Path, dlp_home: Path,
                                                                  args: list[str]) -> None:
    code, line, err = _first_line_then_close([*args, "--db", str(big_store)], dlp_home)
    assert line
    assert code in (0, EXIT_CLOSED_PIPE), err[-2000:]
    assert "Traceback" not in err and "Exception ignored" not in err, err[-2000:]
    assert err == ""


def test_the_outputs_are_larger_than_a_pipe_buffer(big_store: Path, dlp_home: Path) -> None:
    """Without this, the tests above could pass without the program ever writing into a closed pipe."""
    for args in (["report", "--format", "json"], ["report", "--format", "csv"], ["review", "list"]):
        out = subprocess.run([sys.executable, str(ROOT / "run_scan.py"), *args, "--db", str(big_store)],
                             capture_output=True, text=True, cwd=ROOT, env={**os.environ, "DLP_HOME": str(dlp_home)},
                             timeout=300, check=True).stdout
        assert len(out.encode()) > 2 * PIPE_BUFFER, args
