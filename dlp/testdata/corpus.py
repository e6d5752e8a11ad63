"""Write a synthetic district file share, with value-free labels of what it holds.

The corpus of ``dlp bench`` and of the benchmarks in ``benchmarks/``. Usage::

    python -m dlp.testdata.corpus DEST --files 2000 --seed 7

DEST gets folders like a district share (``hr/``, ``hr/payroll/``, ``sped/``, ``nurse/``,
``schools/<school>/``, ``admin/``, ``transportation/``, ``food-services/``, ``it/``, ``mail/``,
``public/``) and ``DEST/_labels.json``, which maps every item (files, and ``file!/member`` for e-mail
attachments and archive members, as in scan URIs) to what was planted in it: counts per entity, distinct
subjects, the expected classifications and the look-alike decoys. Labels never contain a planted value.

The mix is mostly small documents (memos, rosters, e-mails, menus) with a few long reports of tens to
hundreds of KB and some district-wide rosters; 2,000 files come to roughly 25-60 MB. The same seed and
file count give a byte-identical corpus.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlp.testdata.synth import SCHOOLS, Doc, Synth, labels_json

LABELS_NAME = "_labels.json"

# The district's local ID formats in the synthetic people of :mod:`dlp.testdata.synth`: a district
# configures its own, so the scanner is given them, as it would be in production; the label file is no
# part of the share. ``{workers}`` is filled in by whoever writes the config.
SCAN_CONFIG = """\
[scan]
workers = {workers}
exclude = ["_labels.json", "**/_labels.json"]

[detect]
student_id_patterns = ['\\b2\\d{{5}}\\b']
employee_id_patterns = ['\\bE\\d{{5}}\\b']

