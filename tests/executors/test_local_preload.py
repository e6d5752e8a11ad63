"""The local executor's workers inherit the engine the scanning process built (issue 15: start-up per worker)."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from dlp import worker
from dlp.config import Settings
from dlp.executors.local import LocalExecutor
from dlp.types import Item, ItemRef

KEY = b"p" * 32


def _engine_in_worker() -> tuple[int, int]:
    """(this process's id, the id of its engine object), read in a pool worker."""
    assert worker._STATE is not None
    return os.getpid(), id(worker._STATE.engine)


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="workers share the engine only by fork")
def test_workers_use_the_engine_built_once_in_the_scanning_process(tmp_path) -> None:
    settings = Settings()
    executor = LocalExecutor(2, settings, KEY, False)
    try:
        first = executor.schedule(_engine_in_worker, (), timeout=120).result(timeout=300)
        assert worker._STATE is not None and worker._STATE.built_with == (settings, KEY, False)
        parent_engine = id(worker._STATE.engine)
        # Forked, the worker's engine is the parent's object at the same address: it was not built again.
        assert first[0] != os.getpid() and first[1] == parent_engine
        # And it judges items as a worker that built its own engine would.
        note = tmp_path / "note.txt"
        note.write_text("Employee Dana Whitfield, SSN 524-71-3390, hired 2019.\n", encoding="utf-8")
        ref = ItemRef(source="t", item_id="note", uri=str(note), size=note.stat().st_size)
        (result,) = executor.schedule(worker.process_item, (Item(ref=ref, name="note.txt", path=str(note)),),
                                      timeout=120).result(timeout=300)
        assert {f.entity for f in result.findings} >= {"US_SSN", "PERSON"}
        assert result.recognizer_counts["SsnRecognizer"][2] == 1  # one SSN kept, counted in the item
    finally:
        executor.shutdown()
