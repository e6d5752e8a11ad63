"""Throughput per core on plain text and e-mail: the worker alone, and the whole scan with one worker.

    python benchmarks/text_throughput.py                 # real text + a generated district share
    python benchmarks/text_throughput.py --corpus /tmp/corpus2k

Three sets, each measured twice:

- ``real-text``: PI-free text as a district share holds it in bulk: Debian's licence texts and the
  running interpreter's standard library (its ``.py`` files read as plain text), uncapped;
- ``district-text`` and ``district-mail``: the ``.txt`` files and the ``.eml`` messages of a generated
  corpus (``dlp/testdata/corpus.py``; generated here with ``--files 2000 --seed 7`` unless ``--corpus`` is given),
  which are dense with planted PI, so NER windows run often.

``worker`` runs :func:`dlp.worker.process_item` in this process, one file after another, after the
engine is built (one core, no enumeration, no store): the per-core speed of the judging itself.
``scan`` runs ``run_scan.py scan --workers 1 --full`` on a folder of the same files, start-up (imports,
model load) and the store included. Results are printed and written to
``benchmarks/results/text_throughput.json`` with the machine and the command.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "text_throughput.json"
TARGET_MB_S = 25.0  # issue 5: at least 25 MB/s per core on plain text and e-mail


def real_text(dest: Path) -> list[Path]:
    """Copy licence texts and the standard library's modules (as .txt) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    sources = [p for p in sorted(stdlib.rglob("*.py")) if "site-packages" not in p.parts and "test" not in p.parts]
    sources += [p for p in sorted(Path("/usr/share/common-licenses").glob("*")) if p.is_file()]
    for index, path in enumerate(sources):
        target = dest / f"{index:05}-{path.stem}.txt"
        shutil.copyfile(path, target)
        out.append(target)
    return out


def pick(corpus: Path, suffix: str, dest: Path) -> list[Path]:
    """Copy the corpus's files with this suffix into ``dest`` (flat)."""
    dest.mkdir(parents=True, exist_ok=True)
    out = []
    for index, path in enumerate(sorted(corpus.rglob(f"*{suffix}"))):
        target = dest / f"{index:05}-{path.name}"
        shutil.copyfile(path, target)
        out.append(target)
    return out


def time_worker(files: Iterable[Path]) -> dict[str, object]:
    """Judge the files in this process; MB/s over the judging time, with the stages summed."""
    from dlp.types import Item, ItemRef
    from dlp.worker import process_item

    files = list(files)
    stages: dict[str, float] = {}
    size = sum(p.stat().st_size for p in files)
    started = time.perf_counter()
    for path in files:
        ref = ItemRef(source="bench", item_id=path.name, uri=str(path), size=path.stat().st_size)
        for result in process_item(Item(ref=ref, name=path.name, path=str(path))):
            for stage, seconds in result.stage_seconds.items():
                stages[stage] = stages.get(stage, 0.0) + seconds
    seconds = time.perf_counter() - started
    return {"files": len(files), "mb": round(size / 1e6, 2), "seconds": round(seconds, 2),
            "mb_per_s": round(size / 1e6 / seconds, 2), "stage_seconds": {k: round(v, 3) for k, v in stages.items()}}


def time_scan(folder: Path) -> dict[str, object]:
    """``run_scan.py scan FOLDER --workers 1 --full`` in a temporary DLP_HOME; wall time and MB/s."""
    size = sum(p.stat().st_size for p in folder.iterdir())
    with tempfile.TemporaryDirectory(prefix="dlp-text-") as home:
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, str(ROOT / "run_scan.py"), "scan", str(folder), "--workers", "1", "--full",
             "--format", "jsonl", "--no-progress"],
            capture_output=True, text=True, env={**os.environ, "DLP_HOME": home}, check=False,
        )
        seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"scan failed with exit code {proc.returncode}:\n{proc.stderr[-2000:]}")
    summary = json.loads(proc.stdout.strip().splitlines()[-1])["summary"]
    return {"seconds": round(seconds, 2), "mb_per_s": round(size / 1e6 / seconds, 2),
            "items": summary["items"], "stage_seconds": summary.get("stage_seconds")}


def main() -> None:
    """Build the three sets, time them, print and record."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, help="a generated corpus (default: generate 2,000 files, seed 7)")
    parser.add_argument("--no-record", action="store_true", help="print only")
    args = parser.parse_args()

    from dlp.config import Settings
    from dlp.worker import init_worker, preload_engine

    with tempfile.TemporaryDirectory(prefix="dlp-text-sets-") as tmp:
        root = Path(tmp)
        corpus = args.corpus
        if corpus is None:
            from dlp.testdata.corpus import generate

            corpus = root / "corpus"
            generate(corpus, 2000, 7)
        sets = {
            "real-text": real_text(root / "real-text"),
            "district-text": pick(corpus, ".txt", root / "district-text"),
            "district-mail": pick(corpus, ".eml", root / "district-mail"),
        }
        built = time.perf_counter()
        preload_engine(Settings(), b"\0" * 32, False)  # the model loaded now, as before a scan's fork
        init_worker(Settings(), b"\0" * 32, False)
        engine_s = time.perf_counter() - built
        results: dict[str, object] = {}
        for name, files in sets.items():
            worker, scan = time_worker(files), time_scan(root / name)
            results[name] = {"worker": worker, "scan": scan}
            print(f"{name:14} worker {worker['mb_per_s']:6} MB/s   scan (1 worker, start-up included) "
                  f"{scan['mb_per_s']:6} MB/s   ({worker['files']} files, {worker['mb']} MB)")
    record = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "command": "python benchmarks/text_throughput.py" + (f" --corpus {args.corpus}" if args.corpus else ""),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_avg_1m": round(os.getloadavg()[0], 2)},
        "engine_build_s": round(engine_s, 2),
        "target_mb_per_s": TARGET_MB_S,
        "sets": results,
    }
    if not args.no_record:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
