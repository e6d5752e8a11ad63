"""Executors: where the pipeline's per-item work runs.

The scanner's main thread only needs three things from an executor: ``schedule(fn, args, timeout)``
returning a :class:`concurrent.futures.Future`, ``stop()`` (give up now, on an interrupt or error) and
``shutdown()`` (the run is over). Keeping the interface that small keeps the scanner's dispatch (its
handlers schedule, ``Scanner._collect`` waits) identical whatever runs the work:

- ``local`` (default): a pebble process pool on this machine (:mod:`dlp.executors.local`);
- ``dask``: a Dask LocalCluster on 127.0.0.1, one single-threaded worker process per ``--workers``;
- ``dask://HOST:PORT``: the workers of a running Dask scheduler (:mod:`dlp.executors.dask`).

A task that runs longer than its timeout ends with :class:`concurrent.futures.TimeoutError`; a task
whose worker died (and, under Dask, died again on every retry) ends with :class:`WorkerLost` or pebble's
``ProcessExpired``. Both are recorded against the item; nothing else about an item is the executor's
business.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, Protocol

from dlp.errors import ConfigError

if TYPE_CHECKING:
    from dlp.config import Settings


class Executor(Protocol):
    """Runs one function call per item somewhere and hands back a concurrent.futures future."""

    def schedule(self, fn: Callable[..., Any], args: tuple[Any, ...], timeout: float) -> Future[Any]:
        """Run ``fn(*args)``; the future fails with TimeoutError after ``timeout`` seconds of running."""

    def stop(self) -> None:
        """Abandon outstanding work now (interrupt or error): cancel what can be cancelled."""

    def shutdown(self) -> None:
        """Release workers after a finished run; waits briefly for them to exit."""


class WorkerLost(Exception):
    """The process running a task died (and retries, if the executor makes any, died too)."""

    def __init__(self, message: str, exitcode: int | str | None = None) -> None:
        super().__init__(message)
        self.exitcode = exitcode


def check_spec(spec: str) -> str:
    """Validate an ``--executor`` value; return it normalized. Raises ConfigError naming the option."""
    spec = spec.strip()
    if spec in ("local", "dask"):
        return spec
    if spec.startswith(("dask://", "tcp://", "tls://")):
        address = spec.split("://", 1)[1]
        host, _, port = address.rpartition(":")
        if host and port.isdigit():
            return spec
        raise ConfigError(f"--executor {spec}: give the scheduler as dask://HOST:PORT (e.g. dask://10.0.0.5:8786)")
    raise ConfigError(f"--executor {spec}: use 'local', 'dask' (a cluster on this machine) or dask://HOST:PORT")


def make_executor(spec: str, workers: int, settings: Settings, key: bytes, show_values: bool) -> Executor:
    """The executor named by ``spec`` (see :func:`check_spec`). Nothing starts until the first schedule()."""
    spec = check_spec(spec)
    if spec == "local":
        from dlp.executors.local import LocalExecutor

        return LocalExecutor(workers, settings, key, show_values)
    from dlp.executors.dask import DaskExecutor

    address = None if spec == "dask" else "tcp://" + spec.split("://", 1)[1] if spec.startswith("dask://") else spec
    return DaskExecutor(address, workers, settings, key, show_values)
