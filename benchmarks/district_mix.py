"""A mixed district text set with the shape of a real share, and where the scanner's time goes on it (issue 15).

    python benchmarks/district_mix.py                       # generate into a temp folder, measure, record
    python benchmarks/district_mix.py --keep /tmp/mix       # keep the generated set there
    python benchmarks/district_mix.py --scale 0.25 --no-presidio --no-record   # a quick look

The set (about 20 MB at ``--scale 1``; never committed, always generated):

- large PI-free files every share has: a gateway log and a sync debug log (timestamps, epoch seconds and
  milliseconds, IPs, ports, session and request IDs, byte counts, hex digests), an asset inventory (asset
  tags, serials, MACs, IMEIs, PO numbers, dates, prices) and a library catalog (14-digit item barcodes,
  ISBN-13 and ISBN-10, call numbers, prices, authors as "Last, First");
- files with PI from :class:`dlp.testdata.synth.Synth`: rosters and payroll (CSV), SIS exports (JSON),
  parent and staff mail (EML, some with attachments), memos, IEP and nurse notes (TXT).

What is measured, in this one process, in CPU seconds (``time.process_time``: the machine is shared with
other jobs, so wall time would measure them too):

- the worker (:func:`dlp.worker.process_item_grouped`, what a scan's worker runs, findings grouped for the
  store included; engine built first): MB/s per core for the whole set and for the PI-free number-heavy
  files alone, the summed ``stage_seconds``, and per recognizer the candidates the
  Hyperscan pass nominated, the ones validation passed and the ones kept (``dlp.detect.fast`` counters);
- the engine's start-up (``preload_engine``, as the scanning process builds it before forking) in CPU seconds;
- the bare Hyperscan pass of the engine's own stage-1 database over the same texts (the limit of stage 1);
- ripgrep over the same files (``dlp.bench.engine.ripgrep_reference``, when ``rg`` is installed);
- plain Presidio (:mod:`dlp.bench.presidio`) on a slice of every file (it is ~1000x slower), CPU seconds.

Results go to ``benchmarks/results/district_mix.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "district_mix.json"
MB = 1e6
TARGET_PI_FREE_MB_S = 20.0  # issue 15: PI-free number-heavy text, per core
TARGET_PRESIDIO_X = 250  # issue 15: end to end, against plain Presidio per core
PRESIDIO_SLICE = 5_000  # characters of each file plain Presidio reads
PI_FREE = ("gateway", "sync-debug", "asset-inventory", "library-catalog")

_HEX = "0123456789abcdef"
_WORDS = ("connect", "handshake", "upstream", "retry", "cache", "proxy", "route", "policy", "filter", "pool")


def _hex(r: random.Random, n: int) -> str:
    return "".join(r.choice(_HEX) for _ in range(n))


def _ip(r: random.Random) -> str:
    return f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"


def _stamp(r: random.Random, base: dt.datetime) -> tuple[dt.datetime, str]:
    base += dt.timedelta(milliseconds=r.randint(1, 900))
    return base, base.strftime("%Y-%m-%dT%H:%M:%S.") + f"{base.microsecond // 1000:03d}Z"


def gateway_log(r: random.Random, size: int) -> str:
    """A web gateway's access/debug log: every line full of numbers and none of them a person's."""
    lines: list[str] = []
    total = 0
    now = dt.datetime(2025, 3, 3, 6, 0, 0)
    while total < size:
        now, stamp = _stamp(r, now)
        epoch = int(now.timestamp())
        kind = r.random()
        if kind < 0.6:
            line = (f"{stamp} gw-0{r.randint(1, 4)} INFO conn={r.randint(100000, 999999)} src={_ip(r)}:"
                    f"{r.randint(1024, 65535)} dst=172.16.{r.randint(0, 31)}.{r.randint(1, 254)}:443 "
                    f"bytes_in={r.randint(200, 9_999_999)} bytes_out={r.randint(200, 99_999_999)} "
                    f"req={r.randint(10**15, 10**16 - 1)} session={r.randint(10**11, 10**12 - 1)} "
                    f"dur={r.randint(1, 4000)}ms status={r.choice((200, 200, 204, 301, 304, 403, 404, 502))}")
        elif kind < 0.85:
            line = (f"{stamp} gw-0{r.randint(1, 4)} DEBUG {r.choice(_WORDS)} id={r.randint(10**8, 10**9 - 1)} "
                    f"epoch={epoch} ts_ms={epoch * 1000 + r.randint(0, 999)} seq={r.randint(1, 10**10)} "
                    f"trace={_hex(r, 16)} cksum={r.randint(10**9, 10**10 - 1)}")
        else:
            line = (f"{stamp} gw-0{r.randint(1, 4)} WARN upstream {_ip(r)} slow: {r.randint(1000, 9000)} ms, "
                    f"retry {r.randint(1, 5)}/5, queue {r.randint(0, 9999)} of {r.randint(1000, 9999)}, "
                    f"pid {r.randint(100, 99999)} rss {r.randint(10**5, 10**7)} kB "
                    f"cpu {r.randint(0, 99)}.{r.randint(0, 9)}%")
        lines.append(line)
        total += len(line) + 1
    return "\n".join(lines) + "\n"


def sync_log(r: random.Random, size: int) -> str:
    """A file-sync client's debug log: file IDs, inodes, offsets, sizes, versions, change tokens."""
    lines: list[str] = []
    total = 0
    now = dt.datetime(2025, 2, 17, 22, 0, 0)
    while total < size:
        now, stamp = _stamp(r, now)
        line = (f"[{stamp}] DEBUG sync.worker[{r.randint(1, 16)}] file_id={r.randint(10**12, 10**13 - 1)} "
                f"inode={r.randint(10**8, 10**9 - 1)} size={r.randint(0, 10**10)} off={r.randint(0, 10**9)} "
                f"ver={r.randint(1, 99)}.{r.randint(0, 99)}.{r.randint(0, 9999)} token={r.randint(10**17, 10**18)} "
                f"etag=\"{_hex(r, 32)}\" mtime={int(now.timestamp())} chunk {r.randint(0, 999)}/{r.randint(1, 999)}")
        lines.append(line)
        total += len(line) + 1
    return "\n".join(lines) + "\n"