[organization]
name = "Example Public Schools"
internal_domains = ["example.org"]
personal_domains = ["example.com"]
"""

COUNTING = (
    "entities: occurrences planted per canonical entity; PERSON counts full names; subjects: distinct "
    "people with a planted entity; classifications: expected item classes; decoys: look-alikes that must "
    "not be reported. Keys are paths under the corpus root; members of archives and e-mails follow '!/'."
)


def _slug(text: str) -> str:
    return text.lower().replace(" ", "-")


def _school_dir(doc: Doc, r: random.Random) -> str:
    return f"schools/{_slug(doc.school or r.choice(SCHOOLS))}"


def _report_size(r: random.Random) -> int:
    """KB of prose for a long report: 20 KB to 800 KB, log-uniform (most are short, a few are big)."""
    return int(20 * 40 ** r.random())


@dataclass(frozen=True)
class Kind:
    """One kind of file in the mix: its weight, how to make it and which folder it goes to."""

    name: str
    weight: float
    make: Callable[[Synth, random.Random], Doc]
    folder: Callable[[Doc, random.Random], str]


KINDS: tuple[Kind, ...] = (
    Kind("memo", 0.12, lambda s, r: s.staff_memo("txt"), lambda d, r: r.choice(("hr", "hr/personnel", "admin"))),
    Kind("memo_docx", 0.05, lambda s, r: s.staff_memo("docx"), lambda d, r: r.choice(("hr/personnel", "admin"))),
    Kind("parent_email", 0.10, lambda s, r: s.parent_email(), lambda d, r: f"mail/{_slug(r.choice(SCHOOLS))}"),
    Kind("staff_email", 0.02, lambda s, r: s.staff_email_roster(), lambda d, r: "mail/outbound"),
    Kind("roster", 0.08, lambda s, r: s.roster("csv"), lambda d, r: f"{_school_dir(d, r)}/classes"),
    Kind("roster_xlsx", 0.03, lambda s, r: s.roster("xlsx"), lambda d, r: f"{_school_dir(d, r)}/office"),
    Kind(
        "roster_district",
        0.01,
        lambda s, r: s.roster(r.choice(("csv", "xlsx")), rows=r.randint(300, 1500)),
        lambda d, r: "admin/exports",
    ),
    Kind("payroll", 0.015, lambda s, r: s.payroll("csv"), lambda d, r: "hr/payroll"),
    Kind("payroll_xlsx", 0.015, lambda s, r: s.payroll("xlsx"), lambda d, r: "hr/payroll"),
    Kind("iep", 0.04, lambda s, r: s.iep_note("txt"), lambda d, r: f"sped/iep/{_slug(r.choice(SCHOOLS))}"),
    Kind("iep_docx", 0.04, lambda s, r: s.iep_note("docx"), lambda d, r: f"sped/iep/{_slug(r.choice(SCHOOLS))}"),
    Kind(
        "health",
        0.03,
        lambda s, r: s.health_note("txt", "utf-16" if r.random() < 0.1 else "utf-8"),
        lambda d, r: f"nurse/{_slug(r.choice(SCHOOLS))}",
    ),
    Kind("health_docx", 0.01, lambda s, r: s.health_note("docx"), lambda d, r: "nurse"),
    Kind("report", 0.03, lambda s, r: s.long_report("txt", _report_size(r)), lambda d, r: "admin/reports"),
    Kind(
        "report_docx",
        0.02,
        lambda s, r: s.long_report("docx", _report_size(r)),
        lambda d, r: r.choice(("admin/reports", "sped")),
    ),
    Kind(
        "lunch_menu",
        0.08,
        lambda s, r: s.lunch_menu(r.choice(("txt", "csv", "docx"))),
        lambda d, r: r.choice(("food-services", "public")),
    ),
    Kind(
        "bus_schedule",
        0.06,
        lambda s, r: s.bus_schedule(r.choice(("csv", "txt"))),
        lambda d, r: "transportation",
    ),
    Kind(
        "newsletter",
        0.07,
        lambda s, r: s.newsletter(r.choice(("txt", "txt", "docx"))),
        lambda d, r: r.choice(("public", _school_dir(d, r))),
    ),
    Kind("agenda", 0.04, lambda s, r: s.board_agenda(), lambda d, r: "admin/committee"),
    Kind("inventory", 0.03, lambda s, r: s.inventory(), lambda d, r: "it"),
    Kind("training", 0.01, lambda s, r: s.security_training(), lambda d, r: "it/training"),
    Kind("directory", 0.02, lambda s, r: s.staff_directory_html(r.randint(5, 25)), lambda d, r: "public"),
    Kind("sis_export", 0.02, lambda s, r: s.sis_export_json(r.randint(5, 60)), lambda d, r: "it/exports"),
    Kind("roster_zip", 0.02, lambda s, r: s.roster_zip(), lambda d, r: "admin/exports"),
)


@dataclass
class Corpus:
    """What :func:`generate` wrote. ``values`` holds the raw planted values, in memory only (for tests)."""

    root: Path
    files: int = 0
    bytes: int = 0
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    totals: Counter[str] = field(default_factory=Counter)
    values: set[str] = field(default_factory=set)
    seconds: float = 0.0


def generate(dest: str | Path, files: int = 2000, seed: int = 7) -> Corpus:
    """Write ``files`` synthetic files under ``dest`` (which must be empty or absent) and their labels.

    Raises:
        FileExistsError: ``dest`` exists and is not an empty directory.
    """
    start = time.perf_counter()
    root = Path(dest)
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise FileExistsError(f"{root} exists and is not an empty directory")
    synth = Synth(seed)
    r = random.Random(seed ^ 0x5EED)  # choices of kind, folder and format; independent of the documents
    corpus = Corpus(root)
    weights = [k.weight for k in KINDS]
    made_dirs: set[Path] = set()
    for i in range(files):
        kind = r.choices(KINDS, weights)[0]
        doc = kind.make(synth, r)
        stem, dot, ext = doc.name.rpartition(".")
        rel = f"{kind.folder(doc, r)}/{stem}_{i:05d}{dot}{ext}"
        path = root / rel
        if path.parent not in made_dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.add(path.parent)
        path.write_bytes(doc.data)
        corpus.files += 1
        corpus.bytes += len(doc.data)
        labels = doc.labels(rel)
        corpus.items.update(labels)
        for label in labels.values():
            corpus.totals.update(label["entities"])
        corpus.values |= doc.all_values()
    corpus.seconds = time.perf_counter() - start
    root.mkdir(parents=True, exist_ok=True)
    header = {
        "version": 1,
        "generator": "dlp.testdata.corpus",
        "seed": seed,
        "files": corpus.files,
        "bytes": corpus.bytes,
        "counting": COUNTING,
        "totals": dict(sorted(corpus.totals.items())),
    }
    (root / LABELS_NAME).write_text(labels_json(header, corpus.items), encoding="utf-8")
    return corpus


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m dlp.testdata.corpus DEST [--files N] [--seed S]``."""
    parser = argparse.ArgumentParser(description="Write a synthetic school-district share with labels.")
    parser.add_argument("dest", help="directory to create (must be empty or absent)")
    parser.add_argument("--files", type=int, default=2000, help="number of files (default 2000)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    args = parser.parse_args(argv)
    if args.files < 1:
        parser.error("--files must be at least 1")
    try:
        c = generate(args.dest, args.files, args.seed)
    except FileExistsError as exc:
        print(f"dlp.testdata.corpus: {exc}", file=sys.stderr)
        return 2
    planted = sum(c.totals.values())
    print(
        f"wrote {c.files} files ({c.bytes / 1e6:.1f} MB, {len(c.items)} items, {planted} planted entities) "
        f"to {c.root} in {c.seconds:.1f} s; labels in {c.root / LABELS_NAME}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
