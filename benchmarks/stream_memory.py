"""Stream a large text file through the real scanner and record time and peak memory.

    python benchmarks/stream_memory.py --mb 1024

Writes a synthetic text file of the given size (prose with an invented SSN every ~1 MB), scans it with
one worker through ``run_scan.py``, polls the process tree's RSS every 0.2 s, and appends the figures
to ``benchmarks/results/stream_memory.jsonl``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the repository root importable
    sys.path.insert(0, str(ROOT))

from benchmarks.procwatch import scan_and_watch  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "stream_memory.jsonl"
FILLER = "The committee reviewed the bus routes, the library budget and the spring calendar again. "


def write_file(path: Path, mb: int) -> int:
    """A file of about ``mb`` MiB with one planted SSN-format number per MiB; returns how many."""
    block = (FILLER * (1024 * 1024 // len(FILLER) + 1))[: 1024 * 1024 - 40]
    with path.open("w", encoding="utf-8") as out:
        for i in range(mb):
            out.write(block)
            out.write(f" SSN 2{i % 90 + 10:02d}-4{i % 9 + 1}-{1000 + i % 9000:04d} ")
    return mb


def main() -> None:
    """Write, scan, measure, record."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=1024)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dlp-stream-") as tmp:
        share = Path(tmp) / "share"
        share.mkdir()
        planted = write_file(share / "huge-export.txt", args.mb)
        config = Path(tmp) / "dlp.toml"
        config.write_text("[scan]\nitem_timeout = 3600\n", encoding="utf-8")  # one huge item may take minutes
        run = scan_and_watch([str(share), "--format", "jsonl", "--no-progress", "--workers", "1", "--config",
                              str(config)], Path(tmp) / "home")
    if run.returncode != 0:
        raise SystemExit(f"scan failed: {run.stderr[-2000:]}")
    elapsed, out = run.seconds, run.output
    peak_worker, peak_total = run.peak_worker_rss, run.peak_total_rss
    records = [json.loads(line) for line in out.splitlines()]
    item = next(r for r in records if "uri" in r)
    ssn = next((f["count"] for f in item["findings"] if f["entity"] == "US_SSN"), 0)
    record = {
        "date": dt.date.today().isoformat(), "mb": args.mb, "seconds": round(elapsed, 1),
        "mb_per_s": round(args.mb / elapsed, 2), "peak_worker_rss_mb": round(peak_worker / 2**20, 1),
        "peak_total_rss_mb": round(peak_total / 2**20, 1), "ssn_planted": planted, "ssn_found": ssn,
        "status": item["status"],
    }
    print(json.dumps(record, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
