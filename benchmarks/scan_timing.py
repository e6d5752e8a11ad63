"""Time a full scan and an unchanged rescan of a folder, through the real command line.

    python benchmarks/scan_timing.py examples/share --label example
    python -m dlp.testdata.corpus /tmp/corpus2k --files 2000 --seed 7
    python benchmarks/scan_timing.py /tmp/corpus2k --label corpus2k --workers 2

Each run uses a fresh store in a temporary DLP_HOME. The figures are printed and appended to
``benchmarks/results/scan_timing.jsonl`` with the machine's CPU count and the date.
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
RESULTS = ROOT / "benchmarks" / "results" / "scan_timing.jsonl"
LABELS_NAME = "_labels.json"


def _scan(source: str, home: str, extra: list[str]) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(ROOT / "run_scan.py"), "scan", source, "--format", "jsonl", "--no-progress", *extra],
        capture_output=True, text=True, env={**os.environ, "DLP_HOME": home}, check=False,
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"scan failed with exit code {proc.returncode}:\n{proc.stderr[-2000:]}")
    last = json.loads(proc.stdout.strip().splitlines()[-1])
    return elapsed, last["summary"]


def main() -> None:
    """Run the two scans and record the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source")
    parser.add_argument("--label", default="")
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to the results")
    args = parser.parse_args()
    extra = ["--workers", str(args.workers)] if args.workers else []
    # A generated corpus's answer key (dlp.testdata.corpus's _labels.json) is not part of the share.
    listed = [p for p in Path(args.source).rglob("*") if p.is_file() and p.name != LABELS_NAME]
    size = sum(p.stat().st_size for p in listed)
    files = len(listed)
    with tempfile.TemporaryDirectory(prefix="dlp-bench-") as home:
        config = Path(home) / "bench.toml"
        config.write_text(f'[scan]\nexclude = ["{LABELS_NAME}"]\n', encoding="utf-8")
        extra += ["--config", str(config)]
        full_s, full = _scan(args.source, home, extra)
        again_s, again = _scan(args.source, home, extra)
    record = {
        "date": dt.date.today().isoformat(),
        "label": args.label or args.source,
        "files": files,
        "mb": round(size / 1e6, 2),
        "cpus": os.cpu_count(),
        "workers": full.get("workers"),
        "full_scan_s": round(full_s, 2),
        "full_items": full.get("items"),
        "full_by_status": full.get("by_status"),
        "full_mb_per_s": round(size / 1e6 / full_s, 3),
        "stage_seconds": full.get("stage_seconds"),
        "store_cpu_seconds": full.get("store_cpu_seconds"),
        "store_checkpoint_seconds": full.get("store_checkpoint_seconds"),
        "store_checkpoint_cpu_seconds": full.get("store_checkpoint_cpu_seconds"),
        # Issue 15's measure: the store stage against the full scan's wall time (wall, and the writer's CPU).
        "store_pct_of_wall": round(100 * (full.get("stage_seconds") or {}).get("store", 0.0) / full_s, 1),
        "store_cpu_pct_of_wall": round(100 * float(full.get("store_cpu_seconds") or 0.0) / full_s, 1),
        # The writer and the SQLite checkpoints beside it together (the checkpoints overlap the scan).
        "store_with_checkpoints_pct_of_wall": round(100 * ((full.get("stage_seconds") or {}).get("store", 0.0)
                                                           + float(full.get("store_checkpoint_seconds") or 0.0))
                                                    / full_s, 1),
        "rescan_pct_of_full": round(100 * again_s / full_s, 1),
        "unchanged_rescan_s": round(again_s, 2),
        "rescan_examined": again.get("examined"),
        "rescan_unchanged": again.get("unchanged"),
    }
    print(json.dumps(record, indent=2))
    if not args.no_record:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
