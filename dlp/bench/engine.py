"""Throughput benchmark: the real scanner with 1..N workers, plain Presidio and ripgrep side by side.

Usage (``dlp bench`` from an installed copy is the same program)::

    python run_scan.py bench                                   # 2,000 generated files (seed 7), workers 1,2
    python run_scan.py bench --corpus /srv/sample --workers 2 --config dlp.toml
    python run_scan.py bench --files 20 --workers 1 --no-presidio --no-ripgrep --json out.json

What one run measures:

1. **The scanner** as users run it: ``python -m dlp scan DIR --full --format jsonl --no-progress --workers N``
   in a fresh temporary ``DLP_HOME`` per worker count. Wall time, files/s and MB/s (file bytes, end to end,
   process start and model load included), the summary's per-stage seconds (summed over workers: they
   are CPU-ish seconds, not wall seconds), CPU seconds of the process tree, and peak RSS per process and
   in total, by polling the process tree with psutil every 0.2 s (the workers are the scanner's children).
   Enumeration is not in the summary, so it is timed separately, in this process, with the same
   connector and settings.
2. **Plain Presidio** (``AnalyzerEngine``, default recognizers, the same spaCy model, tldextract offline:
   :mod:`dlp.bench.presidio`, the accuracy benchmark's runner too) on a seeded sample of the same files'
   extracted text, in one process: MB/s per core, model load excluded.
3. **ripgrep** (``rg``, when installed: Debian package ``ripgrep``) with ASCII-mode regexes of the same
   kinds (SSN, card, SASID, routing, phone, e-mail, dates, licence, account) over the same files, with
   ``--text`` so that every byte is searched: the near-limit of a regex pass over raw bytes (it does not
   open DOCX/XLSX/ZIP, so it is a speed reference, not an equal-findings one).

Then a table, rule-based recommendations (:func:`recommend`), a line appended to
``benchmarks/results/bench.jsonl`` of the checkout the package runs from, or ``$DLP_HOME/bench/bench.jsonl``
for an installed copy (or ``--record FILE``) and, with ``--json FILE``, the full result.
Nothing here sees a value: the scan runs without ``--show-values`` and its output goes to a temporary
file of which only the summary line is read; Presidio's results are counted in its process; ripgrep
prints counts only.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import random
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dlp.testdata.corpus import LABELS_NAME

if TYPE_CHECKING:
    from dlp.config import Settings

# The folder that holds the ``dlp`` package this process runs: the scans run the same code.
PACKAGE_PARENT = Path(__file__).resolve().parents[2]
POLL_SECONDS = 0.2
MB = 1e6
# The summary's stages, in pipeline order; the detect_* ones are parts of "detect".
STAGES: tuple[str, ...] = ("read", "extract", "detect", "detect_prefilter", "detect_validate", "detect_ner",
                           "detect_tables", "classify", "store")  # store: the main process's writes
WORKER_STAGES: tuple[str, ...] = ("read", "extract", "detect", "classify")  # disjoint; their sum is worker time
DETECT_PARTS: tuple[str, ...] = ("detect_prefilter", "detect_validate", "detect_ner", "detect_tables")
TARGET_WORKER_RSS_MB = 600  # issue 5: peak memory under 600 MB per worker
TARGET_PRESIDIO_X = 100  # issue 5: at least 100x plain Presidio per core, on the way to 500x

# ripgrep patterns: the research baseline's eight (perf-results.md, case b5) plus ABA routing numbers.
# Each carries (?-u): with Unicode \b and \d ripgrep runs ~22x slower on this corpus, and the scanner's own
# prefilter is byte-oriented too, so ASCII mode is the fair near-limit.
RG_PATTERNS: dict[str, str] = {
    "ssn": r"\b\d{3}-\d{2}-\d{4}\b",
    "card": r"\b(?:\d{4}[- ]?){3}\d{4}\b|\b3[47]\d{2}[- ]?\d{6}[- ]?\d{5}\b",
    "phone": r"(?:\(\d{3}\) ?|\b\d{3}[-.])\d{3}[-.]\d{4}\b",
    "email": r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b",
    "sasid": r"\b\d{10}\b",
    "ma_license": r"\bS\d{8}\b",
    "date": (r"\b(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])/(?:19|20)\d{2}\b"
             r"|\b(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])\b"),
    "routing": r"\b[0-3]\d{8}\b",
    "account": r"\b(?:[Aa]ccount|ACCOUNT|[Aa]cct|ACCT)\b[^\n0-9]{0,20}\d{6,17}\b",
}


# --------------------------------------------------------------------------------------------- machine, corpus


def machine() -> dict[str, Any]:
    """What the figures were measured on: CPUs, memory, load at the start (the machine may be shared)."""
    import psutil

    model = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count() or 1,
        "cpu_model": model,
        "memory_mb": round(psutil.virtual_memory().total / 2**20),
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def measure_enumeration(corpus: Path, settings: Any) -> dict[str, Any]:
    """Time the local connector's enumeration of ``corpus`` with the scan's settings, in this process.

    Returns seconds, the files it yields (relative paths, for the Presidio sample), their bytes, and bytes
    per file extension (for the recommender: which format the extraction time goes to).
    """
    from connectors.local import LocalConnector

    started = time.perf_counter()
    refs = list(LocalConnector(str(corpus), str(corpus), settings.scan).enumerate())
    seconds = time.perf_counter() - started
    files = [r for r in refs if r.status is None and r.size is not None]
    by_ext: Counter[str] = Counter()
    for r in files:
        by_ext[Path(r.item_id).suffix.lower().lstrip(".") or "(none)"] += r.size or 0
    return {
        "seconds": round(seconds, 3),
        "files": len(files),
        "problems": len(refs) - len(files),
        "bytes": sum(r.size or 0 for r in files),
        "bytes_by_ext": dict(by_ext.most_common()),
        "rels": sorted(r.item_id for r in files),
    }


# --------------------------------------------------------------------------------------------- the scanner


class _RssPoller(threading.Thread):
    """Samples the RSS of a process and all its descendants every ``interval`` seconds until stopped."""

    def __init__(self, pid: int, interval: float = POLL_SECONDS) -> None:
        super().__init__(name="rss-poller", daemon=True)
        self.pid = pid
        self.interval = interval
        self.stop = threading.Event()
        self.peak: dict[int, int] = {}  # pid -> peak RSS in bytes
        self.peak_total = 0
        self.samples = 0

    def run(self) -> None:
        import psutil

        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while True:
            self._sample(root)
            if self.stop.wait(self.interval):
                return

    def _sample(self, root: Any) -> None:
        import psutil

        try:
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return
        total = 0
        for p in procs:
            try:
                rss = int(p.memory_info().rss)
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue  # a worker that just exited: its last sample stands
            total += rss
            self.peak[p.pid] = max(self.peak.get(p.pid, 0), rss)
        self.peak_total = max(self.peak_total, total)
        self.samples += 1


def run_scan(corpus: Path, workers: int, config: Path | None, work: Path, files: int, nbytes: int,
             cpus: int) -> dict[str, Any]:
    """Run the real scanner once over ``corpus`` with ``workers`` workers and measure it."""
    home = work / f"home-w{workers}"
    home.mkdir(mode=0o700)
    cmd = [sys.executable, "-m", "dlp", "scan", str(corpus), "--full", "--format", "jsonl",
           "--no-progress", "--workers", str(workers)]
    if config is not None:
        cmd += ["--config", str(config)]
    out_path, err_path = work / f"scan-w{workers}.jsonl", work / f"scan-w{workers}.err"
    # Children's CPU time: the scanner's workers are reaped by the scanner, so their time is in it too.
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=work, env=_scan_env(home))
        poller = _RssPoller(proc.pid)
        poller.start()
        code = proc.wait()
        wall = time.perf_counter() - started
        poller.stop.set()
        poller.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    workers_rss = [v for pid, v in poller.peak.items() if pid != proc.pid]
    result: dict[str, Any] = {
        "workers": workers,
        "exit_code": code,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "files": files,
        "mb": round(nbytes / MB, 3),
        "files_per_s": round(files / wall, 2),
        "mb_per_s": round(nbytes / MB / wall, 4),
        "mb_per_s_per_core": round(nbytes / MB / wall / max(1, min(workers, cpus)), 4),
        "peak_rss_main_mb": round(poller.peak.get(proc.pid, 0) / 2**20, 1),
        "peak_rss_worker_mb": round(max(workers_rss, default=0) / 2**20, 1),
        "peak_rss_total_mb": round(poller.peak_total / 2**20, 1),
        "child_processes": len(workers_rss),
        "rss_samples": poller.samples,
        # The machine may be shared: the load at the end says whether others competed for the cores.
        "load_avg_1m_after": round(os.getloadavg()[0], 2),
    }
    summary = _summary(out_path)
    if code not in (0, 3, 4) or summary is None:
        # The scanner's stderr holds log lines, never values; its end says what went wrong.
        tail = err_path.read_text(encoding="utf-8", errors="replace")[-3000:]
        sys.stderr.write(f"scan with --workers {workers} failed (exit {code}):\n{tail}\n")
        result["error"] = "no summary line" if code in (0, 3, 4) else f"exit code {code}"
        return result
    stage = summary.get("stage_seconds") or {}
    result.update({
        "scan_s": summary.get("seconds"),
        "items": summary.get("items"),
        "by_status": summary.get("by_status"),
        "by_format": {k: sum(v.values()) for k, v in (summary.get("by_format") or {}).items()},
        "stage_seconds": {k: round(float(stage.get(k, 0.0)), 3) for k in STAGES},
        "untexted_pages": summary.get("untexted_pages"),
        # Per recognizer: stage-1 candidates, those that passed its checks, those kept (the flood in numbers).
        "recognizers": summary.get("recognizers") or {},
    })
    return result


def _scan_env(home: Path) -> dict[str, str]:
    """The scan's environment: its own data home, and this process's ``dlp`` first on the path."""
    path = os.pathsep.join(p for p in (str(PACKAGE_PARENT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "DLP_HOME": str(home), "PYTHONPATH": path}


def _summary(out_path: Path) -> dict[str, Any] | None:
    """The summary object of a scan's JSON-lines output (its last line); findings lines are not parsed."""
    last = b""
    with out_path.open("rb") as fh:
        for line in fh:
            if line.strip():
                last = line
    try:
        summary = json.loads(last).get("summary")
    except (ValueError, AttributeError):
        return None
    return summary if isinstance(summary, dict) else None


