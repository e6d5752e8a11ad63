"""Checkpoints of an SQLite store's write-ahead log, on a thread of their own while a scan writes.

In WAL mode SQLite appends every committed page to the ``-wal`` file, and a checkpoint copies those pages
back into the database file. By default the committing connection runs that checkpoint itself whenever the
log passes its limit, inside ``commit()``: at 100,000 files that was half the time the scan's writer spent
committing, a tenth of the whole store stage (issue 15). A *passive* checkpoint from another connection
copies the same pages while the writer goes on appending (SQLite lets one checkpointer and one writer work
at once; a passive checkpoint never waits for a lock), and its I/O and ``fsync`` run in SQLite's C code,
without Python's global lock. So while a process writes scan results, :class:`Checkpointer` checkpoints
every second, and that process's writes raise their connection's automatic limit to
:data:`WRITER_AUTOCHECKPOINT_PAGES`, which then only bounds the log should this thread fall behind.

Nothing is lost either way: a page is in the log or the database file, and SQLite reads both.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)

# The writer's own automatic checkpoint while a Checkpointer runs: about 400 MB of log with 4 KiB pages
# (the usual limit, set for every connection of the store, is 10,000 pages).
WRITER_AUTOCHECKPOINT_PAGES = 100_000
INTERVAL_SECONDS = 1.0


class Checkpointer(threading.Thread):
    """A daemon thread that runs ``PRAGMA wal_checkpoint(PASSIVE)`` on an SQLite store every
    :data:`INTERVAL_SECONDS` until :meth:`stop`; :attr:`seconds` is the time spent checkpointing, and
    :attr:`cpu_seconds` this thread's CPU in it (the rest is I/O: copying pages and ``fsync``)."""

    def __init__(self, path: Path, interval: float = INTERVAL_SECONDS) -> None:
        super().__init__(name="dlp-store-checkpoint", daemon=True)
        self.path = path
        self.interval = interval
        self.seconds = 0.0
        self.cpu_seconds = 0.0
        self.checkpoints = 0
        self._stopped = threading.Event()

    def run(self) -> None:
        try:
            # Its own connection: a checkpoint needs none of the store's pool, and must not hold one of it.
            conn = sqlite3.connect(str(self.path), timeout=0, isolation_level=None)
        except sqlite3.Error as exc:
            log.warning("store checkpoints stay with the writer: %s", exc)
            return
        try:
            while not self._stopped.wait(self.interval):
                self.checkpoint(conn)
            self.checkpoint(conn)  # what the last batch left in the log
        finally:
            conn.close()

    def checkpoint(self, conn: sqlite3.Connection) -> None:
        """One passive checkpoint (it copies what it can and returns; a busy store is tried again later)."""
        started, started_cpu = time.perf_counter(), time.thread_time()
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            self.checkpoints += 1
        except sqlite3.Error as exc:  # the file went away or is locked in an unusual way: the writer's own limit holds
            log.debug("passive checkpoint skipped: %s", exc)
        self.seconds += time.perf_counter() - started
        self.cpu_seconds += time.thread_time() - started_cpu

    def stop(self) -> None:
        """Checkpoint once more and end the thread."""
        self._stopped.set()
        if self.is_alive():
            self.join(timeout=60)
