"""Run the scanner as a subprocess and watch its memory: shared by the benchmarks that report peak RSS."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Watched:
    """What a watched scan did: its exit code, report, error tail, time and peak memory (bytes)."""

    returncode: int
    output: str
    stderr: str
    seconds: float
    peak_worker_rss: int
    peak_total_rss: int


def scan_and_watch(args: list[str], home: Path, interval: float = 0.2) -> Watched:
    """``run_scan.py scan ARGS --output FILE`` with DLP_HOME=home; poll the process tree's RSS meanwhile.

    The report goes to a file, not a pipe: a pipe nobody reads while we poll fills up and stalls the scan.
    """
    output = home / "watched-output.jsonl"
    home.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(ROOT / "run_scan.py"), "scan", *args, "--output", str(output)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "DLP_HOME": str(home)})
    main = psutil.Process(proc.pid)
    peak_total = peak_worker = 0
    while proc.poll() is None:
        try:
            children = main.children(recursive=True)
            rss = [c.memory_info().rss for c in children]
            peak_worker = max([peak_worker, *rss])
            peak_total = max(peak_total, main.memory_info().rss + sum(rss))
        except psutil.Error:
            pass  # a worker ended between listing and reading it: the next poll sees the new tree
        time.sleep(interval)
    _, err = proc.communicate()
    return Watched(proc.returncode, output.read_text(encoding="utf-8") if output.exists() else "", err,
                   time.perf_counter() - started, peak_worker, peak_total)