# --------------------------------------------------------------------------------------------- references


def _presidio_sample(root: str, rels: list[str]) -> dict[str, Any]:
    """In a child process: plain Presidio on the extracted text of ``rels``, timed apart from extraction.

    The accuracy benchmark's runner (same engine, recognizers, model, threshold and member naming), with
    the model load and our extraction timed apart from Presidio's analysis.
    """
    from detectors.base import canonical_entities
    from dlp.bench import presidio

    started = time.perf_counter()
    presidio.init(sorted(canonical_entities()))
    init_s = time.perf_counter() - started
    extract_s = analyze_s = 0.0
    nbytes = chars = found = items = 0
    for rel in rels:
        path = Path(root) / rel
        data = path.read_bytes()
        nbytes += len(data)
        t0 = time.perf_counter()
        extracted = list(presidio.extracted(rel, path.name, data))
        extract_s += time.perf_counter() - t0
        for _uri, texts in extracted:
            items += 1
            for text in texts or ():
                chars += len(text)
                t0 = time.perf_counter()
                found += len(presidio.analyze(text))
                analyze_s += time.perf_counter() - t0
    return {
        "files": len(rels),
        "items": items,
        "mb": round(nbytes / MB, 3),
        "text_mb": round(chars / MB, 3),
        "model_load_s": round(init_s, 2),
        "extract_s": round(extract_s, 2),
        "analyze_s": round(analyze_s, 2),
        # One process = one core: MB of file bytes per second of extraction plus analysis.
        "mb_per_s": round(nbytes / MB / max(extract_s + analyze_s, 1e-9), 4),
        "text_mb_per_s": round(chars / MB / max(analyze_s, 1e-9), 4),
        "findings": found,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def presidio_reference(corpus: Path, rels: Sequence[str], sample: int, seed: int) -> dict[str, Any]:
    """Plain Presidio on a seeded sample of ``rels`` in one child process (so its memory is measured alone)."""
    chosen = sorted(random.Random(seed).sample(list(rels), min(sample, len(rels))))
    with ProcessPoolExecutor(max_workers=1) as pool:
        result: dict[str, Any] = pool.submit(_presidio_sample, str(corpus), chosen).result()
    return result


def ripgrep_reference(corpus: Path, nbytes: int, cpus: int, repeat: int = 3) -> dict[str, Any]:
    """ripgrep with :data:`RG_PATTERNS` over the corpus, 1 thread and ``cpus`` threads; median of ``repeat``."""
    rg = shutil.which("rg")
    if rg is None:
        return {"skipped": "rg not installed (Debian package ripgrep)"}
    version = subprocess.run([rg, "--version"], capture_output=True, text=True, check=False).stdout.split("\n")[0]
    args = [rg, "--no-config", "--no-ignore", "--text", "--count-matches", "--no-filename",
            "--glob", f"!{LABELS_NAME}"]
    for pattern in RG_PATTERNS.values():
        args += ["-e", f"(?-u){pattern}"]
    out: dict[str, Any] = {"version": version, "patterns": sorted(RG_PATTERNS), "mb": round(nbytes / MB, 3)}
    for threads in sorted({1, cpus}):
        times = []
        matches = 0
        for _ in range(repeat):
            t0 = time.perf_counter()
            proc = subprocess.run([*args, "-j", str(threads), str(corpus)], capture_output=True, text=True,
                                  check=False)
            times.append(time.perf_counter() - t0)
            if proc.returncode not in (0, 1):  # 1: no match anywhere
                return {"skipped": f"rg failed with exit code {proc.returncode}", "version": version}
            # --count-matches --no-filename prints one count per file: numbers only, never a match.
            matches = sum(int(n) for n in proc.stdout.split())
        seconds = statistics.median(times)
        out[f"j{threads}"] = {"seconds": round(seconds, 3), "mb_per_s": round(nbytes / MB / seconds, 1),
                              "matches": matches}
    out["mb_per_s_per_core"] = out["j1"]["mb_per_s"]
    return out


# --------------------------------------------------------------------------------------------- recommendations


def _pct(part: float, whole: float) -> float:
    return part / whole if whole > 0 else 0.0


def recommend(results: Mapping[str, Any]) -> list[str]:
    """Rule-based advice from a bench result (the dict this module records); one sentence per finding.

    Rules, in order: which stage dominates the workers' time (and within detection, which part); how
    busy the workers were; how the worker counts scale; memory against the per-worker target and the
    machine; where the figures stand against plain Presidio and ripgrep.
    """
    runs = [r for r in results.get("runs", ()) if not r.get("error") and r.get("files_per_s")]
    if not runs:
        return ["no scan run completed: nothing to recommend (the scanner's error is printed above)"]
    cpus = int(results.get("machine", {}).get("cpus") or 1)
    base = min(runs, key=lambda r: r["workers"])
    best = max(runs, key=lambda r: r["files_per_s"])
    out: list[str] = []

    # 1. Which stage the workers' time goes to, on the fastest run.
    st = {k: float(v) for k, v in (best.get("stage_seconds") or {}).items()}
    work = sum(st.get(k, 0.0) for k in WORKER_STAGES)
    detect = st.get("detect", 0.0)
    if work > 0:
        d, x, r = _pct(detect, work), _pct(st.get("extract", 0.0), work), _pct(st.get("read", 0.0), work)
        if d >= 0.5:
            parts = {k: _pct(st.get(k, 0.0), detect) for k in DETECT_PARTS}
            ner, tables = parts["detect_ner"], parts["detect_tables"]
            regex = parts["detect_prefilter"] + parts["detect_validate"]
            head = f"CPU-bound in detect ({d:.0%} of worker time; NER {ner:.0%} of detect)"
            if ner >= 0.4:
                out.append(f'{head}: [detect] ner = "off" (names then come from table columns and the roster '
                           f"only) or fewer NER anchors; roster import finds rostered names without NER")
            elif tables >= 0.4:
                out.append(f"{head}: table typing takes {tables:.0%} of detect: large rosters and exports "
                           f"dominate; check that their columns are typed by header, not scanned cell by cell")
            elif regex >= 0.5:
                out.append(f"{head}: the prefilter and validation take {regex:.0%} of detect: check that "
                           f"[detect] student_id_patterns / employee_id_patterns are specific (broad patterns "
                           f"make many candidates) and that Hyperscan is installed (the re fallback is slower)")
            else:
                rest = 1 - sum(parts.values())
                out.append(f"{head}: {rest:.0%} of detect is outside the measured parts (per-part engine "
                           f"overhead): profile dlp/detect/engine.py")
        elif x >= 0.4:
            by_ext = results.get("corpus", {}).get("bytes_by_ext") or {}
            total = sum(by_ext.values())
            heavy = [(e, n) for e, n in by_ext.items() if e in _HEAVY_FORMATS]
            fmt = ""
            if heavy and total:
                ext, n = max(heavy, key=lambda kv: kv[1])
                fmt = f" of {ext.upper()} files ({_pct(n, total):.0%} of the bytes)"
            msg = f"extraction{fmt} dominates ({x:.0%} of worker time)"
            if results.get("ocr"):
                msg += ": OCR is on; set [extract] ocr = false unless scanned images must be read"
            elif "pdf" in fmt.lower():
                msg += ": PDF text layers are parsed in Python; more workers help, as the work is per file"
            else:
                msg += ": the parsers are per file, so more workers help where cores are free"
            out.append(msg)
        elif r >= 0.3:
            out.append(f"reading dominates ({r:.0%} of worker time): I/O-bound on the storage or the share; "
                       f"more workers than cores overlap the waits")
        else:
            out.append(f"no single stage dominates (detect {d:.0%}, extraction {x:.0%}, read {r:.0%} of worker time)")

    # 2. How busy the workers were: stage time against the workers' wall time.
    busy = _pct(work, best["wall_s"] * best["workers"])
    if work > 0 and busy < 0.5:
        out.append(f"the workers were busy {busy:.0%} of the wall time: start-up (spaCy model load per worker) "
                   f"or the main process (enumeration, store writes) dominates; use a larger corpus for "
                   f"figures that speak for a real share")

    # 3. Scaling with the number of workers; on a shared machine others' load explains poor scaling.
    # Only the load before the first scan tells of other work: the one-minute average read after a
    # scan still holds that scan's own workers (a 20 s scan on two cores leaves it near 1.5).
    load = float(results.get("machine", {}).get("load_avg_1m") or 0)
    load_note = f", load average up to {load:g}" if load else ""
    if load > 0.5 * cpus:
        out.append(f"the machine was busy (load average up to {load:g} on {cpus} CPUs): the figures are lower "
                   f"and the scaling worse than on an idle machine")
    got = [(r["workers"], _pct(float(r["cpu_s"]), float(r["wall_s"])), min(r["workers"], cpus))
           for r in runs if r.get("cpu_s")]
    if got and min(used / asked for _, used, asked in got) < 0.6:
        # CPU seconds of the process tree per wall second: a CPU-bound scan that got less than 60% of
        # the cores it asked for was starved by other work, so its wall-time figures understate it.
        detail = ", ".join(f"--workers {n}: {used:.1f} of {asked}" for n, used, asked in got)
        out.append(f"the scans got fewer cores than they asked for ({detail}): other work held the cores, "
                   f"so files/s and MB/s understate the scanner; rerun on an idle machine")
    for run in sorted(runs, key=lambda r: r["workers"]):
        if run is base:
            continue
        gain = _pct(run["files_per_s"], base["files_per_s"])
        line = f"--workers {run['workers']} gives {gain:.1f}x of {base['workers']}"
        ideal = min(run["workers"], cpus) / max(1, min(base["workers"], cpus))
        cores = _pct(float(run.get("cpu_s") or 0), float(run["wall_s"]))
        if gain < 1.1 and run.get("cpu_s") and cores < 0.6 * min(run["workers"], cpus):
            # The process tree got little CPU although it had work queued for every worker: other
            # work held the cores (a serial main process would show the same, so both are named).
            line += (f" (no gain: the scan used {cores:.1f} of the {min(run['workers'], cpus)} cores it asked for"
                     f"{load_note}: other work held the cores, or the main process is the limit)")
        elif gain < 1.1:
            line += f" (no gain: the cores are shared or busy{load_note}, or the main process is the limit)"
        elif gain < 0.75 * ideal:
            line += f" (ideal {ideal:.1f}x: part of the work is serial or the cores are shared)"
        if run["workers"] > cpus:
            line += f"; more workers than the {cpus} CPUs"
        out.append(line)
    if len(runs) > 1:
        out.append(f"use --workers {best['workers']} (the fastest here: {best['files_per_s']} files/s, "
                   f"{best['mb_per_s']} MB/s)")

    # 4. Memory.
    worst = max(runs, key=lambda r: r.get("peak_rss_worker_mb", 0))
    per_worker = float(worst.get("peak_rss_worker_mb") or 0)
    mem = float(results.get("machine", {}).get("memory_mb") or 0)
    if per_worker > TARGET_WORKER_RSS_MB:
        out.append(f"peak RSS per worker {per_worker:.0f} MB is over the {TARGET_WORKER_RSS_MB} MB target: "
                   f"lower [scan] max_item_bytes / stream_text_over_mb, or check the largest files")
    total = max(float(r.get("peak_rss_total_mb") or 0) for r in runs)
    if mem and total > 0.8 * mem:
        out.append(f"peak RSS {total:.0f} MB in total is near the machine's {mem:.0f} MB: use fewer workers")
    elif mem and per_worker:
        fits = int((0.8 * mem - float(worst.get("peak_rss_main_mb") or 0)) // per_worker)
        limit = "not the limit" if fits >= 2 * cpus else "the limit before the CPUs are"
        out.append(f"memory is {limit}: {per_worker:.0f} MB per worker at peak, {total:.0f} MB in total; "
                   f"about {fits} workers fit in 80% of the machine's {mem:.0f} MB")

    # 5. Against the references.
    # Per core, the best run per core (often the one-worker run), not the fastest run overall.
    ours = max(float(r.get("mb_per_s_per_core") or 0) for r in runs)
    presidio = results.get("presidio") or {}
    if presidio.get("mb_per_s"):
        x_pres = ours / float(presidio["mb_per_s"])
        verdict = "meets" if x_pres >= TARGET_PRESIDIO_X else "is below"
        out.append(f"{x_pres:.0f}x plain Presidio per core ({ours} vs {presidio['mb_per_s']} MB/s): "
                   f"{verdict} the {TARGET_PRESIDIO_X}x target")
    ripgrep = results.get("ripgrep") or {}
    if ripgrep.get("mb_per_s_per_core"):
        out.append(f"{_pct(ours, float(ripgrep['mb_per_s_per_core'])):.2%} of ripgrep's ASCII regex speed "
                   f"per core ({ripgrep['mb_per_s_per_core']} MB/s): the room left above the regex pass")
    return out


# Formats whose extraction is parsing work (containers, XML, PDF), as opposed to decoding text.
_HEAVY_FORMATS = frozenset({"pdf", "docx", "xlsx", "pptx", "doc", "xls", "ppt", "odt", "ods", "odp", "msg",
                            "eml", "mbox", "zip", "7z", "tar", "gz", "png", "jpg", "jpeg", "tif", "tiff", "rtf"})


# --------------------------------------------------------------------------------------------- table


def _fmt(value: Any, width: int) -> str:
    if value is None or value == "":
        return "-".rjust(width)
    if isinstance(value, float):
        text = f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
        return text.rjust(width)
    return str(value).rjust(width)


TABLE_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("workers", "workers", 7), ("wall_s", "wall s", 7), ("files_per_s", "files/s", 8), ("mb_per_s", "MB/s", 7),
    ("mb_per_s_per_core", "MB/s/core", 9), ("enumerate", "enum", 6), ("read", "read", 6),
    ("extract", "extract", 7), ("detect", "detect", 7), ("detect_prefilter", "prefilt", 7),
    ("detect_validate", "valid", 6), ("detect_ner", "ner", 6), ("detect_tables", "tables", 6),
    ("classify", "classify", 8), ("store", "store", 6), ("peak_rss_worker_mb", "RSS/wkr MB", 10),
    ("peak_rss_total_mb", "RSS tot MB", 10),
)  # fmt: skip


def format_table(results: Mapping[str, Any]) -> str:
    """The result as text: one row per worker count, the references, then the recommendations."""
    corpus = results.get("corpus", {})
    lines = [
        f"corpus: {corpus.get('files')} files, {corpus.get('mb')} MB ({corpus.get('origin')}); "
        f"machine: {results.get('machine', {}).get('cpus')} CPUs, load {results.get('machine', {}).get('load_avg_1m')}",
        "stage seconds (read .. classify) are summed over workers; enum is timed in the bench process; store is "
        "the main process writing to the store",
        " ".join(title.rjust(w) for _, title, w in TABLE_COLUMNS),
    ]
    enum_s = results.get("enumerate", {}).get("seconds")
    for run in results.get("runs", ()):
        if run.get("error"):
            lines.append(f"{_fmt(run['workers'], 7)}  failed: {run['error']}")
            continue
        row = {**run, **run.get("stage_seconds", {}), "enumerate": enum_s}
        lines.append(" ".join(_fmt(row.get(key), w) for key, _, w in TABLE_COLUMNS))
    lines.append("")
    p = results.get("presidio") or {}
    if p.get("mb_per_s"):
        lines.append(f"plain Presidio: {p['mb_per_s']} MB/s per core ({p['files']} files, {p['mb']} MB, "
                     f"{p['extract_s'] + p['analyze_s']:.1f} s; model load {p['model_load_s']} s not counted; "
                     f"peak RSS {p['peak_rss_mb']} MB)")
    else:
        lines.append(f"plain Presidio: skipped ({p.get('skipped', 'not run')})")
    rg = results.get("ripgrep") or {}
    if rg.get("mb_per_s_per_core"):
        rest = ", ".join(f"{k[1:]} threads {v['mb_per_s']} MB/s" for k, v in rg.items()
                         if k.startswith("j") and k != "j1" and isinstance(v, dict))
        lines.append(f"ripgrep ({rg['version']}, {len(rg['patterns'])} ASCII patterns, --text): "
                     f"{rg['mb_per_s_per_core']} MB/s on 1 thread" + (f", {rest}" if rest else ""))
    else:
        lines.append(f"ripgrep: skipped ({rg.get('skipped', 'not run')})")
    hs = results.get("hyperscan_stage1") or {}
    if hs.get("mb_per_s"):
        lines.append(f"stage-1 Hyperscan database alone ({hs['patterns']} patterns): {hs['mb_per_s']} MB/s of text "
                     f"per CPU second, {hs['matches']} matches")
    best = max((r for r in results.get("runs", ()) if r.get("recognizers") and r.get("scan_s")),
               key=lambda r: r["workers"], default=None)
    if best is not None:
        seconds = float(best["scan_s"])
        lines.append(f"per recognizer (--workers {best['workers']}, per second of the scan): candidates/s, "
                     "validated/s, kept/s; the largest floods first")
        flood = sorted(best["recognizers"].items(), key=lambda kv: -kv[1].get("candidates", 0))
        for name, c in flood[:8]:
            lines.append(f"  {name:<32} {c.get('candidates', 0) / seconds:>10.0f} "
                         f"{c.get('validated', 0) / seconds:>9.0f} {c.get('kept', 0) / seconds:>8.1f}")
    lines.append("")
    lines.append("recommendations:")
    lines.extend(f"- {line}" for line in results.get("recommendations", ()))
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------- the run


def parse_workers(text: str) -> list[int]:
    """``"1,2"`` -> ``[1, 2]``; each a positive integer, duplicates dropped, order kept.

    Raises:
        ValueError: an entry is not a positive integer.
    """
    out: list[int] = []
    for part in text.split(","):
        n = int(part.strip())
        if n < 1:
            raise ValueError(f"worker count {n} is not positive")
        if n not in out:
            out.append(n)
    if not out:
        raise ValueError("no worker count")
    return out


def bench(corpus: Path, origin: str, workers: list[int], config: Path | None, work: Path, *,
          presidio_sample: int | None, ripgrep: bool, seed: int, command: str) -> dict[str, Any]:
    """Measure everything on ``corpus``; returns the result dict (with its recommendations)."""
    from dlp import config as config_mod

    if config is None:
        # The synthetic corpus's local ID formats, as a district would configure its own, and the label
        # file kept out: the accuracy benchmark scans with the same config.
        from dlp.testdata.corpus import SCAN_CONFIG

        config = work / "dlp-bench.toml"
        config.write_text(SCAN_CONFIG.format(workers=0), encoding="utf-8")
        config_note = "bench default (dlp/testdata/corpus.py SCAN_CONFIG)"
    else:
        config_note = str(config)
    settings = config_mod.load(config)
    info = machine()
    enum = measure_enumeration(corpus, settings)
    rels = enum.pop("rels")
    print(f"[bench] {enum['files']} files, {enum['bytes'] / MB:.1f} MB; enumeration {enum['seconds']} s", flush=True)
    runs = []
    for n in workers:
        print(f"[bench] scanner with --workers {n} ...", flush=True)
        runs.append(run_scan(corpus, n, config, work, enum["files"], enum["bytes"], info["cpus"]))
    results: dict[str, Any] = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "command": command,
        "machine": info,
        "corpus": {"origin": origin, "files": enum["files"], "mb": round(enum["bytes"] / MB, 3),
                   "bytes_by_ext": enum["bytes_by_ext"]},
        "config": config_note,
        "ocr": settings.extract.ocr,
        "engine": settings.detect.engine,
        "ner": settings.detect.ner,
        "enumerate": {"seconds": enum["seconds"], "files": enum["files"], "problems": enum["problems"]},
        "runs": runs,
    }
    if presidio_sample:
        print(f"[bench] plain Presidio on {min(presidio_sample, len(rels))} files ...", flush=True)
        results["presidio"] = presidio_reference(corpus, rels, presidio_sample, seed)
    else:
        results["presidio"] = {"skipped": "--no-presidio"}
    results["ripgrep"] = (ripgrep_reference(corpus, enum["bytes"], info["cpus"]) if ripgrep
                          else {"skipped": "--no-ripgrep"})
    print("[bench] the stage-1 Hyperscan database alone ...", flush=True)
    results["hyperscan_stage1"] = _stage1_limit(corpus, settings)
    results["recommendations"] = recommend(results)
    return results


