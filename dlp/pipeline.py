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
from typing import Any, Protocol, assert_never

from sqlalchemy.exc import SQLAlchemyError

from connectors.base import Connector
from dlp.access.scan import AccessReader
from dlp.config import Settings
from dlp.errors import EXPECTED_ITEM_ERRORS, ItemError, NotExamined
from dlp.executors import Executor, WorkerLost, make_executor
from dlp.store.db import HEARTBEAT_SECONDS, ClaimLost, KnownItem, Store, StoreGone
from dlp.store.findings import with_grouped
from dlp.types import Item, ItemRef, ItemResult, Reason, Status
from dlp.worker import process_batch_grouped, process_item_grouped

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
    recognizer_counts: dict[str, tuple[int, int, int]] = field(default_factory=dict)


# -- what the enumerator thread sends to the main thread (one message per reference, then the ends) --


@dataclass(frozen=True, slots=True)
class _Work:
    """Content to judge: new or changed, or unchanged but read again for its values (``reread``)."""

    ref: ItemRef
    content_hash: str | None
    connector: Connector | None = None
    reread: bool = False  # unchanged, but examined again for its values (--show-values)


@dataclass(frozen=True, slots=True)
class _Unchanged:
    """An item the store judged before with this engine, not modified since: only marked seen."""

    ref: ItemRef


@dataclass(frozen=True, slots=True)
class _Decided:
    """An item whose result is known without reading it (the connector's status, or a failed listing)."""

    ref: ItemRef


@dataclass(frozen=True, slots=True)
class _SourceDone:
    """A source's listing ended; ``complete`` only when it listed everything (so unseen items are removed)."""

    source: str
    complete: bool


@dataclass(frozen=True, slots=True)
class _AllListed:
    """The enumerator thread is done: every source's listing ended (or the run is stopping)."""


_Message = _Work | _Unchanged | _Decided | _SourceDone | _AllListed


# -- what a pending future is doing: judging one item (keyed by its _Work), a batch, or a fetch --


@dataclass(frozen=True, slots=True)
class _Batch:
    """Small items judged in one task; kept so that each can be run again alone if the task fails."""

    works: tuple[_Work, ...]
    items: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class _Fetch:
    """A remote item's bytes being fetched in an I/O thread; judged when they are here."""

    work: _Work


_Task = _Work | _Batch | _Fetch


@dataclass(slots=True)
class _RunState:
    """What the main thread keeps while it dispatches one run (Scanner.stats holds the counters it reports)."""

    run_id: int
    writer: _Writer
    pool: Executor
    fetcher: ThreadPoolExecutor  # the I/O threads that fetch remote items
    pending: dict[Future[Any], _Task] = field(default_factory=dict)
    in_flight: dict[str, list[_Work]] = field(default_factory=dict)  # content hash -> duplicates waiting for it
    open_batch: list[tuple[_Work, Item]] = field(default_factory=list)  # small items waiting to fill a batch
    unchanged: dict[str, list[str]] = field(default_factory=dict)  # source -> ids to mark seen
    unchanged_count: int = 0  # ids in ``unchanged``
    completed: list[str] = field(default_factory=list)  # sources listed to the end
    all_listed: bool = False
    last_progress: float = 0.0


