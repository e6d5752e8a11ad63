"""The candidate flood and the limit of stage 1, side by side (issue 15 item 5).

:func:`engine_counters` reads the per-recognizer counters of this process's detection engine (candidates the
Hyperscan pass nominated, those validation passed, those kept), so a benchmark shows a flood as numbers.
:func:`hyperscan_limit` runs the engine's own stage-1 database alone over the extracted text of a folder:
the speed no amount of work after stage 1 can beat. Both read the engine a worker built with
:func:`dlp.worker.init_worker` in this process.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

MB = 1e6


def fast_analyzer() -> Any:
    """The fast analyzer of this process's worker engine (after ``init_worker``), or None."""
    from dlp import worker

    state = worker._STATE  # noqa: SLF001 - the benchmark reads the engine the worker built
    # (getattr: the benchmark also measures older engines, before the counters existed.)
    return None if state is None else getattr(state.engine, "fast_analyzer", None) or state.engine._fast


def engine_counters() -> dict[str, dict[str, int]]:
    """Per recognizer: candidates, validated and kept so far in this process (empty before ``init_worker``)."""
    fast = fast_analyzer()
    counts = getattr(fast, "counts", None)
    return {} if counts is None else counts.snapshot()


def counters_delta(before: dict[str, dict[str, int]], after: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """``after - before`` per recognizer and counter."""
    return {name: {k: v - before.get(name, {}).get(k, 0) for k, v in counts.items()} for name, counts in after.items()}


def hyperscan_limit(root: Path) -> dict[str, Any]:
    """The engine's stage-1 Hyperscan database alone over every file's extracted text; CPU seconds.

    The texts are extracted first (not timed); then each is encoded as stage 1 encodes it and scanned with
    a callback that only counts. MB/s is characters of text per CPU second.
    """
    from dlp.config import ExtractSettings
    from dlp.types import Item, ItemRef
    from dlp.walk import Limits, walk

    fast = fast_analyzer()
    if fast is None or fast.prefilter.db is None:
        return {"skipped": "no Hyperscan database (hyperscan missing or engine not built)"}
    texts: list[str] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        ref = ItemRef(source="bench", item_id=str(path), uri=str(path), size=path.stat().st_size)
        for node in walk(Item(ref=ref, name=path.name, path=str(path)), Limits(ExtractSettings()),
                         lambda found: [part.text for part in found.document.parts]):
            texts.extend(node.analysis or ())
    hits = [0]

    def count(pattern_id: int, start: int, end: int, flags: int, context: object) -> None:
        hits[0] += 1

    chars = sum(len(t) for t in texts)
    started = time.process_time()
    for text in texts:
        fast.prefilter.db.scan(text.encode("ascii", "replace"), match_event_handler=count)
    cpu = time.process_time() - started
    return {"patterns": getattr(fast.prefilter, "size", None), "text_mb": round(chars / MB, 2), "cpu_s": round(cpu, 3),
            "mb_per_s": round(chars / MB / max(cpu, 1e-9), 1), "matches": hits[0]}
