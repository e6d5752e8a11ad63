"""An SQLite store's write-ahead log is checkpointed on a thread of its own while a scan writes (issue 15):
the writer's commits no longer copy the log into the database file, and nothing written is lost."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from dlp.store import checkpoint
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


def test_the_thread_copies_the_log_while_the_store_is_open_and_every_row_is_kept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checkpoint, "INTERVAL_SECONDS", 0.05)
    path = tmp_path / "dlp.sqlite"
    store = Store(f"sqlite:///{path}")
    run = store.start_run([SOURCE], {}, "v")
    for batch in range(10):
        store.write(run, "v", [[_result(batch * 20 + k)] for k in range(20)])
    thread = store._checkpointer
    assert isinstance(thread, Checkpointer) and thread.connected.is_set()
    deadline = time.monotonic() + 30
    while thread.copied == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    # The log stayed far below the writer's usual limit of 10,000 pages, so the writer never checkpointed:
    # the pages found copied back were copied by the thread, with the store open.
    assert 0 < _wal_pages(path) < 10_000 and thread.copied > 0
    # The writing connection's own limit is raised while the thread checkpoints.
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == WRITER_AUTOCHECKPOINT_PAGES
    store.close()
    assert not thread.is_alive() and store._checkpointer is None
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM items").fetchone()[0] == 200
        assert conn.execute("SELECT count(*) FROM findings").fetchone()[0] == 200 * 200


def test_a_checkpoint_beside_an_open_write_copies_what_is_committed(tmp_path: Path) -> None:
    path = tmp_path / "dlp.sqlite"
    store = Store(f"sqlite:///{path}")
    run = store.start_run([SOURCE], {}, "v")
    store.write(run, "v", [[_result(k)] for k in range(20)])
    store._checkpointer.stop()  # type: ignore[union-attr]  # only the checkpoint below copies
    committed = _wal_pages(path)
    assert committed > 0
    thread = Checkpointer(path, interval=3600)
    with sqlite3.connect(path, timeout=0, isolation_level=None) as own:
        # Another connection holds the write lock and has written more meanwhile: a passive checkpoint
        # neither waits nor fails, and copies what was committed before.
        writer = sqlite3.connect(path, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("DELETE FROM findings")
        thread.checkpoint(own)
        writer.execute("ROLLBACK")
        writer.close()
    assert thread.checkpoints == 1 and thread.copied > 0
    store.close()


def test_the_thread_never_creates_a_store_that_is_gone(tmp_path: Path) -> None:
    path = tmp_path / "gone.sqlite"
    thread = Checkpointer(path, interval=0.01)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive() and not thread.connected.is_set() and not path.exists()


def test_a_store_that_writes_no_results_starts_no_thread(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'dlp.sqlite'}")
    store.start_run([SOURCE], {}, "v")
    assert store._checkpointer is None and store.checkpoint_seconds == (0.0, 0.0)
    store.close()
