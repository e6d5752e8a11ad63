"""The Dask executor: the per-item work runs on dask.distributed workers; this process stays the writer.

``--executor dask`` starts a LocalCluster on 127.0.0.1 (``--workers`` single-threaded worker processes,
no dashboard reachable from outside); ``--executor dask://HOST:PORT`` uses the workers of a running
scheduler. In both cases:

- Each worker process builds its detection engine once: :class:`EnginePlugin` (a Dask WorkerPlugin) calls
  :func:`dlp.worker.init_worker` in ``setup()`` with the pickled settings and HMAC key, also on workers
  that join or are restarted later.
- Tasks carry item *references*: an :class:`~dlp.types.Item` with a ``path`` for local files and mounted
  shares, so the worker reads the bytes itself. **A mounted share must therefore be mounted at the same
  path on every worker machine.** Remote items (SMB without a mount, Drive, mail) are fetched by this
  process's fetch threads as today and their bytes travel with the task.
- Results come back to this process, which writes them to the store once, as with the local pool.
- Outstanding work stays bounded by the pipeline (``[scan] queue_size``, default 4 per ``--workers``),
  so enumerating a huge share streams into the cluster instead of flooding the scheduler.
- A worker that dies mid-task: the scheduler re-runs its tasks on other workers (up to
  ``distributed.scheduler.allowed-failures`` times, default 3; then the item is recorded as
  ``error``/``worker_crashed``). A Dask future completes exactly once and the pipeline records one
  result per future, so an item is never lost or written twice.
- Timeouts: Dask cannot stop a running task. The clock of a task starts when its worker reports that it
  started (a ``dlp-task-started`` event, so tasks queued behind others are not timed out); after
  ``[scan] item_timeout`` the future is cancelled, the item recorded as ``error``/``timeout``, and the
  stuck worker is restarted with ``Client.restart_workers`` (its nanny kills and replaces the process;
  the plugin builds the engine again). A worker started without a nanny cannot be restarted: the stuck
  task then keeps running there until it ends, and a warning says so.

Workers of a remote cluster must have this package (same version) installed, and one thread each
(``dask worker tcp://HOST:8786 --nworkers N --nthreads 1``): the engine of a process is shared by its
threads and is not thread-safe. Settings and the HMAC key are sent to the workers through the scheduler;
across machines use ``tls://`` with Dask's TLS settings, as for any secret.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import CancelledError, Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from distributed import Client, LocalCluster, get_worker
from distributed.diagnostics.plugin import WorkerPlugin

from dlp.executors import WorkerLost
from dlp.worker import init_worker

if TYPE_CHECKING:
    from dlp.config import Settings

log = logging.getLogger(__name__)

PLUGIN_NAME = "dlp-engine"
STARTED_TOPIC = "dlp-task-started"


class EnginePlugin(WorkerPlugin):
    """Builds the detection engine once per worker process (as the local pool's initializer does)."""

    name = PLUGIN_NAME

    def __init__(self, settings: Settings, key: bytes, show_values: bool) -> None:
        self.settings = settings
        self.key = key
        self.show_values = show_values

    def setup(self, worker: Any) -> None:
        """Called on every worker, including those that join or restart after registration."""
        init_worker(self.settings, self.key, self.show_values)


def run_task(token: str, fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    """What a worker runs: report the start (the timeout clock starts now), then ``fn(*args)``."""
    try:
        worker = get_worker()
        worker.log_event(STARTED_TOPIC, {"token": token, "worker": worker.address})
    except ValueError:  # not on a worker (called directly): nothing to report to
        pass
    return fn(*args)


@dataclass
class _Task:
    token: str
    dask_future: Any
    future: Future[Any]
    timeout: float
    started: float | None = None  # time.monotonic() in this process when the worker started it
    worker: str | None = None


class DaskExecutor:
    """Schedules items on a Dask cluster and hands back concurrent.futures futures."""

    def __init__(self, address: str | None, workers: int, settings: Settings, key: bytes,
                 show_values: bool) -> None:
        self.address = address
        self.workers = workers
        self._plugin = EnginePlugin(settings, key, show_values)
        self._cluster: LocalCluster | None = None
        self._client: Client | None = None
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self._tasks: dict[str, _Task] = {}
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._watchdog: threading.Thread | None = None
        self._restarting: set[str] = set()

    # -- life cycle --

    def _start(self) -> Client:
        """Start (or connect to) the cluster and install the engine plugin; on the first schedule() only."""
        if not logging.getLogger("dlp").isEnabledFor(logging.DEBUG):
            # Dask's own configuration logs every connection at INFO; the scan's log is for the scan (-vv shows it).
            logging.getLogger("distributed").setLevel(logging.ERROR)
        if self.address is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="dlp-dask-")
            # memory_limit=0: the worker's own address-space limit ([scan] max_worker_memory_mb, set by
            # init_worker) reports an oversized parse as a memory_limit error on the item; the nanny's
            # monitor would instead kill the worker and retry the item elsewhere.
            self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                         host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                         memory_limit=0, silence_logs=logging.ERROR,
                                         local_directory=self._scratch.name)
            client = Client(self._cluster, set_as_default=False)
        else:
            try:
                client = Client(self.address, set_as_default=False)
            except OSError as exc:
                raise RuntimeError(f"cannot reach the Dask scheduler at {self.address} ({exc})") from None
        self._client = client
        client.subscribe_topic(STARTED_TOPIC, self._on_started)
        # Waits until every current worker has run setup(), i.e. has its engine.
        client.register_plugin(self._plugin, name=PLUGIN_NAME)
        threaded = {addr: n for addr, n in client.nthreads().items() if n > 1}
        if threaded:
            log.warning("Dask workers with more than one thread share one engine, which is not thread-safe: %s; "
                        "start workers with --nthreads 1", ", ".join(sorted(threaded)))
        self._watchdog = threading.Thread(target=self._watch, name="dask-timeouts", daemon=True)
        self._watchdog.start()
        return client

    def schedule(self, fn: Callable[..., Any], args: tuple[Any, ...], timeout: float) -> Future[Any]:
        """Submit ``fn(*args)``; the returned future completes once, whatever retries happen in the cluster."""
        client = self._client or self._start()
        token = uuid.uuid4().hex
        future: Future[Any] = Future()
        dask_future = client.submit(run_task, token, fn, args, key=f"dlp-item-{token}", pure=False)
        with self._lock:
            self._tasks[token] = _Task(token, dask_future, future, timeout)
        dask_future.add_done_callback(lambda f, token=token: self._finished(token, f))
        return future

    def stop(self) -> None:
        """Cancel every outstanding task (an interrupt or error): nothing more is written for them."""
        self._closing.set()
        with self._lock:
            tasks = list(self._tasks.values())
            self._tasks.clear()
        if self._client is not None and tasks:
            try:
                self._client.cancel([t.dask_future for t in tasks], force=True)
            except Exception as exc:  # noqa: BLE001 - stopping must go on whatever state the cluster is in
                log.debug("cancelling Dask tasks failed: %s", exc)
        for task in tasks:
            task.future.cancel()

    def shutdown(self) -> None:
        """Disconnect; a LocalCluster is closed, a remote cluster keeps running without our plugin."""
        self._closing.set()
        if self._watchdog is not None:
            self._watchdog.join(timeout=2)
        if self._client is not None:
            try:
                self._client.unsubscribe_topic(STARTED_TOPIC)
                if self._cluster is None:
                    # Do not leave the settings and key installed on a shared cluster.
                    self._client.unregister_worker_plugin(PLUGIN_NAME)
            except Exception as exc:  # noqa: BLE001 - best effort on the way out
                log.debug("Dask clean-up: %s", exc)
            self._client.close()
            self._client = None
        if self._cluster is not None:
            distributed_log = logging.getLogger("distributed")
            level = distributed_log.level
            # Closing the cluster logs a CommClosedError traceback for streams cut by design; not an error of ours.
            distributed_log.setLevel(max(level, logging.CRITICAL))
            try:
                self._cluster.close()
            finally:
                distributed_log.setLevel(level)
            self._cluster = None
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None

    # -- callbacks (Dask's threads) and the timeout watchdog --

    def _on_started(self, event: tuple[float, dict[str, str]]) -> None:
        # The time is taken here, not on the worker: clocks of different machines may disagree.
        message = event[1]
        with self._lock:
            task = self._tasks.get(message.get("token", ""))
            if task is not None:
                task.started = time.monotonic()  # a retry on another worker starts the clock again
                task.worker = message.get("worker")

    def _finished(self, token: str, dask_future: Any) -> None:
        with self._lock:
            task = self._tasks.pop(token, None)
        if task is None or task.future.done():
            return  # timed out or stopped already: the item has its result
        from distributed.scheduler import KilledWorker

        try:
            if dask_future.status == "finished":
                task.future.set_result(dask_future.result())
            elif dask_future.status == "cancelled":
                task.future.set_exception(WorkerLost("the Dask cluster cancelled the task", exitcode="cancelled"))
            else:
                exc = dask_future.exception()
                if isinstance(exc, KilledWorker):
                    task.future.set_exception(WorkerLost(f"Dask workers died running it ({exc})",
                                                         exitcode="killed_worker"))
                else:
                    task.future.set_exception(exc)
        except CancelledError:
            task.future.set_exception(WorkerLost("the Dask cluster cancelled the task", exitcode="cancelled"))
        except Exception as exc:  # noqa: BLE001 - e.g. the result could not be fetched from a dead worker
            task.future.set_exception(WorkerLost(f"the result was lost ({type(exc).__name__})", exitcode="lost"))

    def _watch(self) -> None:
        while not self._closing.wait(0.25):
            now = time.monotonic()
            with self._lock:
                overdue = [t for t in self._tasks.values()
                           if t.started is not None and now - t.started > t.timeout]
                for task in overdue:
                    del self._tasks[task.token]
            for task in overdue:
                self._time_out(task)

    def _time_out(self, task: _Task) -> None:
        task.future.set_exception(FutureTimeout(f"no result within {task.timeout:g} s"))
        client = self._client
        if client is None:
            return
        try:
            # Released at the scheduler, so it is not started again elsewhere; the thread running it goes on.
            task.dask_future.cancel()
        except Exception as exc:  # noqa: BLE001 - the item is recorded whatever the cluster says
            log.debug("cancel of a timed-out task failed: %s", exc)
        if task.worker and task.worker not in self._restarting:
            self._restarting.add(task.worker)
            threading.Thread(target=self._restart, args=(client, task.worker), name="dask-restart",
                             daemon=True).start()

    def _restart(self, client: Client, worker: str) -> None:
        try:
            client.restart_workers([worker], raise_for_error=True)
            log.warning("Dask worker %s restarted: a task overran its timeout", worker)
        except Exception as exc:  # noqa: BLE001 - e.g. a worker without a nanny
            log.warning("could not restart Dask worker %s after a timeout (%s); the stuck task keeps running there",
                        worker, type(exc).__name__)
        finally:
            self._restarting.discard(worker)
