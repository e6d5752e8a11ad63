"""Throughput of the local executor against Dask with 1 and 2 workers, on the same corpus, in one run.

    python benchmarks/dask_scale.py --files 300 --seed 7

Writes the synthetic corpus (dlp/testdata/corpus.py) to a temporary folder, then runs full scans of
it through the real command line, each with a fresh store: ``--executor local`` with 1 and 2 workers and
``--executor dask`` (a LocalCluster on 127.0.0.1) with 1 and 2 workers. Wall time includes start-up
(interpreter, imports, starting the pool or cluster, building each worker's engine), as a nightly run
pays it. Results: ``benchmarks/results/dask_scale.json`` (with the command and the machine's load).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "dask_scale.json"
CONFIGS: tuple[tuple[str, int], ...] = (("local", 1), ("local", 2), ("dask", 1), ("dask", 2))


def _scan(source: Path, home: Path, executor: str, workers: int) -> dict[str, object]:
    """One full scan through the command line; its wall time and summary figures."""
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(ROOT / "run_scan.py"), "scan", str(source), "--format", "jsonl", "--no-progress",
         "--executor", executor, "--workers", str(workers), "--db", str(home / f"{executor}-{workers}.sqlite")],
        capture_output=True, text=True, env={**os.environ, "DLP_HOME": str(home)}, check=False, cwd=ROOT,
    )
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{executor} x{workers} failed with exit code {proc.returncode}:\n{proc.stderr[-2000:]}")
    summary = json.loads(proc.stdout.strip().splitlines()[-1])["summary"]
    return {
        "executor": executor,
        "workers": workers,
        "wall_s": round(wall, 2),
        "scan_s": summary["seconds"],  # from the run's start in the scanner to its end (no interpreter start)
        "items": summary["items"],
        "by_status": summary["by_status"],
        "items_per_s": round(summary["items"] / wall, 2),
        "mb_per_s": round(summary["examined_bytes"] / 1e6 / wall, 3),
        "load_avg_before": round(load_before, 2),
    }


def main() -> None:
    """Make the corpus, run every configuration once, print and record the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-record", action="store_true", help="print only; do not write the results file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dlp-dask-scale-") as tmp:
        corpus = Path(tmp) / "corpus"
        subprocess.run([sys.executable, "-m", "dlp.testdata.corpus", str(corpus),
                        "--files", str(args.files), "--seed", str(args.seed)], check=True, capture_output=True)
        files = [p for p in corpus.rglob("*") if p.is_file() and p.name != "_labels.json"]
        (corpus / "_labels.json").unlink(missing_ok=True)  # the labels are not part of the share
        corpus_mb = round(sum(p.stat().st_size for p in files) / 1e6, 2)
        runs = []
        for executor, workers in CONFIGS:
            home = Path(tmp) / f"home-{executor}-{workers}"
            home.mkdir()
            run = _scan(corpus, home, executor, workers)
            print(json.dumps(run), flush=True)
            runs.append(run)
    record = {
        "date": dt.date.today().isoformat(),
        "command": f"python benchmarks/dask_scale.py --files {args.files} --seed {args.seed}",
        "corpus": {"files": len(files), "mb": corpus_mb,
                   "made_by": f"python -m dlp.testdata.corpus --files {args.files} --seed {args.seed}"},
        "cpus": os.cpu_count(),
        "note": "one machine: Dask workers are LocalCluster processes on 127.0.0.1; wall time includes start-up",
        "runs": runs,
    }
    if not args.no_record:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
