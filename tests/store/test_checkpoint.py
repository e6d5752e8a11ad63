"""An SQLite store's write-ahead log is checkpointed on a thread of its own while a scan writes (issue 15):
the writer's commits no longer copy the log into the database file, and nothing written is lost."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from dlp.store.checkpoint import WRITER_AUTOCHECKPOINT_PAGES, Checkpointer
from dlp.store.db import Store
from dlp.types import Finding, ItemRef, ItemResult, Status

SOURCE = "local:/srv/share"


def _result(n: int) -> ItemResult:
    # Synthetic values: the hash and preview stand in for a keyed hash and a masked preview.
    found = tuple(Finding(entity="MA_SASID", score=1.0, locator=f"table row {row}", start=row * 20, end=row * 20 + 10,
                          preview=f"******{row:04}", value_hash=f"{n:08x}{row:056x}", recognizer="test")
                  for row in range(200))
    ref = ItemRef(source=SOURCE, item_id=f"rosters/{n}.csv", uri=f"/srv/share/rosters/{n}.csv", size=1000)
    return ItemResult(ref=ref, status=Status.SCANNED, content_hash=f"c-{n}", findings=found,
                      classifications=("STUDENT_PII",))


def _wal_pages(path: Path) -> int:
    wal = path.with_name(path.name + "-wal")
    return (wal.stat().st_size // 4096) if wal.exists() else 0


def test_the_writer_leaves_checkpoints_to_the_thread_and_every_row_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "dlp.sqlite"
    store = Store(f"sqlite:///{path}")
    run = store.start_run([SOURCE], {}, "v")
    for batch in range(10):
        store.write(run, "v", [[_result(batch * 20 + k)] for k in range(20)])
    checkpointer = store._checkpointer
    assert isinstance(checkpointer, Checkpointer) and checkpointer.is_alive()
    # The writing connection's own limit is raised while the thread checkpoints.
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == WRITER_AUTOCHECKPOINT_PAGES
    store.close()
    assert not checkpointer.is_alive() and checkpointer.checkpoints >= 1  # the last one at least, on close
    with sqlite3.connect(path) as conn:
        # After the last checkpoint the database file alone holds everything: read it without the log.
        assert conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM items").fetchone()[0] == 200
        assert conn.execute("SELECT count(*) FROM findings").fetchone()[0] == 200 * 200


def test_a_checkpoint_beside_an_open_write_copies_what_is_committed(tmp_path: Path) -> None:
    path = tmp_path / "dlp.sqlite"
    store = Store(f"sqlite:///{path}")
    run = store.start_run([SOURCE], {}, "v")
    store.write(run, "v", [[_result(k)] for k in range(20)])
    assert _wal_pages(path) > 0
    checkpointer = Checkpointer(path, interval=3600)
    with sqlite3.connect(path, timeout=0, isolation_level=None) as own:
        # Another connection holds the write lock meanwhile: a passive checkpoint neither waits nor fails.
        writer = sqlite3.connect(path, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        checkpointer.checkpoint(own)
        writer.execute("ROLLBACK")
        writer.close()
        busy, log_frames, copied = own.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert checkpointer.checkpoints == 1 and busy == 0 and copied == log_frames
    store.close()


def test_a_store_that_writes_no_results_starts_no_thread(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'dlp.sqlite'}")
    store.start_run([SOURCE], {}, "v")
    assert store._checkpointer is None and store.checkpoint_seconds == (0.0, 0.0)
    store.close()
