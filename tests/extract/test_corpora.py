"""Every extractor over the third-party test corpora: each file ends as a Document, NotExamined or ItemError.

The corpora live in ``../shared/corpora/`` beside the repository; the test skips when a folder is absent.
Files are sniffed and extracted directly (not through worker processes), with the default limits and no
passwords. The counts by media type and outcome are compared with ``corpora_expected.json``; after a
deliberate change of an extractor, regenerate it with ``DLP_RECORD_CORPORA=1 python -m pytest
tests/extract/test_corpora.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
import time
import traceback
from collections import Counter
from pathlib import Path

import pytest

from dlp.errors import ItemError, NotExamined
from dlp.extract.base import extractor_for, sniff
from tests.extract.conftest import make_ctx, make_item

CORPORA = Path(__file__).resolve().parents[2].parent / "shared" / "corpora"
NAMES = (
    "apache-tika-test-documents",
    "flanker",
    "mail-parser",
    "py-pdf-sample-files",
    "defusedxml-xmltestdata",
)
EXPECTED = Path(__file__).with_name("corpora_expected.json")
# Provenance files of the corpus folders, not test documents.
_SKIP_NAMES = {"LICENSE", "LICENSE.txt", "NOTICE.txt", "MANIFEST.tsv", "SOURCES.md", "README.md"}


def _outcome(path: Path) -> tuple[str, str]:
    """(media type, outcome) of one file; outcome is ``document``, ``not_examined:<reason>`` or ``error:<reason>``."""
    data = path.read_bytes()
    media_type = sniff(path.name, data[:8192], data[-8192:])
    try:
        extractor_for(media_type).extract(make_item(path.name, data), make_ctx())
    except NotExamined as error:
        return media_type, f"not_examined:{error.reason.value}"
    except ItemError as error:
        return media_type, f"error:{error.reason.value}"
    except Exception:  # noqa: BLE001 - recorded and failed below with the traceback
        return media_type, "crash:" + traceback.format_exc(limit=3).splitlines()[-1]
    return media_type, "document"


@pytest.mark.parametrize("corpus", NAMES)
def test_every_corpus_file_gets_a_status_and_the_counts_match(corpus):
    folder = CORPORA / corpus
    if not folder.is_dir():
        pytest.skip(f"corpus not present: {folder}")
    counts: Counter[str] = Counter()
    crashes: list[str] = []
    slowest = (0.0, "")
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in _SKIP_NAMES):
        start = time.monotonic()
        media_type, outcome = _outcome(path)
        slowest = max(slowest, (time.monotonic() - start, str(path.relative_to(folder))))
        if outcome.startswith("crash:"):
            crashes.append(f"{path.relative_to(folder)}: {outcome}")
            continue
        counts[f"{media_type} {outcome}"] += 1
    assert not crashes, "extractors raised something other than ItemError:\n" + "\n".join(crashes)
    print(f"{corpus}: {sum(counts.values())} files, slowest {slowest[0]:.2f}s ({slowest[1]})")
    expected = json.loads(EXPECTED.read_text()) if EXPECTED.exists() else {}
    if os.environ.get("DLP_RECORD_CORPORA") == "1":
        expected[corpus] = dict(sorted(counts.items()))
        EXPECTED.write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")
        return
    assert corpus in expected, f"no recorded counts for {corpus}; run with DLP_RECORD_CORPORA=1"
    assert dict(sorted(counts.items())) == expected[corpus]
