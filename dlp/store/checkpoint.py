"""Checkpoints of an SQLite store's write-ahead log, on a thread of their own while a scan writes.

In WAL mode SQLite appends every committed page to the ``-wal`` file, and a checkpoint copies those pages back
into the database file (and ``fsync``s it). By default the committing connection runs that checkpoint itself
whenever the log passes 10,000 pages, inside ``commit()``: in a replay of a scan's writes
(benchmarks/store_load.py) half of the commit time, a tenth of all the writer's time (issue 15). A *passive*
checkpoint from another connection copies the same pages while the writer goes on appending (SQLite lets one
checkpointer and one writer work at once; a passive checkpoint never waits for a lock), and its I/O and
``fsync`` run in SQLite's C code, without Python's global lock. So while a process writes scan results,
:class:`Checkpointer` checkpoints every second, and that process's writes raise their connection's automatic
limit to :data:`WRITER_AUTOCHECKPOINT_PAGES` (each of its checkpoints then finds most pages copied already).

The price is disk space, not safety. SQLite starts the log file over only when a writer begins at a moment
when everything in it is copied back, which a writer committing batch after batch rarely meets; so during a
busy scan the ``-wal`` file grows to about the writer's limit (about 400 MB) before the writer's own
checkpoint lets it start over, where the usual limit kept it near 40 MB. ``journal_size_limit`` truncates the
file back to :data:`WAL_FILE_LIMIT_BYTES` each time it starts over. Nothing is lost either way: a page is in
the log or in the database file, and SQLite reads both (and replays the log after a crash).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)

# The writer's own automatic checkpoint while a Checkpointer is connected: about 400 MB of log with 4 KiB
# pages. At 30,000 pages (or the usual 10,000) the writer's own checkpoints, each with its fsync, came so
# often that the store's replay of 22,000 items took 4.1-4.3 s instead of 3.7-3.9 s (4.8 s with no thread).
WRITER_AUTOCHECKPOINT_PAGES = 100_000
# What the log file is cut back to each time it starts over (set on every connection of the store).
WAL_FILE_LIMIT_BYTES = 64 * 1024 * 1024
INTERVAL_SECONDS = 1.0


class Checkpointer(threading.Thread):
    """A daemon thread that runs ``PRAGMA wal_checkpoint(PASSIVE)`` on an SQLite store every
    :data:`INTERVAL_SECONDS` until :meth:`stop`.

    :attr:`connected` is set once it has its connection (the writer raises its own limit only then);
    :attr:`seconds` is the time spent checkpointing and :attr:`cpu_seconds` this thread's CPU in it (the
    rest is I/O); :attr:`checkpoints` counts the checkpoints that ran, and :attr:`copied` the pages they
    found copied back at their end.
    """

    def __init__(self, path: Path, interval: float | None = None) -> None:
        super().__init__(name="dlp-store-checkpoint", daemon=True)
        self.path = path
        self.interval = INTERVAL_SECONDS if interval is None else interval
        self.seconds = 0.0
        self.cpu_seconds = 0.0
        self.checkpoints = 0
        self.copied = 0
        self.connected = threading.Event()
        self._stopped = threading.Event()

    def run(self) -> None:
        try:
            # Its own connection: a checkpoint needs none of the store's pool, and must not hold one of it.
            # mode=rw: never create the file (a store deleted meanwhile must not come back world-readable).
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=rw", uri=True, timeout=0,
                                   isolation_level=None)
        except sqlite3.Error as exc:
            log.warning("store checkpoints stay with the writer: %s", exc)
            return
        self.connected.set()
        try:
            while not self._stopped.wait(self.interval):
                self.checkpoint(conn)
        finally:
            self.connected.clear()
            conn.close()

    def checkpoint(self, conn: sqlite3.Connection) -> None:
        """One passive checkpoint (it copies what it can and returns; a busy store is tried again later)."""
        started, started_cpu = time.perf_counter(), time.thread_time()
        try:
            row = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error as exc:  # the file went away, or an unusual lock: the writer's own limit holds
            log.debug("passive checkpoint skipped: %s", exc)
        else:
            busy, _, copied = row
            if not busy:
                self.checkpoints += 1
                self.copied = max(int(copied), 0)  # -1 when the store is not in WAL mode
        self.seconds += time.perf_counter() - started
        self.cpu_seconds += time.thread_time() - started_cpu

    def stop(self) -> None:
        """End the thread (the store's last connection to close checkpoints what is left)."""
        self._stopped.set()
        if self.is_alive():
            self.join(timeout=60)
