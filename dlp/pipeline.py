"""The scan pipeline: enumerate -> bounded queue -> worker processes -> one writer.

::

    enumerator thread                 main thread                          worker processes (pebble)
    connector.enumerate()  --queue-->  incremental/dedup decisions  --->   read, extract, detect, classify
    compare with the store             results -> Store.write (batched) <--  list[ItemResult]
    hash changed content               -> output sink, progress

The enumerator thread compares every reference with the store's incremental state and hashes changed
content, so the main thread only dispatches, collects and writes. The queue and the number of
outstanding tasks are bounded. Small files travel to the workers in batches (``[scan] batch_items``),
so that per-task costs do not dominate a share of short memos. Each task has a time limit: pebble kills
a stuck worker, starts a new one, and the item is recorded as ``error`` / ``timeout`` (a batch that
overruns is run again one item per task, so only the culprit is recorded). The workers are an executor's
(:mod:`dlp.executors`): the local pebble pool, or Dask workers on this or other machines.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.exc import SQLAlchemyError

from connectors.base import Connector
from dlp.access.scan import AccessReader
from dlp.config import Settings
from dlp.errors import EXPECTED_ITEM_ERRORS, ItemError, NotExamined
from dlp.executors import WorkerLost, make_executor
from dlp.store.db import HEARTBEAT_SECONDS, ClaimLost, KnownItem, Store, StoreGone
from dlp.types import Item, ItemRef, ItemResult, Reason, Status
from dlp.worker import process_batch, process_item

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScanOptions:
    """Command-line choices for one scan."""

    workers: int = 0
    full: bool = False
    resume: bool = False
    show_values: bool = False
    # List every item the run saw, from the store, not only those judged by this invocation.
    all_items: bool = False
    executor: str = "local"  # "local", "dask" or "dask://HOST:PORT" (dlp.executors.check_spec)


class ResultSink(Protocol):
    """Receives every item's result as it is stored, and the summary at the end."""

    def item(self, result: ItemResult) -> None:
        """One item (top-level or member)."""

    def close(self, summary: dict[str, Any]) -> None:
        """The run is over."""


class Progress(Protocol):
    """Reports progress of a long scan."""

    def update(self, stats: RunStats) -> None:
        """Called after each batch of results and periodically."""

    def close(self) -> None:
        """The run is over."""


@dataclass
class RunStats:
    """Live counters of a run, for progress and the summary."""

    started: float = field(default_factory=time.time)
    enumerated: int = 0
    enumerated_bytes: int = 0
    enumeration_done: bool = False
    done: int = 0  # top-level items finished (examined, unchanged or problem)
    done_bytes: int = 0
    examined_items: int = 0  # items and members whose content was judged in this invocation
    examined_bytes: int = 0
    unchanged: int = 0
    deduplicated: int = 0
    reread: int = 0  # judged before, read again because --show-values asked for their values
    tasks: int = 0  # tasks sent to the workers (a batch of small items is one)
    stage_seconds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class _Work:
    ref: ItemRef
    content_hash: str | None
    connector: Connector | None = None
    reread: bool = False  # unchanged, but examined again for its values (--show-values)


@dataclass(frozen=True)
class _Batch:
    """Small items judged in one task; kept so that each can be run again alone if the task fails."""

    works: tuple[_Work, ...]
    items: tuple[Item, ...]




@dataclass(frozen=True)
class _SourceDone:
    source: str
    complete: bool


_END = object()


