"""Progress of a long scan: a rich bar on a terminal, plain periodic lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import IO

from dlp.pipeline import RunStats


def _mb(n: int) -> float:
    return n / 1_000_000


class PlainProgress:
    """A line every ``interval`` seconds on standard error (for logs, cron mail, CI)."""

    def __init__(self, interval: float = 10.0, out: IO[str] | None = None) -> None:
        self.interval = interval
        self.out = out or sys.stderr
        self.last = time.monotonic()

    def update(self, stats: RunStats) -> None:
        """Print a line when the interval has passed."""
        now = time.monotonic()
        if now - self.last < self.interval:
            return
        self.last = now
        self.out.write(_line(stats) + "\n")
        self.out.flush()

    def close(self) -> None:
        """Nothing to tear down."""


class RichProgress:
    """A live bar: items, MB, rate and ETA (the total grows until enumeration ends)."""

    def __init__(self) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            TextColumn("[bold]scanning"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[mb]}"),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            transient=True,
            console=None,
        )
        self.progress.start()
        self.task = self.progress.add_task("scan", total=None, mb="", rate="")

    def update(self, stats: RunStats) -> None:
        """Refresh the bar."""
        elapsed = max(time.time() - stats.started, 1e-9)
        self.progress.update(
            self.task,
            completed=stats.done,
            total=stats.enumerated if stats.enumeration_done else max(stats.enumerated, 1) + 1,
            mb=f"{_mb(stats.done_bytes):.1f}/{_mb(stats.enumerated_bytes):.1f} MB",
            rate=f"{stats.done / elapsed:.1f} items/s",
        )

    def close(self) -> None:
        """Remove the bar."""
        self.progress.stop()


def _line(stats: RunStats) -> str:
    elapsed = max(time.time() - stats.started, 1e-9)
    rate = stats.done / elapsed
    eta = ""
    if stats.enumeration_done and rate > 0:
        eta = f", ETA {max(stats.enumerated - stats.done, 0) / rate:.0f} s"
    total = str(stats.enumerated) + ("" if stats.enumeration_done else "+")
    return (f"progress: {stats.done}/{total} items, {_mb(stats.done_bytes):.1f}/{_mb(stats.enumerated_bytes):.1f} MB, "
            f"{rate:.1f} items/s, {_mb(stats.done_bytes) / elapsed:.2f} MB/s{eta}")
