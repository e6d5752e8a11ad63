"""The local executor: a pebble process pool on this machine (the default).

pebble, not :mod:`concurrent.futures`, because it can kill a worker that overruns its timeout and start
a new one; the standard pool cannot stop a running task at all.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from dlp.worker import init_worker, preload_engine

if TYPE_CHECKING:
    from pebble import ProcessPool

    from dlp.config import Settings

log = logging.getLogger(__name__)


class LocalExecutor:
    """A pebble ProcessPool made on first use, so an unchanged rescan loads no model at all."""

    def __init__(self, workers: int, settings: Settings, key: bytes, show_values: bool) -> None:
        self.workers = workers
        self._initargs = (settings, key, show_values)
        self._nice = settings.scan.worker_nice
        self._pool: ProcessPool | None = None

    def schedule(self, fn: Callable[..., Any], args: tuple[Any, ...], timeout: float) -> Future[Any]:
        """Run ``fn(*args)`` in a worker process; pebble kills and replaces it after ``timeout`` s."""
        if self._pool is None:
            from pebble import ProcessPool

            # Where the pool forks, its workers inherit an engine built here once (model loaded once).
            preload_engine(*self._initargs)
            self._pool = ProcessPool(max_workers=self.workers, initializer=start_worker,
                                     initargs=(self._nice, *self._initargs))
        future: Future[Any] = self._pool.schedule(fn, args=args, timeout=timeout)
        return future

    def stop(self) -> None:
        """Kill the workers now."""
        if self._pool is not None:
            self._pool.stop()

    def shutdown(self) -> None:
        """Let the workers finish and exit, then make sure they are gone."""
        if self._pool is not None:
            self._pool.close()
            self._pool.join(timeout=5)
            self._pool.stop()


def start_worker(nice: int, settings: Settings, key: bytes, show_values: bool) -> None:
    """Pool initializer: lower this worker's priority by ``nice`` (``[scan] worker_nice``), then build or keep
    its engine (:func:`dlp.worker.init_worker`).

    Here and not in ``init_worker``: a Dask worker's priority is its cluster's to set, not the scan's.
    """
    lower = getattr(os, "nice", None)  # not on Windows: the workers keep the scanning process's priority
    if nice and lower is not None:
        try:
            lower(nice)
        except OSError as exc:  # a sandbox that forbids it: the scan still runs, at the usual priority
            log.warning("worker priority not lowered (worker_nice = %d): %s", nice, exc.strerror)
    init_worker(settings, key, show_values)
