"""Files that may hold PI are created 0600, and nothing but regular files is ever narrowed."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from dlp.files import open_private


def test_new_file_is_private(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    with open_private(target) as handle:
        handle.write("{}\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_existing_readable_file_is_narrowed(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old")
    target.chmod(0o644)
    with open_private(target) as handle:
        handle.write("new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_fifo_keeps_its_mode(tmp_path: Path) -> None:
    # /dev/null itself cannot be used here without root side effects; a FIFO is the same kind of case:
    # not a regular file, so open_private must write to it without changing its mode.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo, 0o666)
    os.chmod(fifo, 0o666)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        with open_private(fifo) as handle:
            handle.write("x")
    finally:
        os.close(reader)
    assert stat.S_IMODE(fifo.stat().st_mode) == 0o666


def test_scan_output_and_log_are_private_and_preview_none_keeps_no_digit(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    share = tmp_path / "share"
    share.mkdir()
    (share / "hr.txt").write_text("Payroll change for Jordan Alvarez, SSN 412-68-3097, effective July 1.\n")
    config = tmp_path / "dlp.toml"
    config.write_text('[store]\npreview = "none"\n')
    out, log = tmp_path / "out.jsonl", tmp_path / "scan.log"
    env = {"DLP_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, str(root / "run_scan.py"), "scan", str(share), "--config", str(config),
                    "--format", "jsonl", "--output", str(out), "--log-file", str(log), "--no-progress",
                    "--workers", "1"], check=True, env=env, cwd=tmp_path, timeout=300)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert any(f["entity"] == "US_SSN" for r in records for f in r.get("findings") or ())
    import sqlite3

    with sqlite3.connect(tmp_path / "home" / "dlp.sqlite") as db:
        previews = [row[0] for row in db.execute("SELECT preview FROM findings")]
    assert previews and not any(ch.isdigit() for p in previews for ch in p)
