"""The third-party corpora of real and hostile files through the real scanner: every file gets a status,
nothing crashes the scan, and the counts match the recorded expectation (benchmarks/corpora_scan.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
EXPECTED = json.loads((ROOT / "tests" / "corpora_scan_expected.json").read_text())


@pytest.mark.skipif(not CORPORA.is_dir(), reason=f"shared corpora not found at {CORPORA} (only on the project's "
                                                  "build machines)")
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_corpus_scans_to_the_recorded_counts(name: str, tmp_path: Path) -> None:
    corpus = CORPORA / name
    if not corpus.is_dir():
        pytest.skip(f"corpus {name} not present")
    out = tmp_path / "out.jsonl"
    proc = subprocess.run([sys.executable, str(ROOT / "run_scan.py"), "scan", str(corpus), "--format", "jsonl",
                           "--no-progress", "--output", str(out)], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "DLP_HOME": str(tmp_path / "home")})
    assert proc.returncode == 0, proc.stderr[-2000:]
    records = [json.loads(line) for line in out.read_text().splitlines()]
    items = [r for r in records if "uri" in r]
    summary = next(r["summary"] for r in records if "summary" in r)
    assert summary["status"] == "completed" and summary["items"] == len(items)
    counts = Counter(f"{r['status']}:{r['reason'] or ''}".rstrip(":") for r in items)
    assert dict(counts) == EXPECTED[name]