def _stage1_limit(corpus: Path, settings: Settings) -> dict[str, Any]:
    """The engine's own stage-1 database over the corpus's texts (:func:`dlp.bench.flood.hyperscan_limit`),
    with a worker engine built in this process (no memory limit: this is the bench, not a worker)."""
    from dlp.bench.flood import hyperscan_limit
    from dlp.worker import init_worker

    unlimited = dataclasses.replace(settings, scan=dataclasses.replace(settings.scan, max_worker_memory_mb=0))
    init_worker(unlimited, b"\0" * 32, False)  # a throwaway key: nothing is stored, only matches counted
    return hyperscan_limit(corpus)


def run_from_args(args: argparse.Namespace) -> int:
    """``dlp bench`` with parsed options (see :func:`dlp.bench.add_arguments`); returns the exit code."""
    from dlp.bench import DEFAULT_FILES, default_record

    def usage(msg: str) -> int:
        print(f"dlp bench: {msg}", file=sys.stderr)
        return 2

    try:
        workers = parse_workers(args.workers)
    except ValueError as exc:
        return usage(f"--workers {args.workers!r}: {exc}")
    if getattr(args, "db", None):
        return usage("--db: bench always scans into a temporary store")
    if args.corpus and args.files is not None:
        return usage("give --corpus or --files, not both")
    files = DEFAULT_FILES if args.files is None else args.files
    if files < 1 or args.presidio_sample < 1:
        return usage("--files and --presidio-sample must be at least 1")
    config = Path(args.config).resolve() if args.config else None
    if config is not None and not config.is_file():
        return usage(f"--config {args.config}: no such file")
    command = shlex.join(["python", *sys.argv]) if sys.argv and sys.argv[0] else "dlp bench"
    with tempfile.TemporaryDirectory(prefix="dlp-bench-") as tmp:
        work = Path(tmp)
        if args.corpus:
            corpus = Path(args.corpus).resolve()
            if not corpus.is_dir():
                return usage(f"--corpus {args.corpus}: not a folder")
            origin = f"given: {corpus}"
        else:
            from dlp.testdata.corpus import generate

            corpus = work / "corpus"
            made = generate(corpus, files, args.seed)
            origin = f"generated: make_corpus --files {files} --seed {args.seed}"
            print(f"[bench] generated {made.files} files ({made.bytes / MB:.1f} MB) in {made.seconds:.1f} s",
                  flush=True)
        results = bench(corpus, origin, workers, config, work,
                        presidio_sample=None if args.no_presidio else args.presidio_sample,
                        ripgrep=not args.no_ripgrep, seed=args.seed, command=command)
    print(format_table(results))
    record = Path(args.record) if args.record else default_record()
    record.parent.mkdir(parents=True, exist_ok=True)
    with record.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(results, sort_keys=True) + "\n")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 1 if any(r.get("error") for r in results["runs"]) else 0