def asset_inventory(r: random.Random, size: int) -> str:
    """An IT asset inventory export (CSV): tags, serials, MACs, IMEIs, PO numbers, purchase dates, costs."""
    rows = ["asset_tag,serial_number,model,mac_address,imei,building,room,po_number,purchase_date,cost,status"]
    total = len(rows[0])
    models = ("Chromebook 3110", "Latitude 5440", "iPad 9th gen", "ThinkPad L13", "Epson EB-L210W", "HP M404dn")
    while total < size:
        mac = ":".join(_hex(r, 2) for _ in range(6))
        row = (f"EPS-{r.randint(10000, 99999)},{r.choice(('5CG', 'C02', 'PF3', 'DMP'))}{r.randint(10**6, 10**7 - 1)}"
               f"{_hex(r, 3).upper()},{r.choice(models)},{mac},{r.randint(10**14, 10**15 - 1)},"
               f"B{r.randint(1, 12)},{r.randint(100, 340)},{r.randint(4500000000, 4599999999)},"
               f"{r.randint(1, 12)}/{r.randint(1, 28)}/{r.randint(2016, 2025)},"
               f"{r.randint(150, 2400)}.{r.randint(0, 99):02d},"
               f"{r.choice(('deployed', 'spare', 'repair', 'retired'))}")
        rows.append(row)
        total += len(row) + 1
    return "\n".join(rows) + "\n"


def _isbn13(r: random.Random) -> str:
    body = "978" + "".join(str(r.randint(0, 9)) for _ in range(9))
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _isbn10(r: random.Random) -> str:
    body = "".join(str(r.randint(0, 9)) for _ in range(9))
    check = (11 - sum((10 - i) * int(d) for i, d in enumerate(body)) % 11) % 11
    return body + ("X" if check == 10 else str(check))


_AUTHORS = ("Lowry, Lois", "Paterson, Katherine", "Sachar, Louis", "Curtis, Christopher Paul", "Park, Linda Sue",
            "Spinelli, Jerry", "DiCamillo, Kate", "Creech, Sharon", "Woodson, Jacqueline", "Gaiman, Neil")
_TITLES = ("The Giver", "Bridge to Terabithia", "Holes", "Bud, Not Buddy", "A Single Shard", "Maniac Magee",
           "Because of Winn-Dixie", "Walk Two Moons", "Brown Girl Dreaming", "The Graveyard Book")


def library_catalog(r: random.Random, size: int) -> str:
    """A school library's catalog export (tab-separated): item barcodes, ISBNs, call numbers, prices."""
    rows = ["barcode\tisbn13\tisbn10\ttitle\tauthor\tcall_number\tpub_year\tprice\tcopies\tlast_checkout"]
    total = len(rows[0])
    while total < size:
        row = (f"3{r.randint(10**12, 10**13 - 1)}\t{_isbn13(r)}\t{_isbn10(r)}\t{r.choice(_TITLES)}\t"
               f"{r.choice(_AUTHORS)}\tFIC {r.choice('ABCDEFGHLMPSW')}{r.randint(100, 999)}\t{r.randint(1960, 2024)}\t"
               f"{r.randint(5, 40)}.{r.randint(0, 99):02d}\t{r.randint(1, 6)}\t"
               f"{r.randint(2019, 2025)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}")
        rows.append(row)
        total += len(row) + 1
    return "\n".join(rows) + "\n"


