"""Time the store stage alone: a real scan's results written again, many times over, as a scan writes them.

    python -m dlp.testdata.corpus /tmp/corpus2k --files 2000 --seed 7
    python run_scan.py scan /tmp/corpus2k --db /tmp/corpus2k.sqlite --format jsonl --output /dev/null
    python -m benchmarks.store_load capture /tmp/corpus2k.sqlite /tmp/corpus2k.results
    python -m benchmarks.store_load replay /tmp/corpus2k.results --copies 50 --label "..."

``capture`` reads the last run's results from a store (every item, its members and findings, as
``--all-items`` would list them) and pickles them grouped per top-level item. ``replay`` writes them into
a fresh store ``--copies`` times under distinct item ids (as ``benchmarks/grow_tree.py`` copies a corpus:
the same values in every copy), in batches of ``--batch`` top-level items (the scan's ``commit_every``),
through :meth:`Store.write`, the call the scan's writer makes; then it times an unchanged rescan's store
work (``known_items`` and ``mark_seen`` in the scan's chunks). It measures the main process's store
seconds only: no workers, no detection. Fifty copies of the 2,000-file corpus are the 100,000-file tree
of ``benchmarks/results/scan_timing.jsonl`` (109,750 items).

The figures are printed and, unless ``--no-record``, appended to the ``replays`` of
``benchmarks/results/store_load.json`` (which also keeps the whole-scan figures of issue 15, item 4).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import pickle
import tempfile
import time
from pathlib import Path
from typing import Any

from dlp.store.db import Store
from dlp.store.findings import with_grouped
from dlp.types import ItemRef, ItemResult

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "store_load.json"
SOURCE = "bench-source"
UNCHANGED_CHUNK = 1000  # what the scan hands mark_seen at a time (Scanner._flush_unchanged)


def capture(store_path: Path, out: Path) -> int:
    """Pickle the last run's stored results, grouped per top-level item; return the number of groups."""
    store = Store(f"sqlite:///{store_path}")
    try:
        with store.engine.connect() as conn:
            run_id = conn.exec_driver_sql("SELECT max(id) FROM runs").scalar_one()
        groups: list[list[ItemResult]] = []
        for result in store.run_results(int(run_id)):
            if result.parent_uri is None or not groups:
                groups.append([])
            groups[-1].append(dataclasses.replace(result, deduplicated=False))
    finally:
        store.close()
    with out.open("wb") as f:
        pickle.dump(groups, f, protocol=pickle.HIGHEST_PROTOCOL)
    return len(groups)


def _current(result: ItemResult) -> ItemResult:
    """A result unpickled from a capture by another version of the scanner, rebuilt with this version's
    fields (those it lacks take their defaults)."""
    fields = dataclasses.fields(ItemResult)
    return ItemResult(**{f.name: getattr(result, f.name) for f in fields if hasattr(result, f.name)})


def _copy(group: list[ItemResult], n: int) -> list[ItemResult]:
    """The group's results under copy ``n``'s item ids and URIs (members keep their place)."""
    prefix = f"copy-{n:03}/"
    out = []
    for r in group:
        ref = ItemRef(source=SOURCE, item_id=prefix + r.ref.item_id, uri=prefix + r.ref.uri, size=r.ref.size,
                      modified=r.ref.modified, etag=r.ref.etag, owner=r.ref.owner, exposure=r.ref.exposure,
                      recipients=r.ref.recipients)
        parent = prefix + r.parent_uri if r.parent_uri is not None else None
        out.append(dataclasses.replace(r, ref=ref, parent_uri=parent))
    return out


def replay(groups: list[list[ItemResult]], url: str, copies: int, batch: int) -> dict[str, Any]:
    """Write ``copies`` copies of ``groups`` into the store at ``url``; time the writes and a rescan's."""
    store = Store(url)
    try:
        run = store.start_run([SOURCE], {}, "bench")
        write_s = 0.0
        items = findings = 0
        pending: list[list[ItemResult]] = []
        # Grouped once, as the workers send them (dlp.worker.process_item_grouped); copies keep the grouping.
        sent = [[with_grouped(r) for r in group] for group in groups]
        per_copy = sum(len(r.findings) for group in groups for r in group)
        wall = time.perf_counter()
        for n in range(copies):
            for group in sent:
                pending.append(_copy(group, n))
                items += len(group)
                if len(pending) >= batch:
                    started = time.perf_counter()
                    store.write(run, "bench", pending)
                    write_s += time.perf_counter() - started
                    pending = []
            findings += per_copy
        if pending:
            started = time.perf_counter()
            store.write(run, "bench", pending)
            write_s += time.perf_counter() - started
        wall_s = time.perf_counter() - wall
        store.finish_run(run, "completed", {})
        rescan = store.start_run([SOURCE], {}, "bench")
        started = time.perf_counter()
        known = list(store.known_items(SOURCE))
        for start in range(0, len(known), UNCHANGED_CHUNK):
            store.mark_seen(rescan, SOURCE, known[start:start + UNCHANGED_CHUNK])
        rescan_s = time.perf_counter() - started
        store.finish_run(rescan, "completed", {})
        with store.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT count(*) FROM findings").scalar_one()
    finally:
        store.close()
    return {"items": items, "findings": findings, "finding_rows": int(rows), "store_write_s": round(write_s, 2),
            "replay_wall_s": round(wall_s, 2), "rescan_store_s": round(rescan_s, 2)}


def main() -> None:
    """Capture or replay (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    cap = sub.add_parser("capture", help="pickle a store's last run")
    cap.add_argument("store", type=Path)
    cap.add_argument("out", type=Path)
    rep = sub.add_parser("replay", help="write captured results into a fresh store")
    rep.add_argument("results", type=Path)
    rep.add_argument("--copies", type=int, default=50)
    rep.add_argument("--batch", type=int, default=200, help="top-level items per write (the scan's commit_every)")
    rep.add_argument("--db", help="a store URL (default: a new SQLite file in a temporary folder)")
    rep.add_argument("--label", default="")
    rep.add_argument("--no-record", action="store_true", help="print only; do not append to the results")
    args = parser.parse_args()
    if args.command == "capture":
        print(f"{capture(args.store, args.out)} top-level items in {args.out}")
        return
    with args.results.open("rb") as f:
        groups = [[_current(r) for r in group] for group in pickle.load(f)]  # noqa: S301 - our own capture
    with tempfile.TemporaryDirectory(prefix="dlp-store-load-") as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'dlp.sqlite'}"
        figures = replay(groups, url, args.copies, args.batch)
        size = Path(tmp, "dlp.sqlite").stat().st_size if not args.db else None
    record = {"date": dt.date.today().isoformat(), "label": args.label, "backend": url.split(":", 1)[0],
              "copies": args.copies, "batch": args.batch, "cpus": os.cpu_count(),
              "load_avg_1m_at_end": round(os.getloadavg()[0], 1), **figures,
              **({"store_mb": round(size / 1e6, 1)} if size else {})}
    print(json.dumps(record, indent=2))
    if not args.no_record:
        existing = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
        existing.setdefault("replays", []).append(record)
        RESULTS.write_text(json.dumps(existing, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
