"""Scan the third-party corpora of hostile and unusual files through the real scanner.

    python benchmarks/corpora_scan.py            # print and record counts, peak memory, slowest items
    python benchmarks/corpora_scan.py --record   # also rewrite tests/corpora_scan_expected.json

For each corpus under ../shared/corpora (real documents in many formats, broken mail, PDFs, XML
attacks, archives), runs ``run_scan.py scan DIR --format jsonl`` with a temporary store, polls the
process tree's memory, and reports counts by status and reason, the peak RSS and the slowest items.
The counts are what ``tests/test_corpora_scan.py`` compares against.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the repository root importable
    sys.path.insert(0, str(ROOT))

from benchmarks.procwatch import scan_and_watch  # noqa: E402

CORPORA = ROOT.parent / "shared" / "corpora"
NAMES = ("apache-tika-test-documents", "flanker", "mail-parser", "cpython-testsuite", "py-pdf-sample-files",
         "defusedxml-xmltestdata")
EXPECTED = ROOT / "tests" / "corpora_scan_expected.json"
RESULTS = ROOT / "benchmarks" / "results" / "corpora_scan.json"


def scan(corpus: Path, workers: int = 2) -> dict[str, Any]:
    """Scan one corpus; return counts, peak memory and the slowest items."""
    with tempfile.TemporaryDirectory(prefix="dlp-corpora-") as home:
        run = scan_and_watch([str(corpus), "--format", "jsonl", "--no-progress", "--workers", str(workers)],
                             Path(home))
    out, err, elapsed = run.output, run.stderr, run.seconds
    peak_worker, peak_total = run.peak_worker_rss, run.peak_total_rss
    lines = [json.loads(line) for line in out.splitlines() if line.strip()]
    items = [r for r in lines if "uri" in r]
    summary: dict[str, Any] = next((r["summary"] for r in lines if "summary" in r), {})
    counts = collections.Counter(f"{r['status']}:{r['reason'] or ''}".rstrip(":") for r in items)
    slowest = sorted((r for r in items if "seconds" in r), key=lambda r: -r["seconds"])[:3]
    return {
        "exit_code": run.returncode,
        "stderr_tail": err[-300:] if run.returncode else "",
        "items": len(items),
        "counts": dict(sorted(counts.items())),
        "seconds": round(elapsed, 1),
        "peak_worker_rss_mb": round(peak_worker / 2**20, 1),
        "peak_total_rss_mb": round(peak_total / 2**20, 1),
        "slowest": [{"uri": str(Path(r["uri"]).relative_to(corpus)) if r["uri"].startswith(str(corpus)) else r["uri"],
                     "seconds": r["seconds"], "status": r["status"]} for r in slowest],
        "summary_status": summary.get("status"),
    }


def main() -> None:
    """Scan every corpus that is present; print and record."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--record", action="store_true", help="rewrite the test's expected counts")
    args = parser.parse_args()
    if not CORPORA.is_dir():
        raise SystemExit(f"no corpora at {CORPORA}")
    results = {name: scan(CORPORA / name) for name in NAMES if (CORPORA / name).is_dir()}
    record = {"date": dt.date.today().isoformat(), "command": "python benchmarks/corpora_scan.py",
              "corpora": results}
    print(json.dumps(record, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    if args.record:
        EXPECTED.write_text(json.dumps({k: v["counts"] for k, v in results.items()}, indent=2) + "\n",
                            encoding="utf-8")


if __name__ == "__main__":
    main()
