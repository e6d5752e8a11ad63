"""Checks in worker processes that can be killed: a check over its time limit stops, it is not left running.

A thread cannot be stopped from outside, so a check that ran past its limit in a thread kept the CPU
(and the engine) busy after its caller had given up; after a burst of large messages, small ones then
waited behind abandoned work. :class:`IsolatedChecker` runs each check in one of a few worker processes
forked from the service after it built its warm checker (the detection engine is shared copy-on-write, no
second start-up). A check that outlives ``timeout`` gets its worker killed (SIGKILL) and replaced, and
the caller gets :class:`CheckTimeout`; a worker that dies (a crash, the kernel's OOM killer) is replaced
too, and the caller gets :class:`CheckFailed`. Checks also run in parallel, one per worker, where the
in-process checker ran one at a time.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import logging
import multiprocessing
import multiprocessing.connection
import os
import queue
import signal
import threading
from collections.abc import Sequence
from typing import Any

from dlp.presend.verdict import Checker, Verdict

log = logging.getLogger(__name__)

DEFAULT_WORKERS = 2
PR_SET_PDEATHSIG = 1  # linux/prctl.h


class CheckTimeout(TimeoutError):
    """The check ran out of time (or every worker stayed busy that long); its work was stopped."""


class CheckFailed(RuntimeError):
    """The check raised in its worker, or the worker died. The text names the exception type, never content."""


class _Worker:
    """One forked process and the parent's end of its pipe."""

    def __init__(self, ctx: Any, checker: Checker) -> None:
        parent_end, child_end = ctx.Pipe()
        self.conn: multiprocessing.connection.Connection = parent_end
        self.process = ctx.Process(target=_serve, args=(child_end, parent_end, checker), name="dlp-check",
                                   daemon=True)
        self.process.start()
        child_end.close()

    def stop(self) -> None:
        """Kill the process at once (SIGKILL: a check may be stuck in C code) and reap it."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class IsolatedChecker:
    """A :class:`~dlp.presend.verdict.Checker` whose checks run in killable worker processes.

    ``checker`` is built (engine warm) before this is; the workers are forked from the calling process,
    so they share it. ``timeout`` bounds each check, waiting for a free worker included.
    """

    def __init__(self, checker: Checker, *, workers: int = DEFAULT_WORKERS, timeout: float = 120.0) -> None:
        if workers < 1 or timeout <= 0:
            raise ValueError("workers and timeout must be positive")
        self.checker = checker
        self.timeout = timeout
        # fork: the workers start in milliseconds with the engine already loaded. The parent never runs
        # a check itself, so no engine lock is held at fork time; logging's locks are reset by Python.
        self._ctx = multiprocessing.get_context("fork")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(workers):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        worker = _Worker(self._ctx, self.checker)
        with self._lock:
            self._all.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> _Worker | None:
        worker.stop()
        with self._lock:
            self._all.discard(worker)
            if self._closed:
                return None
        return self._spawn()

    def check(self, raw: bytes, today: dt.date | None = None, *,
              envelope_recipients: Sequence[str] = (), defer_disclosures: bool = False) -> Verdict:
        """The verdict, from a worker; :class:`CheckTimeout` or :class:`CheckFailed` when there is none."""
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise CheckTimeout(f"every check worker stayed busy for {self.timeout:.0f} s") from None
        replacement: _Worker | None = worker
        timed_out = died = False
        try:
            try:
                worker.conn.send((raw, today, list(envelope_recipients), defer_disclosures))
                if worker.conn.poll(self.timeout):
                    status, payload = worker.conn.recv()
                else:
                    timed_out = True
            except (EOFError, OSError):  # the pipe broke: the worker is gone
                died = True
            if timed_out:
                log.error("a check ran past %.0f s: its worker (pid %s) is killed", self.timeout,
                          worker.process.pid)
                replacement = self._replace(worker)
                raise CheckTimeout(f"the check took longer than {self.timeout:.0f} s and was stopped")
            if died:
                log.error("a check worker (pid %s) died (exit code %s); starting another", worker.process.pid,
                          worker.process.exitcode)
                replacement = self._replace(worker)
                raise CheckFailed("the check worker died")
        finally:
            if replacement is not None:
                self._idle.put(replacement)
        if status == "ok":
            verdict: Verdict = payload
            return verdict
        raise CheckFailed(str(payload))

    def record_disclosures(self, verdict: Verdict, recipients: Sequence[str] | None = None) -> int:
        """Write a deferred verdict's disclosures, in this process (the workers only judge)."""
        record: Any = getattr(self.checker, "record_disclosures", None)
        return int(record(verdict, recipients)) if record is not None else 0

    def worker_pids(self) -> list[int]:
        """The process IDs of the live workers (for tests and the administrator's eyes)."""
        with self._lock:
            return [w.process.pid for w in self._all if w.process.pid is not None]

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop()


def _serve(conn: multiprocessing.connection.Connection, parents_end: multiprocessing.connection.Connection,
           checker: Checker) -> None:
    """The worker's loop: a message in, a verdict (or the failure's description) out, until the pipe closes.

    The worker must not outlive the service: it closes its copy of the parent's end of the pipe (else it
    would never see the end of the pipe), and asks Linux to kill it when its parent dies (uvicorn ends
    the service by re-raising SIGTERM, so no clean-up of the parent runs).
    """
    parents_end.close()
    _die_with_parent()
    from dlp.presend.service import accepts_envelope, defers_disclosures, describe_failure, run_check

    with_envelope = accepts_envelope(checker)
    can_defer = defers_disclosures(checker)

    # The service's signal handlers (SIGTERM: stop serving) belong to the parent; the parent kills us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _after_fork(checker)
    while True:
        try:
            raw, today, recipients, defer = conn.recv()
        except (EOFError, OSError):
            return
        try:
            verdict = run_check(_Dated(checker, today) if today else checker, raw, recipients, with_envelope,
                                defer and can_defer)
            answer: tuple[str, Any] = ("ok", verdict)
        except Exception as exc:  # noqa: BLE001 - the worker boundary: the parent turns it into a 451 or 500
            answer = ("error", f"{describe_failure(exc)} (in check worker {os.getpid()})")
        try:
            conn.send(answer)
        except (OSError, ValueError):
            return


class _Dated:
    """A checker with the caller's ``today`` filled in (run_check does not pass one)."""

    def __init__(self, checker: Checker, today: dt.date) -> None:
        self.checker = checker
        self.today = today

    def check(self, raw: bytes, today: dt.date | None = None, **kwargs: Any) -> Verdict:
        call: Any = self.checker.check
        verdict: Verdict = call(raw, today or self.today, **kwargs)
        return verdict


def _die_with_parent() -> None:
    """prctl(PR_SET_PDEATHSIG, SIGKILL) where there is one (Linux); elsewhere the closed pipe ends us."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before the call: nobody will signal us
        os._exit(0)


def _after_fork(checker: Checker) -> None:
    """Drop what the child must not share with its parent: the store's pooled database connections."""
    disclosure_log = getattr(checker, "_log", None)
    engine = getattr(disclosure_log, "engine", None)
    if engine is not None:
        engine.dispose(close=False)  # new connections in this process; the parent's stay the parent's
