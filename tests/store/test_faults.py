"""Faults of the store during a real scan: the main process killed (SIGKILL) in the middle of its batched
writes, a full disk (a small tmpfs), a read-only file system, the store file deleted mid-run. Each ends with
a clear message and a non-zero exit (or, for SIGKILL, no message at all), and the next scan opens the store
and completes it: SQLite's integrity check is clean and the store equals that of a clean scan.

The tmpfs tests need root (mount); they are skipped with a message otherwise.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.pipeline.conftest import ROOT
from tests.store.test_postgres import _stored

pytestmark = pytest.mark.slow

FIRST = ["Marisol", "Desmond", "Priyanka", "Tobias", "Elowen", "Caspian", "Dana", "Jordan", "Liam", "Ava"]
LAST = ["Quintero", "Achterberg", "Vallabhaneni", "Wrenfield", "Stravinsky", "Northcote", "Whitfield", "Okafor"]


def _payroll_share(root: Path, files: int, rows: int) -> Path:
    """Payroll exports of invented people with valid-format SSNs: many findings, so many store writes."""
    root.mkdir(parents=True)
    for f in range(files):
        lines = ["Employee Name,SSN,Date of Birth,Department"]
        for r in range(rows):
            i = f * rows + r
            ssn = f"{100 + i % 500:03}-{10 + i % 89:02}-{1000 + i % 9000:04}"
            lines.append(f"{FIRST[i % 10]} {LAST[(i // 10) % 8]},{ssn},"
                         f"{1960 + i % 40}-{1 + i % 12:02}-{1 + i % 28:02},Finance")
        (root / f"payroll-{f:02}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def _scan(db: Path, share: Path, home: Path, *extra: str) -> subprocess.Popen[str]:
    config = home / "dlp.toml"
    if not config.exists():
        home.mkdir(parents=True, exist_ok=True)
        # One item per task and per transaction: many small write transactions to be caught in.
        config.write_text("[scan]\ncommit_every = 1\nbatch_items = 1\nworkers = 1\n", encoding="utf-8")
    return subprocess.Popen(
        [sys.executable, str(ROOT / "run_scan.py"), "scan", str(share), "--db", str(db), "--config", str(config),
         "--format", "jsonl", "--no-progress", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "DLP_HOME": str(home)}, start_new_session=True,
    )


def _finish(proc: subprocess.Popen[str]) -> tuple[int, str]:
    _, err = proc.communicate(timeout=900)
    return proc.returncode, err


def _items(db: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return int(con.execute("SELECT count(*) FROM items").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def _wait_for_items(db: Path, proc: subprocess.Popen[str], at_least: int) -> None:
    deadline = time.time() + 600
    while _items(db) < at_least:
        assert proc.poll() is None, "the scan ended before the fault could be made; make the share larger"
        assert time.time() < deadline
        time.sleep(0.1)


def _integrity(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return str(con.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        con.close()


def _assert_recovered(db: Path, share: Path, home: Path, clean: dict[str, Any]) -> str:
    """The next scan completes, the file is sound and the store is a clean scan's; returns its stderr."""
    code, err = _finish(_scan(db, share, home))
    assert code == 0, err[-2000:]
    assert _integrity(db) == "ok"
    assert _stored(f"sqlite:///{db}") == clean
    con = sqlite3.connect(db)
    try:
        assert con.execute("SELECT count(*) FROM source_claims").fetchone()[0] == 0
        assert con.execute("SELECT status FROM runs ORDER BY id DESC LIMIT 1").fetchone()[0] == "completed"
    finally:
        con.close()
    return err


@pytest.fixture(scope="module")
def share(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Rows enough that the 12 items take seconds to judge: a SIGKILL after the first two must land mid-run.
    return _payroll_share(tmp_path_factory.mktemp("faults") / "share", files=12, rows=800)


@pytest.fixture(scope="module")
def clean(share: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The store of one clean scan of the share."""
    base = tmp_path_factory.mktemp("clean")
    db = base / "clean.sqlite"
    code, err = _finish(_scan(db, share, base / "home"))
    assert code == 0, err[-2000:]
    stored = _stored(f"sqlite:///{db}")
    assert len(stored) == 12 and all(v["findings"] for v in stored.values())
    return stored


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 512 KiB tmpfs mounted for the test (root only)."""
    if os.geteuid() != 0:
        pytest.skip("the full-disk and read-only tests mount a tmpfs, which needs root")
    mount = tmp_path / f"fs-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k,mode=0700", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()})")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _remount(mount: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(mount)], check=True, capture_output=True)


def test_sigkill_of_the_main_process_during_writes(share: Path, clean: dict[str, Any], tmp_path: Path) -> None:
    db, home = tmp_path / "dlp.sqlite", tmp_path / "home"
    proc = _scan(db, share, home)
    try:
        _wait_for_items(db, proc, 2)
        os.kill(proc.pid, signal.SIGKILL)  # the main process only, as the OOM killer would
        proc.wait(60)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # its orphaned workers
    assert proc.returncode == -signal.SIGKILL
    assert _integrity(db) == "ok" and 0 < _items(db) < 12
    err = _assert_recovered(db, share, home, clean)
    # The dead run's claim is taken over, with a message that says why.
    assert "took over" in err and "is gone" in err


def test_a_full_disk(share: Path, clean: dict[str, Any], tmpfs: Path, tmp_path: Path) -> None:
    db, home = tmpfs / "dlp.sqlite", tmp_path / "home"
    code, err = _finish(_scan(db, share, home))
    assert code == 1, err[-2000:]
    assert "Traceback" not in err
    assert "could not be written (database or disk is full)" in err and "the next scan" in err
    _remount(tmpfs, "size=64m")
    _assert_recovered(db, share, home, clean)


def test_a_read_only_store(share: Path, clean: dict[str, Any], tmpfs: Path, tmp_path: Path) -> None:
    db, home = tmpfs / "dlp.sqlite", tmp_path / "home"
    _remount(tmpfs, "size=64m")
    code, err = _finish(_scan(db, share, home, "--full"))
    assert code == 0, err[-2000:]
    _remount(tmpfs, "ro")
    code, err = _finish(_scan(db, share, home, "--full"))
    assert code in (1, 2) and "Traceback" not in err, err[-2000:]
    assert "readonly database" in err or "read-only" in err or "unable to open" in err, err[-2000:]
    _remount(tmpfs, "rw")
    _assert_recovered(db, share, home, clean)


def test_the_store_file_deleted_during_the_scan(share: Path, clean: dict[str, Any], tmp_path: Path) -> None:
    db, home = tmp_path / "dlp.sqlite", tmp_path / "home"
    proc = _scan(db, share, home)
    try:
        _wait_for_items(db, proc, 2)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        code, err = _finish(proc)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert code == 1 and "Traceback" not in err, err[-2000:]
    assert f"the store file {db} was deleted or replaced during the scan" in err
    _assert_recovered(db, share, home, clean)
