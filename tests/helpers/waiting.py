"""Bounded waits: a test waits for a condition or an event, never for a fixed time, and never for ever.

The bounds are generous (a shared, loaded 2-core machine can be slow): they turn a hang into a failure with
a message, they do not measure anything.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

DEFAULT_TIMEOUT = 300.0


def wait_until(condition: Callable[[], bool], what: str, timeout: float = DEFAULT_TIMEOUT,
               interval: float = 0.05) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` if it still does not after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            raise AssertionError(f"still not {what} after {timeout:g} s")
        time.sleep(interval)


def run_bounded(fn: Callable[[], T], what: str, timeout: float = DEFAULT_TIMEOUT) -> T:
    """``fn()`` in a thread; its result, its exception, or a failure naming ``what`` if it hangs."""
    done = threading.Event()
    outcome: list[T] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(fn())
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread as it is
            failure.append(exc)
        finally:
            done.set()

    threading.Thread(target=target, name=f"bounded: {what}", daemon=True).start()
    if not done.wait(timeout):
        raise AssertionError(f"{what} did not finish within {timeout:g} s")
    if failure:
        raise failure[0]
    return outcome[0]


class _Matching(logging.Handler):
    def __init__(self, needle: str, event: threading.Event) -> None:
        super().__init__(logging.DEBUG)
        self.needle = needle
        self.event = event

    def emit(self, record: logging.LogRecord) -> None:
        if self.needle in record.getMessage():
            self.event.set()


@contextmanager
def logged(logger: str, needle: str) -> Iterator[threading.Event]:
    """An event set when ``logger`` logs a message containing ``needle`` at WARNING or above (or lower, if
    the logger is set lower), for as long as the block runs."""
    event = threading.Event()
    handler = _Matching(needle, event)
    target = logging.getLogger(logger)
    level = target.level
    if not target.isEnabledFor(logging.WARNING):
        target.setLevel(logging.WARNING)
    target.addHandler(handler)
    try:
        yield event
    finally:
        target.removeHandler(handler)
        target.setLevel(level)