def generate(dest: Path, scale: float = 1.0, seed: int = 15) -> dict[str, Any]:
    """Write the mixed set under ``dest``; returns what was written (files, bytes, PI-free bytes)."""
    from dlp.testdata.synth import Synth

    r = random.Random(seed)
    dest.mkdir(parents=True, exist_ok=True)
    big: dict[str, tuple[Callable[[random.Random, int], str], int]] = {
        "logs/gateway-2025-03-03.log": (gateway_log, 5_500_000),
        "logs/sync-debug.log": (sync_log, 3_100_000),
        "it/asset-inventory.csv": (asset_inventory, 2_900_000),
        "library/library-catalog.tsv.txt": (library_catalog, 2_400_000),
    }
    written: dict[str, int] = {}
    for rel, (make, size) in big.items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(make(r, int(size * scale)), encoding="utf-8")
        written[rel] = path.stat().st_size
    synth = Synth(seed)
    makers: list[tuple[str, Callable[[], Any]]] = [
        ("rosters", lambda: synth.roster("csv")),
        ("rosters", lambda: synth.roster("csv", rows=r.randint(200, 800))),
        ("payroll", lambda: synth.payroll("csv")),
        ("exports", lambda: synth.sis_export_json(r.randint(5, 80))),
        ("mail", synth.parent_email),
        ("mail", synth.staff_email_roster),
        ("memos", lambda: synth.staff_memo("txt")),
        ("sped", lambda: synth.iep_note("txt")),
        ("nurse", lambda: synth.health_note("txt")),
        ("reports", lambda: synth.long_report("txt", r.randint(20, 200))),
        ("it", synth.inventory),
    ]
    small_budget = int(6_400_000 * scale)
    index = 0
    while sum(written.values()) - sum(written[k] for k in big) < small_budget:
        folder, make = makers[index % len(makers)]
        doc = make()
        stem, dot, ext = doc.name.rpartition(".")
        rel = f"{folder}/{stem}_{index:04d}{dot}{ext}"
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).write_bytes(doc.data)
        written[rel] = len(doc.data)
        index += 1
    return {"files": len(written), "mb": round(sum(written.values()) / MB, 2),
            "pi_free_mb": round(sum(written[k] for k in big) / MB, 2), "seed": seed, "scale": scale}


def _is_pi_free(rel: str) -> bool:
    return any(k in rel for k in PI_FREE)


def measure_worker(root: Path) -> dict[str, Any]:
    """Judge every file in this process after building the engine; CPU seconds throughout."""
    from dlp.bench.flood import counters_delta, engine_counters, fast_analyzer
    from dlp.config import Settings
    from dlp.types import Item, ItemRef
    from dlp.worker import init_worker, preload_engine, process_item_grouped

    t0 = time.process_time()
    # As a scan on Linux runs: the scanning process builds the engine, model included, and its workers fork
    # from it (a worker that builds its own loads the model on its first NER text instead).
    preload_engine(Settings(), b"\0" * 32, False)
    init_worker(Settings(), b"\0" * 32, False)
    init_cpu = time.process_time() - t0
    files = sorted(p for p in root.rglob("*") if p.is_file())
    groups: dict[str, dict[str, float]] = {"all": {}, "pi_free": {}, "with_pi": {}}
    per_file: dict[str, dict[str, float]] = {}
    stages: dict[str, float] = {}
    before = engine_counters()
    findings = 0
    for path in files:
        rel = str(path.relative_to(root))
        ref = ItemRef(source="bench", item_id=rel, uri=str(path), size=path.stat().st_size)
        started = time.process_time()
        # What a scan's worker runs: the findings grouped for the store before they leave the worker.
        results = process_item_grouped(Item(ref=ref, name=path.name, path=str(path)))
        cpu = time.process_time() - started
        for result in results:
            findings += sum(e.count for e in result.grouped.entities) if result.grouped else len(result.findings)
            for stage, seconds in result.stage_seconds.items():
                stages[stage] = stages.get(stage, 0.0) + seconds
        size = path.stat().st_size
        for group in ("all", "pi_free" if _is_pi_free(rel) else "with_pi"):
            g = groups[group]
            g["files"] = g.get("files", 0) + 1
            g["bytes"] = g.get("bytes", 0) + size
            g["cpu_s"] = g.get("cpu_s", 0.0) + cpu
        if _is_pi_free(rel) or size > 500_000:
            per_file[rel] = {"mb": round(size / MB, 2), "cpu_s": round(cpu, 3), "mb_per_s": round(size / MB / cpu, 2)}
    out: dict[str, Any] = {"engine_init_cpu_s": round(init_cpu, 2), "findings": findings,
                           "stage_seconds": {k: round(v, 3) for k, v in sorted(stages.items())}}
    for name, g in groups.items():
        out[name] = {"files": int(g["files"]), "mb": round(g["bytes"] / MB, 2), "cpu_s": round(g["cpu_s"], 2),
                     "mb_per_s": round(g["bytes"] / MB / g["cpu_s"], 3)}
    out["large_files"] = per_file
    fast = fast_analyzer()
    if fast is not None and hasattr(fast, "ner_windows"):
        out["ner_windows"] = {"asked": fast.ner_windows, "read_by_the_model": fast.ner_read}
    counts = counters_delta(before, engine_counters())
    cpu_all = groups["all"]["cpu_s"]
    out["recognizers"] = {name: {**c, "candidates_per_s": round(c["candidates"] / cpu_all), "kept_per_s":
                                 round(c["kept"] / cpu_all, 1)} for name, c in sorted(counts.items())}
    return out