class Scanner:
    """Runs one scan of some sources into a store."""

    def __init__(self, settings: Settings, store: Store, key: bytes, engine_version: str,
                 options: ScanOptions) -> None:
        self.settings = settings
        self.store = store
        self.key = key
        self.engine_version = engine_version
        self.options = options
        self.workers = options.workers or settings.scan.workers or os.cpu_count() or 1
        self.stats = RunStats()
        self._stop = threading.Event()
        self._open: list[tuple[_Work, Item]] = []  # small items waiting to fill a batch
        self._batch_limit = settings.scan.batch_max_kb * 1024
        self._writer: _Writer | None = None
        self._access: AccessReader | None = None
        self._with_findings: dict[str, set[str]] = {}
        self._from_store = 0  # items listed from the store at the end (--all-items)

    def run(self, connectors: list[Connector], sink: ResultSink, progress: Progress | None = None,
            command_options: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
        """Scan the sources; return the run id and its summary. Interrupts end the run as 'interrupted'."""
        sources = [c.source_key for c in connectors]
        self.store.close_stale_runs()
        try:
            run_id = self._start(sources, command_options or {})
        except BaseException:
            for connector in connectors:
                connector.close()
            raise
        for message in self.store.takeovers:
            log.warning("%s", message)
        heartbeat = _Heartbeat(self.store, run_id)
        self._access = AccessReader(connectors, self.settings)
        states = {c.source_key: self.store.known_items(c.source_key) for c in connectors}
        # Values are never stored: with --show-values, what was judged before and holds findings is read
        # again (unchanged items here, store duplicates in _submit), or its values could not be shown.
        self._with_findings = ({c.source_key: _top_level_ids(self.store.items_with_findings(c.source_key),
                                                             states[c.source_key])
                                for c in connectors} if self.options.show_values else {})
        q: queue.Queue[object] = queue.Queue(maxsize=self.settings.scan.queue_size or 4 * self.workers)
        enumerator = threading.Thread(target=self._enumerate, args=(connectors, states, run_id, q),
                                      name="enumerate", daemon=True)
        status = "completed"
        completed_sources: list[str] = []
        lost: ClaimLost | BrokenPipeError | None = None
        previous = signal.signal(signal.SIGTERM, _raise_interrupt) if _main_thread() else None
        try:
            heartbeat.start()
            enumerator.start()
            completed_sources = self._dispatch(run_id, q, sink, progress)
        except KeyboardInterrupt:
            status = "interrupted"
            self._stop.set()
            log.warning("scan interrupted; what was stored is kept, continue with --resume")
        except ClaimLost as exc:
            # Another scan decided this one was dead and took its source: stop writing at once.
            status = "interrupted"
            self._stop.set()
            lost = exc
        except BrokenPipeError as exc:
            # The output's reader is gone (`| head`): stop as after Ctrl-C, so --resume can finish the run.
            status = "interrupted"
            self._stop.set()
            lost = exc
        except (SQLAlchemyError, StoreGone):
            # The store cannot be written (a full disk, a read-only file system, a database gone, the
            # file deleted): what was committed stays; the run is left for the next scan to continue.
            self._stop.set()
            with contextlib.suppress(SQLAlchemyError, StoreGone, OSError):
                self.store.finish_run(run_id, "interrupted", {"run_id": run_id, "status": "interrupted"})
            if progress is not None:
                progress.close()
            raise
        finally:
            heartbeat.stop()
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
            for connector in connectors:
                connector.close()
        for source in completed_sources if status == "completed" else []:
            self.store.mark_removed(run_id, source)
        if self.options.all_items and lost is None and status == "completed":
            try:
                self._list_from_store(run_id, sink)
            except BrokenPipeError as exc:
                status, lost = "interrupted", exc
        summary = self.summary(run_id, status)
        self.store.finish_run(run_id, status, summary)
        if progress is not None:
            progress.close()
        if lost is not None:
            raise lost
        sink.close(summary)
        return run_id, summary

    def _start(self, sources: list[str], command_options: dict[str, Any]) -> int:
        """The run to write into: the interrupted one with --resume, else a new one.

        Raises SourceBusy (nothing written) when another live scan owns one of the sources.
        """
        run_id = self.store.interrupted_run(sources) if self.options.resume else None
        if run_id is not None:
            self.store.reopen_run(run_id)
            log.info("resuming run %d", run_id)
            return run_id
        if self.options.resume:
            log.warning("--resume: no interrupted run over these sources; starting a new run")
        return self.store.start_run(sources, command_options, self.engine_version)

    def _list_from_store(self, run_id: int, sink: ResultSink) -> None:
        """--all-items: the items the run saw that this invocation did not list, as the store has them."""
        listed = self._writer.listed_keys if self._writer is not None else set()
        for result in self.store.run_results(run_id):
            if (result.ref.source, result.ref.item_id) not in listed:
                sink.item(result)
                self._from_store += 1

    # -- enumeration thread --

    def _enumerate(self, connectors: list[Connector], states: dict[str, dict[str, KnownItem]], run_id: int,
                   q: queue.Queue[object]) -> None:
        try:
            for connector in connectors:
                known = states[connector.source_key]
                complete = True
                try:
                    for ref in connector.enumerate():
                        if self._stop.is_set():
                            complete = False
                            break
                        self._put(q, self._decide(connector, ref, known.get(ref.item_id), run_id))
                except Exception as exc:  # noqa: BLE001 - connectors raise their libraries' own errors
                    # A source that fails half-way (a server gone for good) is recorded and left
                    # incomplete, so its unseen items are not marked removed, and the other sources go on.
                    complete = False
                    log.error("listing of %s failed: %s", connector.source_key, type(exc).__name__)
                    self._put(q, ItemRef(source=connector.source_key, item_id="", uri=connector.source_key,
                                         status=Status.ERROR, reason=Reason.UNREADABLE,
                                         detail=f"listing stopped: {type(exc).__name__}"))
                self._put(q, _SourceDone(connector.source_key, complete))
        finally:
            self._put(q, _END)

    def _put(self, q: queue.Queue[object], message: object) -> None:
        while not self._stop.is_set():
            try:
                q.put(message, timeout=0.2)
                return
            except queue.Full:
                continue

    def _decide(self, connector: Connector, ref: ItemRef, known: KnownItem | None, run_id: int) -> object:
        if ref.status is not None:
            return ref
        if not self.options.full and known is not None and _unchanged(ref, known, self.engine_version):
            if ref.item_id not in self._with_findings.get(ref.source, ()):
                return ("unchanged", ref)
            return _Work(ref, connector.content_hash(ref), connector, reread=True)
        return _Work(ref, connector.content_hash(ref), connector)

    # -- main thread: dispatch, collect, write --

    def _dispatch(self, run_id: int, q: queue.Queue[object], sink: ResultSink,
                  progress: Progress | None) -> list[str]:
        limit = self.settings.scan.queue_size or 4 * self.workers
        writer = _Writer(self.store, run_id, self.engine_version, self.settings.scan.commit_every, sink,
                         self._exposure_judge)
        writer.keep_keys = self.options.all_items
        self._writer = writer
        writer.access = self._access.apply if self._access is not None else None
        pending: dict[Future[Any], _Work | _Batch] = {}
        fetching: set[Future[Any]] = set()  # futures of connector.fetch() running in the fetch threads
        fetcher = ThreadPoolExecutor(max_workers=self.settings.scan.fetch_threads, thread_name_prefix="fetch")
        in_flight: dict[str, list[_Work]] = {}  # content hash -> duplicates waiting for the first one
        completed: list[str] = []
        unchanged: dict[str, list[str]] = {}
        last_progress = 0.0
        connectors_done = False
        # Started on the first item that needs examining: an unchanged rescan loads no model at all.
        pool = make_executor(self.options.executor, self.workers, self.settings, self.key, self.options.show_values)
        try:
            while not connectors_done or pending:
                # Take from the queue while there is room for more work.
                while not connectors_done and len(pending) < limit:
                    try:
                        message = q.get(timeout=0.05 if pending else 0.5)
                    except queue.Empty:
                        break
                    if message is _END:
                        connectors_done = True
                        self.stats.enumeration_done = True
                    elif isinstance(message, _SourceDone):
                        if message.complete:
                            completed.append(message.source)
                    elif isinstance(message, ItemRef):
                        self._count_enumerated(message)
                        writer.add([ItemResult(ref=message, status=message.status or Status.ERROR,
                                               reason=message.reason, detail=message.detail)])
                        self.stats.done += 1
                    elif isinstance(message, tuple):
                        ref = message[1]
                        self._count_enumerated(ref)
                        unchanged.setdefault(ref.source, []).append(ref.item_id)
                        self.stats.unchanged += 1
                        self.stats.done += 1
                        self.stats.done_bytes += ref.size or 0
                    elif isinstance(message, _Work):
                        self._count_enumerated(message.ref)
                        self._submit(pool, fetcher, message, pending, fetching, in_flight, writer)
                if sum(len(v) for v in unchanged.values()) >= 500:
                    self._flush_unchanged(run_id, unchanged)
                # Whatever the queue had is taken: a part-filled batch goes now rather than idle a worker.
                self._flush_batch(pool, pending)
                if pending:
                    finished, _ = wait(list(pending), timeout=0.2, return_when=FIRST_COMPLETED)
                    for future in finished:
                        entry = pending.pop(future)
                        if isinstance(entry, _Batch):
                            self._batch_done(pool, future, entry, pending, in_flight, writer)
                            continue
                        work = entry
                        if future in fetching:
                            fetching.discard(future)
                            fetched = self._fetched(future, work)
                            if isinstance(fetched, Item):
                                self._judge(pool, work, fetched, pending)
                                continue
                            results = [fetched]
                        else:
                            results = self._result_of(future, work)
                        self._finish(work, results, in_flight, writer)
                    self._flush_batch(pool, pending)
                now = time.monotonic()
                if progress is not None and now - last_progress > 0.25:
                    progress.update(self.stats)
                    last_progress = now
            self._flush_unchanged(run_id, unchanged)
            writer.flush()
        except BaseException:
            fetcher.shutdown(wait=False, cancel_futures=True)
            pool.stop()
            writer.flush()
            self._flush_unchanged(run_id, unchanged)
            raise
        finally:
            fetcher.shutdown(wait=True)
            pool.shutdown()
        if progress is not None:
            progress.update(self.stats)
        return completed

    def _exposure_judge(self) -> Any:
        from dlp.policy.exposure import ExposureJudge

        return ExposureJudge(self.settings, self.key)

    def _finish(self, work: _Work, results: list[ItemResult], in_flight: dict[str, list[_Work]],
                writer: _Writer) -> None:
        """Write an item's results, and copies of them for identical content that waited for it."""
        writer.add(results)
        self._account(results)
        for dup in in_flight.pop(work.content_hash or "", []):
            copies = _readdress(results, dup.ref)
            writer.add(copies)
            self.stats.deduplicated += 1
            self.stats.done += 1
            self.stats.done_bytes += dup.ref.size or 0

    def _judge(self, pool: Any, work: _Work, item: Item, pending: dict[Future[Any], _Work | _Batch]) -> None:
        """Send an item to the workers: alone when it is large, else into the open batch."""
        size = work.ref.size if work.ref.size is not None else len(item.data or b"")
        if self.settings.scan.batch_items <= 1 or size > self._batch_limit:
            self._schedule_one(pool, work, item, pending)
            return
        self._open.append((work, item))
        if len(self._open) >= self.settings.scan.batch_items:
            self._flush_batch(pool, pending)

    def _flush_batch(self, pool: Any, pending: dict[Future[Any], _Work | _Batch]) -> None:
        if not self._open:
            return
        # Workers with nothing to do (the start of a run, a small share) each get a share of the open
        # batch, rather than one worker all of it while the others wait.
        idle = self.workers - len(pending)
        parts = max(1, min(idle, len(self._open)))
        size = -(-len(self._open) // parts)
        for start in range(0, len(self._open), size):
            self._schedule_batch(pool, self._open[start:start + size], pending)
        self._open = []

    def _schedule_batch(self, pool: Any, members: list[tuple[_Work, Item]],
                        pending: dict[Future[Any], _Work | _Batch]) -> None:
        if len(members) == 1:
            self._schedule_one(pool, *members[0], pending)
            return
        batch = _Batch(tuple(w for w, _ in members), tuple(i for _, i in members))
        # One item's time limit for the whole batch: small files take milliseconds each, and an
        # overrun costs only a second pass, one item per task, with each item's own limit.
        timeout = self.settings.scan.item_timeout
        pending[pool.schedule(process_batch, args=(list(batch.items),), timeout=timeout)] = batch
        self.stats.tasks += 1

    def _schedule_one(self, pool: Any, work: _Work, item: Item, pending: dict[Future[Any], _Work | _Batch]) -> None:
        pending[pool.schedule(process_item, args=(item,), timeout=self.settings.scan.item_timeout)] = work
        self.stats.tasks += 1

    def _batch_done(self, pool: Any, future: Future[Any], batch: _Batch, pending: dict[Future[Any], _Work | _Batch],
                    in_flight: dict[str, list[_Work]], writer: _Writer) -> None:
        from pebble import ProcessExpired

        try:
            groups = future.result()
        except (FutureTimeout, ProcessExpired, WorkerLost) as exc:
            # Which item overran or killed the worker is unknown: judge each again on its own.
            log.info("a batch of %d items failed (%s); judging them one per task", len(batch.items),
                     type(exc).__name__)
            for work, item in zip(batch.works, batch.items, strict=True):
                self._schedule_one(pool, work, item, pending)
            return
        for work, results in zip(batch.works, groups, strict=True):
            self._finish(work, results, in_flight, writer)

    def _count_enumerated(self, ref: ItemRef) -> None:
        self.stats.enumerated += 1
        self.stats.enumerated_bytes += ref.size or 0

    def _submit(self, pool: Any, fetcher: ThreadPoolExecutor, work: _Work, pending: dict[Future[Any], _Work | _Batch],
                fetching: set[Future[Any]], in_flight: dict[str, list[_Work]], writer: _Writer) -> None:
        h = work.content_hash
        reread = work.reread
        if h is not None:
            if h in in_flight:
                in_flight[h].append(work)  # identical content already being judged: wait for it
                return
            # Copies of results judged in this run carry their values (they are still in memory).
            copies = writer.recent(h, work.ref)
            if copies is None:
                row = self.store.judged_by_hash(h, self.engine_version)
                copies = self.store.copy_judgement(row, work.ref) if row is not None else None
                if copies is not None and self.options.show_values and any(c.findings for c in copies):
                    copies, reread = None, True  # the store has no values: read the content again
            if copies is not None:
                writer.add(copies)
                self.stats.deduplicated += 1
                self.stats.done += 1
                self.stats.done_bytes += work.ref.size or 0
                return
            in_flight[h] = []
        if reread:
            self.stats.reread += 1
        if work.ref.local_path is None and work.connector is not None:
            # A remote item: fetch it in an I/O thread; its judgement is scheduled when the bytes are here.
            fetch = fetcher.submit(work.connector.fetch, work.ref)
            fetching.add(fetch)
            pending[fetch] = work
            return
        item = Item(ref=work.ref, name=os.path.basename(work.ref.item_id) or work.ref.item_id,
                    path=work.ref.local_path)
        self._judge(pool, work, item, pending)

    def _fetched(self, future: Future[Any], work: _Work) -> Item | ItemResult:
        """The fetched item, or the result recording why it could not be fetched."""
        try:
            item = future.result()
        except ItemError as exc:
            status = Status.NOT_EXAMINED if isinstance(exc, NotExamined) else Status.ERROR
            return ItemResult(ref=work.ref, status=status, reason=exc.reason, detail=exc.detail)
        except EXPECTED_ITEM_ERRORS as exc:
            # A connector's own message may quote a server's reply: keep only the kind of error.
            return ItemResult(ref=work.ref, status=Status.ERROR, reason=Reason.UNREADABLE,
                              detail=f"fetch failed ({type(exc).__name__})")
        if not isinstance(item, Item):
            raise TypeError(f"{type(work.connector).__name__}.fetch returned {type(item).__name__}, not Item")
        return item

    def _result_of(self, future: Future[list[ItemResult]], work: _Work) -> list[ItemResult]:
        from pebble import ProcessExpired

        try:
            return future.result()
        except FutureTimeout:
            detail = f"no result within {self.settings.scan.item_timeout:g} s; the worker was replaced"
            return [ItemResult(ref=work.ref, status=Status.ERROR, reason=Reason.TIMEOUT, detail=detail)]
        except (ProcessExpired, WorkerLost) as exc:
            return [ItemResult(ref=work.ref, status=Status.ERROR, reason=Reason.WORKER_CRASHED,
                               detail=f"worker process died (exit code {exc.exitcode})")]

    def _account(self, results: list[ItemResult]) -> None:
        self.stats.done += 1
        if results:
            self.stats.done_bytes += results[0].ref.size or results[0].size or 0
        for r in results:
            if r.status is not Status.ERROR or r.content_hash:
                self.stats.examined_items += 1
                self.stats.examined_bytes += r.size or 0
            for stage, seconds in r.stage_seconds.items():
                self.stats.stage_seconds[stage] = self.stats.stage_seconds.get(stage, 0.0) + seconds

    def _flush_unchanged(self, run_id: int, unchanged: dict[str, list[str]]) -> None:
        for source, ids in unchanged.items():
            self.store.mark_seen(run_id, source, ids)
        unchanged.clear()

    # -- summary --

    def summary(self, run_id: int, status: str) -> dict[str, Any]:
        """The run's summary (the contract's last jsonl line): counts from the store, rates from this run."""
        counts = self.store.run_counts(run_id)
        listed = (self._writer.listed if self._writer is not None else 0) + self._from_store
        elapsed = max(time.time() - self.stats.started, 1e-9)
        stages = dict(self.stats.stage_seconds)
        if self._writer is not None:
            stages["store"] = self._writer.seconds
        return {
            "run_id": run_id,
            "status": status,
            "items": sum(counts["by_status"].values()),
            "by_status": counts["by_status"],
            "by_reason": counts["by_reason"],
            "by_format": counts["by_format"],
            "by_source": counts["by_source"],
            "untexted_pages": counts["untexted_pages"],
            "examined": counts["examined"],
            "unchanged": counts["unchanged"],
            "deduplicated": self.stats.deduplicated,
            "reread_for_values": self.stats.reread,
            "tasks": self.stats.tasks,
            "removed": counts["removed_total"],
            "with_findings": counts["with_findings"],
            "seconds": round(elapsed, 3),
            "items_per_second": round(self.stats.done / elapsed, 2),
            "bytes_per_second": round(self.stats.done_bytes / elapsed, 1),
            "examined_bytes": self.stats.examined_bytes,
            "stage_seconds": {k: round(v, 3) for k, v in sorted(stages.items())},
            "workers": self.workers,
            # What the output lists: the items and members judged by this invocation, or (--all-items) every
            # item the run saw; "not_listed" were judged before (unchanged, or stored by the interrupted
            # invocation a --resume continues) and are in the store only.
            "listed": listed,
            "listed_from_store": self._from_store,
            "not_listed": max(0, sum(counts["by_status"].values()) - listed),
        }


class _Writer:
    """Batches results into store transactions and passes each result to the output sink once stored."""

    def __init__(self, store: Store, run_id: int, engine_version: str, every: int, sink: ResultSink,
                 judge_factory: Callable[[], Any]) -> None:
        self.store = store
        self.run_id = run_id
        self.engine_version = engine_version
        self.every = every
        self.sink = sink
        self.batch: list[list[ItemResult]] = []
        self._exposure: Any = None
        self._judge_factory = judge_factory
        self.by_hash: dict[str, list[ItemResult]] = {}
        self.last = time.monotonic()
        self.seconds = 0.0  # spent writing to the store (the "store" stage of the summary)
        self.output_closed = False  # the output's reader went away: results are only stored
        self.listed = 0  # results passed to the output
        self.listed_keys: set[tuple[str, str]] = set()  # which, when --all-items must add the others
        self.keep_keys = False
        # Adds ACL exposure to the results of items with PI (dlp.access.scan.AccessReader.apply).
        self.access: Callable[[list[ItemResult]], list[ItemResult]] | None = None

    def add(self, results: list[ItemResult]) -> None:
        if not results:
            return
        if self.access is not None:
            results = self.access(results)
        if any(r.ref.exposure for r in results):
            results = [self.exposure().apply(r) for r in results]
        self.batch.append(results)
        top = results[0]
        if top.content_hash and top.status is not Status.ERROR:
            self.by_hash[top.content_hash] = results
        if len(self.batch) >= self.every or time.monotonic() - self.last > 2.0:
            self.flush()

    def exposure(self) -> Any:
        """The transfer-rule judge, built on the first item shared or sent outside."""
        if self._exposure is None:
            self._exposure = self._judge_factory()
        return self._exposure

    def recent(self, content_hash: str, ref: ItemRef) -> list[ItemResult] | None:
        """Results of identical content judged in this batch, re-addressed (not yet in the store)."""
        found = self.by_hash.get(content_hash)
        return _readdress(found, ref) if found is not None else None

    def flush(self) -> None:
        """Store the batch, then pass it to the output (whose reader may have gone: BrokenPipeError)."""
        batch, self.batch = self.batch, []
        self.by_hash = {}
        self.last = time.monotonic()
        if not batch:
            return
        started = time.perf_counter()
        self.store.write(self.run_id, self.engine_version, batch)
        self.seconds += time.perf_counter() - started
        if self.output_closed:
            return
        try:
            for group in batch:
                for result in group:
                    self.sink.item(result)
                    self.listed += 1
                    if self.keep_keys:
                        self.listed_keys.add((result.ref.source, result.ref.item_id))
        except BrokenPipeError:
            # `scan ... | head`: what is stored stays stored; the run ends as interrupted (Scanner.run).
            self.output_closed = True
            raise


class _Heartbeat:
    """A thread that refreshes the run's claims on its sources every HEARTBEAT_SECONDS.

    A claim whose heartbeat stops (a crashed run on another host) is taken over by the next scan; a
    store that cannot be reached for a moment is only logged, the next beat tries again.
    """

    def __init__(self, store: Store, run_id: int, interval: float = HEARTBEAT_SECONDS) -> None:
        self.store = store
        self.run_id = run_id
        self.interval = interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="heartbeat", daemon=True)

    def start(self) -> None:
        """Start beating."""
        self._thread.start()

    def stop(self) -> None:
        """Stop, and wait for a beat in progress to end."""
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join()

    def _beat(self) -> None:
        from sqlalchemy.exc import SQLAlchemyError

        while not self._stopped.wait(self.interval):
            try:
                if not self.store.heartbeat(self.run_id):
                    log.warning("run %d no longer holds its sources' claims; its next write stops it",
                                self.run_id)
                    return
            except SQLAlchemyError as exc:
                log.info("heartbeat of run %d failed (%s); trying again", self.run_id, type(exc).__name__)


def _readdress(results: list[ItemResult], ref: ItemRef) -> list[ItemResult]:
    """Copies of an item's results for identical content found at ``ref``."""
    if not results:
        return []
    old = results[0].ref
    out: list[ItemResult] = []
    for r in results:
        if r.ref is old:
            new_ref = ref
        else:
            new_ref = dataclasses.replace(r.ref, source=ref.source,
                                          item_id=ref.item_id + r.ref.item_id[len(old.item_id):],
                                          uri=ref.uri + r.ref.uri[len(old.uri):], owner=ref.owner,
                                          exposure=ref.exposure, recipients=ref.recipients)
        parent = None if r.parent_uri is None else ref.uri + r.parent_uri[len(old.uri):]
        # The copy's exposure is its own: the writer judges it again.
        out.append(dataclasses.replace(r, ref=new_ref, parent_uri=parent, deduplicated=True, stage_seconds={},
                                       verdict=None, verdict_reasons=()))
    return out


def _top_level_ids(item_ids: set[str], known: dict[str, KnownItem]) -> set[str]:
    """The top-level items (keys of ``known``) that are, or contain, the given items.

    A member's id is its container's id, then ``!/`` and its path inside; a top-level id may itself hold
    ``!/`` (a folder named ``x!``), so each prefix ending before a ``!/`` is tried.
    """
    out: set[str] = set()
    for item_id in item_ids:
        if item_id in known:
            out.add(item_id)
            continue
        at = item_id.find("!/")
        while at != -1:
            if item_id[:at] in known:
                out.add(item_id[:at])
                break
            at = item_id.find("!/", at + 2)
    return out


def _unchanged(ref: ItemRef, known: KnownItem, engine_version: str) -> bool:
    if known.engine_version != engine_version or known.status == Status.ERROR.value:
        return False
    if ref.etag is not None and known.etag is not None:
        return ref.etag == known.etag
    return ref.size == known.size and ref.modified == known.modified


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()
