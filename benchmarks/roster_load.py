"""Roster scale: import a synthetic 100,000-row roster, then load it the way a worker does.

    python benchmarks/roster_load.py                 # 100,000 rows, records the result
    python benchmarks/roster_load.py --rows 20000 --no-record

The roster is generated (invented names: real first names with made-up surnames, random IDs) into a
temporary DLP_HOME and imported through the real command line. The load is measured in a fresh
process, as a worker would do it: resident memory before and after loading the index, the load time,
and the time to look up the candidates of a 100 KB text. The figures are printed and written to
``benchmarks/results/roster_load.json`` with the command, the machine's CPU count and the date.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "roster_load.json"

_FIRST_NAMES = ("William Elizabeth Robert James Jordan Maria Sofia Liam Olivia Noah Emma Ava Mateo Isabella Lucas Mia "
         "Ethan Amelia Aiden Harper Caleb Evelyn Jayden Abigail Daniel Emily Samuel Madeline Anthony Chloe "
         "Joseph Grace Andrew Zoe Joshua Nora Benjamin Leah Nicholas Hannah Christopher Layla Alexander Aaliyah "
         "Gabriel Camila Thomas Valentina Patrick Ximena Kenji Mei Aarav Priya Chidi Amara Tomasz Ana Luis "
         "Fatima Omar Yusuf Hana Dmitri Ngozi Kofi Ayesha Diego Lucia Pedro Beatriz Joao Thanh Minh Ravi")
FIRST = _FIRST_NAMES.split()
_SYLLABLES = ("ok ma ri ta len dor fe qui wen har bel tov ash mer cal vin dra po lu sen kai zu mo bra fen "
             "gal hol ist jor kel nar pim ros sal tur vel wyn yar zel")
SYLLABLES = _SYLLABLES.split()

# The measurement a worker makes, in a fresh process so that nothing else is in its memory.
_LOAD = """
import json, sys, time, random
from pathlib import Path
import numpy, psutil
import dlp.roster
from dlp.detect.values import load_or_create_key
proc = psutil.Process()
key = load_or_create_key(Path(sys.argv[1]))
started = time.perf_counter()
from detectors.roster import build_roster_recognizer
import_s = time.perf_counter() - started
before = proc.memory_info().rss
started = time.perf_counter()
recognizer = build_roster_recognizer(key, Path(sys.argv[2]))
load_s = time.perf_counter() - started
after = proc.memory_info().rss
rng = random.Random(1)
words = ["the", "bus", "Route", "Monday", "Grade", "Jordan", "Okama", "Report", "Smith", "1048820317", "and"]
text = " ".join(rng.choice(words) for _ in range(20000))[:100_000]
started = time.perf_counter()
for _ in range(5):
    results = recognizer.analyze(text, [])
scan_s = (time.perf_counter() - started) / 5
print(json.dumps({"load_s": round(load_s, 3), "presidio_import_s": round(import_s, 3),
                  "rss_delta_mb": round((after - before) / 2**20, 1), "entries": len(recognizer.index),
                  "people": recognizer.index.people, "lookup_100kb_s": round(scan_s, 4)}))
"""


def make_roster(path: Path, rows: int, seed: int) -> None:
    """Write a synthetic SIS export: invented surnames, random unique IDs, about half with a middle name."""
    rng = random.Random(seed)
    sasids = rng.sample(range(1_000_000_000, 1_999_999_999), rows)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["First Name", "Last Name", "Middle Name", "Preferred Name", "SASID", "Local ID", "DOB"])
        for i in range(rows):
            last = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
            middle = rng.choice(FIRST) if rng.random() < 0.5 else ""
            preferred = rng.choice(FIRST) if rng.random() < 0.05 else ""
            dob = dt.date(2007, 1, 1) + dt.timedelta(days=rng.randrange(365 * 13))
            out.writerow([rng.choice(FIRST), last, middle, preferred, sasids[i], 300_000 + i, dob.isoformat()])


def main() -> None:
    """Generate, import, load; print and record the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-record", action="store_true", help="print only; do not write the results file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        env = {**os.environ, "DLP_HOME": str(home), "PYTHONPATH": str(ROOT)}
        csv_path = Path(tmp) / "roster.csv"
        make_roster(csv_path, args.rows, args.seed)
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, str(ROOT / "run_scan.py"), "roster", "import", str(csv_path),
                               "--kind", "student"], env=env, capture_output=True, text=True, check=False)
        import_s = time.perf_counter() - started
        if proc.returncode != 0:
            raise SystemExit(f"import failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
        roster = home / "roster.sqlite"
        load = subprocess.run([sys.executable, "-c", _LOAD, str(home / "hmac.key"), str(roster)],
                              env=env, capture_output=True, text=True, check=False, cwd=ROOT)
        if load.returncode != 0:
            raise SystemExit(f"load failed:\n{load.stderr[-2000:]}")
        figures = json.loads(load.stdout.strip().splitlines()[-1])
        result = {
            "date": dt.date.today().isoformat(),
            "command": "python benchmarks/roster_load.py" + (f" --rows {args.rows}" if args.rows != 100_000 else ""),
            "cpus": os.cpu_count(),
            # Other work on the machine slows the import; the load average says how busy it was.
            "load_average_1m": round(os.getloadavg()[0], 2),
            "rows": args.rows,
            "csv_mb": round(csv_path.stat().st_size / 2**20, 1),
            "import_s": round(import_s, 2),
            "roster_file_mb": round(roster.stat().st_size / 2**20, 1),
            **figures,
        }
    print(json.dumps(result, indent=2))
    if not args.no_record:
        RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