def measure_presidio(root: Path) -> dict[str, Any]:
    """Plain Presidio on the first PRESIDIO_SLICE characters of every file's extracted text, CPU seconds."""
    from detectors.base import canonical_entities
    from dlp.bench import presidio

    presidio.init(sorted(canonical_entities()))
    presidio.analyze("warm up the model: Jane Roe, 617-555-0142")
    chars = 0
    cpu = 0.0
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        for _uri, texts in presidio.extracted(path.name, path.name, path.read_bytes()):
            for text in texts or ():
                piece = text[:PRESIDIO_SLICE]
                chars += len(piece)
                t0 = time.process_time()
                presidio.analyze(piece)
                cpu += time.process_time() - t0
    return {"slice_chars": PRESIDIO_SLICE, "text_mb": round(chars / MB, 3), "cpu_s": round(cpu, 2),
            "mb_per_s": round(chars / MB / cpu, 4)}


def main() -> None:
    """Generate, measure, print, record."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it (default: a temp folder)")
    parser.add_argument("--scale", type=float, default=1.0, help="size factor of the set (default 1: ~20 MB)")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--no-presidio", action="store_true", help="skip plain Presidio")
    parser.add_argument("--no-record", action="store_true", help="print only")
    parser.add_argument("--label", default="", help="a note stored with the result (e.g. 'before')")
    args = parser.parse_args()

    from dlp.bench.engine import ripgrep_reference
    from dlp.bench.flood import hyperscan_limit

    with tempfile.TemporaryDirectory(prefix="dlp-mix-") as tmp:
        root = args.keep or Path(tmp) / "mix"
        made = generate(root, args.scale, args.seed) if not (root.exists() and any(root.iterdir())) else {
            "files": sum(1 for p in root.rglob("*") if p.is_file()), "reused": str(root)}
        nbytes = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
        worker = measure_worker(root)
        limit = hyperscan_limit(root)
        rg = ripgrep_reference(root, nbytes, 1, repeat=1)
        presidio = None if args.no_presidio else measure_presidio(root)
    record: dict[str, Any] = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "label": args.label,
        "command": " ".join(["python benchmarks/district_mix.py", *sys.argv[1:]]),
        "timing": "CPU seconds of this one process (time.process_time), not wall time: the machine is shared",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_avg_1m": round(os.getloadavg()[0], 2)},
        "set": made,
        "worker": worker,
        "hyperscan_stage1": limit,
        "ripgrep": rg,
        "presidio": presidio,
        "targets": {"pi_free_mb_per_s": TARGET_PI_FREE_MB_S, "x_presidio": TARGET_PRESIDIO_X},
    }
    if presidio:
        record["x_presidio"] = round(worker["all"]["mb_per_s"] / presidio["mb_per_s"], 1)
    print(json.dumps({k: record[k] for k in ("set", "worker", "hyperscan_stage1", "presidio") if record.get(k)},
                     indent=1))
    print(f"all {worker['all']['mb_per_s']} MB/s, PI-free {worker['pi_free']['mb_per_s']} MB/s, "
          f"with PI {worker['with_pi']['mb_per_s']} MB/s (CPU); engine start {worker['engine_init_cpu_s']} s CPU"
          + (f"; {record['x_presidio']}x plain Presidio" if presidio else ""))
    if not args.no_record:
        history = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.is_file() else []
        history.append(record)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(history, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