_UNCHANGED_EVERY = 500  # unchanged ids marked seen in the store per transaction


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
        # Bounds both the queue from the enumerator and the tasks outstanding at the workers.
        self._outstanding = settings.scan.queue_size or 4 * self.workers
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
        # again (unchanged items here, store duplicates in _copies), or its values could not be shown.
        self._with_findings = ({c.source_key: _top_level_ids(self.store.items_with_findings(c.source_key),
                                                             states[c.source_key])
                                for c in connectors} if self.options.show_values else {})
        q: queue.Queue[_Message] = queue.Queue(maxsize=self._outstanding)
        enumerator = threading.Thread(target=self._enumerate, args=(connectors, states, q),
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

    def _enumerate(self, connectors: list[Connector], states: dict[str, dict[str, KnownItem]],
                   q: queue.Queue[_Message]) -> None:
        try:
            for connector in connectors:
                complete = self._enumerate_source(connector, states[connector.source_key], q)
                self._put(q, _SourceDone(connector.source_key, complete))
        finally:
            self._put(q, _AllListed())

    def _enumerate_source(self, connector: Connector, known: dict[str, KnownItem], q: queue.Queue[_Message]) -> bool:
        """Send one message per reference of the source; True when it was listed to the end."""
        try:
            for ref in connector.enumerate():
                if self._stop.is_set():
                    return False
                self._put(q, self._decide(connector, ref, known.get(ref.item_id)))
        except Exception as exc:  # noqa: BLE001 - connectors raise their libraries' own errors
            # A source that fails half-way (a server gone for good) is recorded and left incomplete, so
            # its unseen items are not marked removed, and the other sources go on.
            log.error("listing of %s failed: %s", connector.source_key, type(exc).__name__)
            self._put(q, _Decided(ItemRef(source=connector.source_key, item_id="", uri=connector.source_key,
                                          status=Status.ERROR, reason=Reason.UNREADABLE,
                                          detail=f"listing stopped: {type(exc).__name__}")))
            return False
        return True

    def _put(self, q: queue.Queue[_Message], message: _Message) -> None:
        while not self._stop.is_set():
            try:
                q.put(message, timeout=0.2)
                return
            except queue.Full:
                continue

    def _decide(self, connector: Connector, ref: ItemRef, known: KnownItem | None) -> _Message:
        if ref.status is not None:
            return _Decided(ref)
        if not self.options.full and known is not None and _unchanged(ref, known, self.engine_version):
            if ref.item_id not in self._with_findings.get(ref.source, ()):
                return _Unchanged(ref)
            return _Work(ref, connector.content_hash(ref), connector, reread=True)
        return _Work(ref, connector.content_hash(ref), connector)

    # -- main thread: the dispatch loop --

    def _dispatch(self, run_id: int, q: queue.Queue[_Message], sink: ResultSink,
                  progress: Progress | None) -> list[str]:
        """Take messages, keep the workers busy, write what they return; the sources listed to the end."""
        writer = _Writer(self.store, run_id, self.engine_version, self.settings.scan.commit_every, sink,
                         self._exposure_judge, keep_keys=self.options.all_items)
        self._writer = writer
        writer.access = self._access.apply if self._access is not None else None
        fetcher = ThreadPoolExecutor(max_workers=self.settings.scan.fetch_threads, thread_name_prefix="fetch")
        # Started on the first item that needs examining: an unchanged rescan loads no model at all.
        pool = make_executor(self.options.executor, self.workers, self.settings, self.key, self.options.show_values)
        run = _RunState(run_id, writer, pool, fetcher)
        try:
            while not run.all_listed or run.pending:
                self._take(run, q)
                if run.unchanged_count >= _UNCHANGED_EVERY:
                    self._flush_unchanged(run)
                # Whatever the queue had is taken: a part-filled batch goes now rather than idle a worker.
                self._flush_batch(run)
                if run.pending:
                    self._collect(run)
                self._report(run, progress)
            self._flush_unchanged(run)
            writer.flush()
        except BaseException:
            fetcher.shutdown(wait=False, cancel_futures=True)
            pool.stop()
            writer.flush()
            self._flush_unchanged(run)
            raise
        finally:
            fetcher.shutdown(wait=True)
            pool.shutdown()
        if progress is not None:
            progress.update(self.stats)
        return run.completed

    def _take(self, run: _RunState, q: queue.Queue[_Message]) -> None:
        """Handle messages from the enumerator while there is room for more work, until the queue is dry."""
        while not run.all_listed and len(run.pending) < self._outstanding:
            try:
                message = q.get(timeout=0.05 if run.pending else 0.5)
            except queue.Empty:
                return
            match message:
                case _Work():
                    self._on_work(run, message)
                case _Unchanged():
                    self._on_unchanged(run, message)
                case _Decided():
                    self._on_decided(run, message)
                case _SourceDone():
                    self._on_source_done(run, message)
                case _AllListed():
                    self._on_all_listed(run)
                case _:
                    assert_never(message)

    def _collect(self, run: _RunState) -> None:
        """Wait briefly for tasks to end and handle each; then send the batch their follow-ups opened."""
        finished, _ = wait(list(run.pending), timeout=0.2, return_when=FIRST_COMPLETED)
        for future in finished:
            task = run.pending.pop(future)
            match task:
                case _Work():
                    self._finish(run, task, self._result_of(future, task))
                case _Batch():
                    self._batch_done(run, future, task)
                case _Fetch():
                    self._fetch_done(run, future, task.work)
                case _:
                    assert_never(task)
        self._flush_batch(run)

    def _report(self, run: _RunState, progress: Progress | None) -> None:
        now = time.monotonic()
        if progress is not None and now - run.last_progress > 0.25:
            progress.update(self.stats)
            run.last_progress = now

    # -- one handler per message --

    def _on_work(self, run: _RunState, work: _Work) -> None:
        """Copy the judgement of identical content if there is one, else send the item to be judged."""
        self._count_enumerated(work.ref)
        reread = work.reread
        h = work.content_hash
        if h is not None:
            if h in run.in_flight:
                run.in_flight[h].append(work)  # identical content already being judged: wait for it
                return
            copies, reread = self._copies(run.writer, h, work)
            if copies is not None:
                self._add_copy(run, copies, work.ref)
                return
            run.in_flight[h] = []
        if reread:
            self.stats.reread += 1
        if work.ref.local_path is None and work.connector is not None:
            # A remote item: fetch it in an I/O thread; its judgement is scheduled when the bytes are here.
            run.pending[run.fetcher.submit(work.connector.fetch, work.ref)] = _Fetch(work)
            return
        item = Item(ref=work.ref, name=os.path.basename(work.ref.item_id) or work.ref.item_id,
                    path=work.ref.local_path)
        self._judge(run, work, item)

    def _on_unchanged(self, run: _RunState, message: _Unchanged) -> None:
        ref = message.ref
        self._count_enumerated(ref)
        run.unchanged.setdefault(ref.source, []).append(ref.item_id)
        run.unchanged_count += 1
        self.stats.unchanged += 1
        self.stats.done += 1
        self.stats.done_bytes += ref.size or 0

    def _on_decided(self, run: _RunState, message: _Decided) -> None:
        ref = message.ref
        self._count_enumerated(ref)
        run.writer.add([ItemResult(ref=ref, status=ref.status or Status.ERROR, reason=ref.reason,
                                   detail=ref.detail)])
        self.stats.done += 1

    def _on_source_done(self, run: _RunState, message: _SourceDone) -> None:
        if message.complete:
            run.completed.append(message.source)

    def _on_all_listed(self, run: _RunState) -> None:
        run.all_listed = True
        self.stats.enumeration_done = True

    # -- deduplication of identical content --

    def _copies(self, writer: _Writer, content_hash: str, work: _Work) -> tuple[list[ItemResult] | None, bool]:
        """Results of identical content judged before, re-addressed to ``work``; and whether to read it again.

        Copies of results judged in this run carry their values (they are still in memory); the store's
        do not, so with --show-values a judgement with findings is not copied but read again.
        """
        copies = writer.recent(content_hash, work.ref)
        if copies is not None:
            return copies, work.reread
        row = self.store.judged_by_hash(content_hash, self.engine_version)
        copies = self.store.copy_judgement(row, work.ref) if row is not None else None
        if copies is not None and self.options.show_values and any(c.has_findings for c in copies):
            return None, True
        return copies, work.reread

    def _add_copy(self, run: _RunState, copies: list[ItemResult], ref: ItemRef) -> None:
        run.writer.add(copies)
        self.stats.deduplicated += 1
        self.stats.done += 1
        self.stats.done_bytes += ref.size or 0

    # -- tasks: scheduling and their ends --

    def _judge(self, run: _RunState, work: _Work, item: Item) -> None:
        """Send an item to the workers: alone when it is large, else into the open batch."""
        size = work.ref.size if work.ref.size is not None else len(item.data or b"")
        if self.settings.scan.batch_items <= 1 or size > self._batch_limit:
            self._schedule_one(run, work, item)
            return
        run.open_batch.append((work, item))
        if len(run.open_batch) >= self.settings.scan.batch_items:
            self._flush_batch(run)

    def _flush_batch(self, run: _RunState) -> None:
        if not run.open_batch:
            return
        # Workers with nothing to do (the start of a run, a small share) each get a share of the open
        # batch, rather than one worker all of it while the others wait.
        members = run.open_batch
        run.open_batch = []
        idle = self.workers - len(run.pending)
        parts = max(1, min(idle, len(members)))
        size = -(-len(members) // parts)
        for start in range(0, len(members), size):
            self._schedule_batch(run, members[start:start + size])

    def _schedule_batch(self, run: _RunState, members: list[tuple[_Work, Item]]) -> None:
        if len(members) == 1:
            self._schedule_one(run, *members[0])
            return
        batch = _Batch(tuple(w for w, _ in members), tuple(i for _, i in members))
        # One item's time limit for the whole batch: small files take milliseconds each, and an
        # overrun costs only a second pass, one item per task, with each item's own limit.
        timeout = self.settings.scan.item_timeout
        run.pending[run.pool.schedule(process_batch_grouped, args=(list(batch.items),), timeout=timeout)] = batch
        self.stats.tasks += 1

    def _schedule_one(self, run: _RunState, work: _Work, item: Item) -> None:
        timeout = self.settings.scan.item_timeout
        run.pending[run.pool.schedule(process_item_grouped, args=(item,), timeout=timeout)] = work
        self.stats.tasks += 1

    def _batch_done(self, run: _RunState, future: Future[Any], batch: _Batch) -> None:
        from pebble import ProcessExpired

        try:
            groups = future.result()
        except (FutureTimeout, ProcessExpired, WorkerLost) as exc:
            # Which item overran or killed the worker is unknown: judge each again on its own.
            log.info("a batch of %d items failed (%s); judging them one per task", len(batch.items),
                     type(exc).__name__)
            for work, item in zip(batch.works, batch.items, strict=True):
                self._schedule_one(run, work, item)
            return
        for work, results in zip(batch.works, groups, strict=True):
            self._finish(run, work, results)

    def _fetch_done(self, run: _RunState, future: Future[Any], work: _Work) -> None:
        """A remote item's bytes arrived (it goes to be judged), or the failure to fetch it is its result."""
        fetched = self._fetched(future, work)
        if isinstance(fetched, Item):
            self._judge(run, work, fetched)
        else:
            self._finish(run, work, [fetched])

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

    def _finish(self, run: _RunState, work: _Work, results: list[ItemResult]) -> None:
        """Write an item's results, and copies of them for identical content that waited for it."""
        run.writer.add(results)
        self._account(results)
        for dup in run.in_flight.pop(work.content_hash or "", []):
            self._add_copy(run, _readdress(results, dup.ref), dup.ref)

    # -- counters and the store --

    def _exposure_judge(self) -> Any:
        from dlp.policy.exposure import ExposureJudge

        return ExposureJudge(self.settings, self.key)

    def _count_enumerated(self, ref: ItemRef) -> None:
        self.stats.enumerated += 1
        self.stats.enumerated_bytes += ref.size or 0

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
            for name, counts in r.recognizer_counts.items():
                total = self.stats.recognizer_counts.get(name, (0, 0, 0))
                self.stats.recognizer_counts[name] = (total[0] + counts[0], total[1] + counts[1], total[2] + counts[2])

    def _flush_unchanged(self, run: _RunState) -> None:
        for source, ids in run.unchanged.items():
            self.store.mark_seen(run.run_id, source, ids)
        run.unchanged.clear()
        run.unchanged_count = 0

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
            # The store stage's own CPU (the writing thread's): stage_seconds["store"] is wall time, which on a
            # machine whose cores the workers fill also holds the writer's waits for a core.
            "store_cpu_seconds": round(self._writer.cpu_seconds if self._writer is not None else 0.0, 3),
            # An SQLite store's log checkpoints, on a thread of their own beside the writer (not in "store"):
            # their time, and their CPU (the rest is I/O).
            "store_checkpoint_seconds": round(self.store.checkpoint_seconds[0], 3),
            "store_checkpoint_cpu_seconds": round(self.store.checkpoint_seconds[1], 3),
            # Per recognizer: candidates stage 1 nominated, validated (checks and context passed), kept.
            "recognizers": {name: dict(zip(("candidates", "validated", "kept"), counts, strict=True))
                            for name, counts in sorted(self.stats.recognizer_counts.items())},
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
                 judge_factory: Callable[[], Any], *, keep_keys: bool = False) -> None:
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
        self.cpu_seconds = 0.0  # of which this thread's CPU
        self.output_closed = False  # the output's reader went away: results are only stored
        self.listed = 0  # results passed to the output
        self.listed_keys: set[tuple[str, str]] = set()  # which, when --all-items must add the others
        self.keep_keys = keep_keys  # remember listed_keys (--all-items)
        # Adds ACL exposure to the results of items with PI (dlp.access.scan.AccessReader.apply).
        self.access: Callable[[list[ItemResult]], list[ItemResult]] | None = None

    def add(self, results: list[ItemResult]) -> None:
        if not results:
            return
        # The workers' results and copies from the store come grouped; any other result with findings one
        # by one (made in this process) is grouped once here, for both the store and the output.
        results = [with_grouped(r) for r in results]
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
        started, started_cpu = time.perf_counter(), time.thread_time()
        self.store.write(self.run_id, self.engine_version, batch)
        self.seconds += time.perf_counter() - started
        self.cpu_seconds += time.thread_time() - started_cpu
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
                                       recognizer_counts={}, verdict=None, verdict_reasons=()))
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
