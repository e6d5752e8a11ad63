"""Nightly scans: a lock so that two runs never overlap, and a run record that monitoring can read.

The lock is an ``flock`` on a file, taken without waiting: a second run started while the first still
holds it exits at once (exit code 5) instead of queueing behind it, so a slow night never piles up runs.
The kernel drops the lock when the process dies, however it dies, so there is no stale lock to clean up.

The run record is a node_exporter textfile (``--collector.textfile.directory``), written atomically (a
temporary file in the same folder, then ``rename``) so that the exporter never reads half a file.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import socket
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from dlp.config import data_home

STATUSES = ("scanned", "not_examined", "error")


class LockBusy(Exception):
    """Another run holds the lock."""


def default_lock_path(store_url: str, sources: Sequence[str]) -> Path:
    """``$DLP_HOME/locks/<hash>.lock``: one lock per store, and per store and sources on PostgreSQL.

    SQLite has one writer, so any two scans into the same SQLite store exclude each other. A PostgreSQL
    store takes scans of different sources at once (each writes only its own items), so there only runs
    over the same sources share a lock. The name is a hash, so that no URL or password lands in a file name.
    """
    from dlp.store.db import normalize_url

    url = normalize_url(store_url)
    key = url if url.startswith("sqlite") else url + "\0" + "\0".join(sorted(sources))
    return data_home() / "locks" / f"scan-{hashlib.sha256(key.encode()).hexdigest()[:16]}.lock"


class RunLock:
    """An exclusive, non-blocking ``flock`` on ``path``, held for the ``with`` block.

    The file keeps who holds it (pid, host, start time) so that the refusal can say so; its content is
    only informative, the lock is the ``flock``.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None

    def __enter__(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # "a+": opening must not truncate what the current holder wrote before we know we hold it.
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until __exit__
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise LockBusy(f"another scan holds the lock {self.path} ({holder}); not starting a second one") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} on {socket.gethostname()} since "
                     f"{time.strftime('%Y-%m-%dT%H:%M:%S%z')}\n")
        handle.flush()
        self._file = handle
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._file is not None:
            # Closing releases the flock. The file stays: removing it would let a third run lock a new
            # inode while a second one still waits on the old one.
            self._file.close()
            self._file = None


def prometheus_text(summary: dict[str, Any] | None, started: float, finished: float) -> str:
    """The textfile of one run. ``summary`` is the run's summary, or None when the run failed before one."""
    status = summary.get("status", "failed") if summary else "failed"
    by_status: dict[str, int] = dict(summary.get("by_status", {})) if summary else {}
    lines = [
        "# HELP dlp_last_run_timestamp_seconds When the last scan run ended (Unix time).",
        "# TYPE dlp_last_run_timestamp_seconds gauge",
        f"dlp_last_run_timestamp_seconds {finished:.3f}",
        "# HELP dlp_last_run_start_timestamp_seconds When the last scan run started (Unix time).",
        "# TYPE dlp_last_run_start_timestamp_seconds gauge",
        f"dlp_last_run_start_timestamp_seconds {started:.3f}",
        "# HELP dlp_last_run_seconds How long the last scan run took.",
        "# TYPE dlp_last_run_seconds gauge",
        f"dlp_last_run_seconds {max(finished - started, 0.0):.3f}",
        "# HELP dlp_last_run_success 1 if the last scan run completed, else 0 (interrupted or failed).",
        "# TYPE dlp_last_run_success gauge",
        f"dlp_last_run_success {1 if status == 'completed' else 0}",
        "# HELP dlp_last_run_items Items the last scan run saw, by status (coverage: not_examined and error "
        "are gaps).",
        "# TYPE dlp_last_run_items gauge",
    ]
    # Every status is written, zeros included, so that an alert on error > 0 has a series to read.
    for name in sorted(set(STATUSES) | set(by_status)):
        lines.append(f'dlp_last_run_items{{status="{name}"}} {int(by_status.get(name, 0))}')
    if summary:
        lines += [
            "# HELP dlp_last_run_items_with_findings Items of the last run that hold findings.",
            "# TYPE dlp_last_run_items_with_findings gauge",
            f"dlp_last_run_items_with_findings {int(summary.get('with_findings', 0))}",
            "# HELP dlp_last_run_examined_items Items the last run read (the rest were unchanged).",
            "# TYPE dlp_last_run_examined_items gauge",
            f"dlp_last_run_examined_items {int(summary.get('examined', 0))}",
        ]
    return "\n".join(lines) + "\n"


def write_prometheus_textfile(path: Path, summary: dict[str, Any] | None, started: float,
                              finished: float | None = None) -> None:
    """Write the run record atomically: a temporary file beside ``path``, then a rename over it."""
    text = prometheus_text(summary, started, time.time() if finished is None else finished)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        # node_exporter runs as another user: the record holds counts only, so it may be world-readable.
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
