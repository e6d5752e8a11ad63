"""The third-party corpora of real and hostile files through the real scanner: every file gets a status,
nothing crashes the scan, the counts match the recorded expectation (benchmarks/corpora_scan.py) and every
item's record matches its golden file (tests/golden, written by ``python -m tests.golden.record``)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tests.golden import CORPORA, scan_tree
from tests.golden.test_golden import assert_golden

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = json.loads((ROOT / "tests" / "corpora_scan_expected.json").read_text())


@pytest.mark.skipif(not CORPORA.is_dir(), reason=f"shared corpora not found at {CORPORA} (only on the project's "
                                                  "build machines)")
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_corpus_scans_to_the_recorded_counts_and_records(name: str, tmp_path: Path) -> None:
    corpus = CORPORA / name
    if not corpus.is_dir():
        pytest.skip(f"corpus {name} not present")
    records = scan_tree(corpus, tmp_path)  # exit 0 or RuntimeError with the scan's stderr
    counts = Counter(f"{r['status']}:{r['reason'] or ''}".rstrip(":") for r in records.values())
    assert dict(counts) == EXPECTED[name]
    assert_golden(f"corpus-{name}", records)
