"""Accuracy benchmark: our scanner against plain Presidio on a labeled synthetic corpus, real text and vectors.

Usage (one command; every part runs by default)::

    python benchmarks/accuracy.py                       # generate a 360-file corpus (seed 11) in a temp dir
    python benchmarks/accuracy.py --corpus DIR          # DIR with _labels.json, or an empty/absent DIR to fill
    python benchmarks/accuracy.py --files 600 --seed 3 --presidio-sample 200 --no-fp-real --no-vectors
    python benchmarks/accuracy.py --layout              # the layout corpus (issue 13), seed 5, temp dir
    python benchmarks/accuracy.py --layout-corpus DIR --no-presidio   # keep/reuse DIR; ours only (fast)

What it measures, in one run:

1. **Labeled corpus** (``benchmarks/accuracy_corpus.py``): our scanner as users run it
   (``run_scan.py scan DIR --format jsonl --no-progress --full`` with a temporary ``DLP_HOME``), and plain
   Presidio (``AnalyzerEngine`` with its default recognizers, the same spaCy model, score threshold 0.5,
   restricted to the contract's entity names) on the text *our* extractors produce for the same files and
   members. Per entity and per item: TP = min(found, planted), FP = found - TP, FN = planted - TP, where
   both sides count occurrences as the labels do (the labels' ``counting`` note: one per occurrence
   rendered; the scanner's ``count`` is its number of findings, each a distinct span). Classification
   accuracy is the share of items whose set of classes is exactly the expected one (ours only: plain
   Presidio does not classify).
2. **False positives on real PI-free text** (``--fp-real``): Debian's licence texts, a sample of
   ``/usr/share/doc/*/copyright`` and changelogs, a sample of the running interpreter's standard library.
   Findings per MB of the sensitive entities; the target for ours is at most 0.2.
3. **Vectors** (``--vectors``): Presidio's recognizer test vectors and context sentences and the
   python-stdnum IBAN/ISBN lists from ``../shared/corpora``, where present.

4. **Layout corpus** (``--layout``, ``benchmarks/layout_corpus.py``): a corpus built the opposite way (layouts
   varied, a generator separate from ``dlp/testdata/synth.py``), scored as in 1, plus the issue-13 headline
   (core-identifier micro and macro F1, PERSON F1, classification accuracy, sensitive findings per MB and MA_PI
   items on its real third-party PI-free files, PDF core F1) and tables per format, layout and kind. Results in
   ``accuracy-layout-<date>.json`` and ``accuracy-layout.md``; the default runs are off unless asked for.

Results go to ``benchmarks/results/accuracy-<date>.json`` (``-2``, ``-3``... for later runs the same day)
and ``benchmarks/results/accuracy.md``, with the F1 of the previous results file beside the new one.
Nothing here ever sees a planted or found value: the scan runs without ``--show-values``, and Presidio's
results are reduced to counts per entity before they leave the worker process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import logging
import os
import random
import shlex
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the repository root importable
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "benchmarks" / "results"
from dlp.bench import presidio  # noqa: E402 - after the path is set
from dlp.bench.presidio import MODEL, THRESHOLD  # noqa: E402
from dlp.testdata.corpus import LABELS_NAME, SCAN_CONFIG  # noqa: E402

# CONTRACT.md section 3 (kept here rather than imported so that the scorer's arithmetic and its test do not
# depend on the engine module, which others are editing).
CANONICAL: tuple[str, ...] = (
    "US_SSN", "US_ITIN", "CREDIT_CARD", "US_BANK_NUMBER", "ABA_ROUTING_NUMBER", "IBAN_CODE",
    "US_DRIVER_LICENSE", "US_PASSPORT", "MA_SASID", "MA_MEPID", "STUDENT_ID", "EMPLOYEE_ID",
    "DATE_OF_BIRTH", "PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "MASSHEALTH_ID", "CREDENTIAL",
)  # fmt: skip
SENSITIVE: tuple[str, ...] = (
    "US_SSN", "US_ITIN", "CREDIT_CARD", "US_BANK_NUMBER", "ABA_ROUTING_NUMBER", "IBAN_CODE",
    "US_DRIVER_LICENSE", "US_PASSPORT", "MA_SASID", "MA_MEPID", "DATE_OF_BIRTH", "MASSHEALTH_ID", "CREDENTIAL",
)  # fmt: skip
CLASSES: tuple[str, ...] = ("MA_PI", "STUDENT_PII", "STUDENT_SENSITIVE", "EMPLOYEE_PII", "CREDENTIALS")

log = logging.getLogger("accuracy")

# --------------------------------------------------------------------------------------------- arithmetic


@dataclass
class Score:
    """True/false positives and false negatives, summed over items."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, found: int, planted: int) -> None:
        """Add one item's counts: what was reported against what was planted."""
        tp = min(found, planted)
        self.tp += tp
        self.fp += found - tp
        self.fn += planted - tp

    @property
    def precision(self) -> float | None:
        """TP / (TP + FP); None when nothing was reported (undefined, not zero)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        """TP / (TP + FN); None when nothing was planted."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        """Harmonic mean of precision and recall; 0 when one is 0, None when both are undefined."""
        p, r = self.precision, self.recall
        if p is None and r is None:
            return None
        p, r = p or 0.0, r or 0.0
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        """Counts and rounded ratios, for the results file."""
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": _r(self.precision),
                "recall": _r(self.recall), "f1": _r(self.f1)}


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def score_entities(
    planted: Mapping[str, Mapping[str, int]], found: Mapping[str, Mapping[str, int]], entities: Iterable[str]
) -> dict[str, Score]:
    """Per-entity scores over the items of ``planted`` (item -> entity -> count).

    An item missing from ``found`` (not scanned, or no findings) counts as nothing found, so a file the
    scanner failed to read costs recall. Items in ``found`` that have no label are ignored.
    """
    scores = {e: Score() for e in entities}
    for item, counts in planted.items():
        got = found.get(item, {})
        for e, s in scores.items():
            s.add(int(got.get(e, 0)), int(counts.get(e, 0)))
    return scores


@dataclass
class ClassScore:
    """Classification results over items: exact set matches and per-class counts."""

    items: int = 0
    exact: int = 0
    per_class: dict[str, Score] = field(default_factory=dict)

    @property
    def accuracy(self) -> float | None:
        """Share of items whose predicted set of classes equals the expected set."""
        return self.exact / self.items if self.items else None

    def as_dict(self) -> dict[str, Any]:
        """Rounded figures for the results file."""
        return {"items": self.items, "exact": self.exact, "accuracy": _r(self.accuracy),
                "per_class": {c: s.as_dict() for c, s in self.per_class.items()}}


def score_classifications(
    expected: Mapping[str, Iterable[str]], predicted: Mapping[str, Iterable[str]], classes: Iterable[str] = CLASSES
) -> ClassScore:
    """Exact-set accuracy and per-class precision/recall (an item counts once per class)."""
    out = ClassScore(per_class={c: Score() for c in classes})
    for item, want in expected.items():
        w, g = set(want), set(predicted.get(item, ()))
        out.items += 1
        out.exact += w == g
        for c, s in out.per_class.items():
            s.add(int(c in g), int(c in w))
    return out


def per_mb(counts: Mapping[str, int], nbytes: int) -> dict[str, float]:
    """Findings per MB (10^6 bytes) of input, per entity."""
    mb = nbytes / 1e6 or 1.0
    return {e: round(n / mb, 4) for e, n in counts.items()}


# --------------------------------------------------------------------------------------------- our scanner


def run_scanner(root: Path, workers: int, work: Path) -> tuple[dict[str, dict[str, Any]], float]:
    """Scan ``root`` with ``run_scan.py`` in a fresh DLP_HOME; records keyed by path relative to ``root``."""
    home = work / f"home-{root.name}"
    home.mkdir(mode=0o700)
    config = work / f"dlp-{root.name}.toml"
    config.write_text(SCAN_CONFIG.format(workers=workers), encoding="utf-8")
    cmd = [sys.executable, str(ROOT / "run_scan.py"), "scan", str(root), "--format", "jsonl", "--no-progress",
           "--full", "--config", str(config), "--workers", str(workers)]
    env = {**os.environ, "DLP_HOME": str(home)}
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    if proc.returncode not in (0, 3, 4):
        # The scanner's stderr carries log lines, which never hold values; show the end for diagnosis.
        sys.stderr.write(proc.stderr[-4000:])
        raise RuntimeError(f"scanner exited with {proc.returncode}")
    prefix = str(root).rstrip("/") + "/"
    records: dict[str, dict[str, Any]] = {}
    for line in proc.stdout.splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        if "summary" in rec:
            continue
        uri = rec["uri"]
        records[uri[len(prefix):] if uri.startswith(prefix) else uri] = rec
    return records, seconds


def counts_of(record: Mapping[str, Any]) -> Counter[str]:
    """Findings per entity of one scan record (its ``count`` is the number of findings: distinct spans)."""
    c: Counter[str] = Counter()
    for f in record.get("findings") or ():
        c[f["entity"]] += int(f["count"])
    return c


# --------------------------------------------------------------------------------------------- plain Presidio

def _presidio_file(task: tuple[str, str]) -> list[tuple[str, dict[str, int], int, bool]]:
    """Analyse one file and its members: (uri, findings per entity, characters, extracted?) per item."""
    path, rel = task
    out = []
    for uri, texts in presidio.extracted(rel, Path(path).name, Path(path).read_bytes()):
        counts: Counter[str] = Counter()
        chars = 0
        for text in texts or ():
            chars += len(text)
            for res in presidio.analyze(text):
                counts[res.entity_type] += 1
        out.append((uri, dict(counts), chars, texts is not None))
    return out


def run_presidio(root: Path, rels: list[str], workers: int) -> tuple[dict[str, dict[str, int]], float, int]:
    """Plain Presidio on the extracted text of ``rels`` (paths under ``root``); (counts, seconds, chars)."""
    t0 = time.perf_counter()
    found: dict[str, dict[str, int]] = {}
    chars = 0
    tasks = [(str(root / rel), rel) for rel in rels]
    with ProcessPoolExecutor(max_workers=workers, initializer=presidio.init, initargs=(CANONICAL,)) as pool:
        for result in pool.map(_presidio_file, tasks, chunksize=4):
            for uri, counts, n, _ok in result:
                found[uri] = counts
                chars += n
    return found, time.perf_counter() - t0, chars


# --------------------------------------------------------------------------------------------- the corpus run


def load_labels(corpus: Path) -> dict[str, Any]:
    """The corpus's label file."""
    data: dict[str, Any] = json.loads((corpus / LABELS_NAME).read_text(encoding="utf-8"))
    return data


def corpus_run(corpus: Path, work: Path, workers: int, presidio_sample: int | None, seed: int,
               presidio: bool = True, keep: dict[str, Any] | None = None,
               skip: Callable[[Mapping[str, Any]], bool] | None = None) -> dict[str, Any]:
    """Score ours and plain Presidio on a labeled corpus.

    ``presidio=False`` skips plain Presidio (its columns read ``n/a``); ``keep``, when given, receives the
    per-item counts (``ours_found``, ``pres_found``, ``records``, ``sample``) for further breakdowns.
    Items for which ``skip(label)`` is true are scanned but left out of the scores (measured elsewhere).
    """
    labels = load_labels(corpus)
    items: dict[str, dict[str, Any]] = {k: v for k, v in labels["items"].items() if not (skip and skip(v))}
    planted = {k: v["entities"] for k, v in items.items()}
    top = sorted(k for k in items if "!/" not in k)

    print(f"[corpus] our scanner on {len(top)} files ({len(items)} items) ...", flush=True)
    records, ours_s = run_scanner(corpus, workers, work)
    ours_found = {k: counts_of(r) for k, r in records.items() if r.get("status") == "scanned"}
    not_scanned = sorted(k for k in items if records.get(k, {}).get("status") != "scanned")

    # Plain Presidio reads the skipped files too: the caller scores them its own way.
    sample = sorted(k for k in labels["items"] if "!/" not in k)
    sampled = presidio_sample is not None and presidio_sample < len(sample)
    if presidio_sample is not None and sampled:
        sample = sorted(random.Random(seed).sample(sample, presidio_sample))
    if not presidio:
        sample = []
    pres_found: dict[str, dict[str, int]] = {}
    pres_s, pres_chars = 0.0, 0
    if sample:
        print(f"[corpus] plain Presidio on {len(sample)} files ...", flush=True)
        pres_found, pres_s, pres_chars = run_presidio(corpus, sample, workers)
    in_sample = {k: v for k, v in planted.items() if k.split("!/", 1)[0] in set(sample)}

    ours = score_entities(planted, ours_found, CANONICAL)
    ours_on_sample = score_entities(in_sample, ours_found, CANONICAL)
    pres = score_entities(in_sample, pres_found, CANONICAL)
    pres_supported = sorted({e for c in pres_found.values() for e in c} | _presidio_entities()) if sample else []
    if keep is not None:
        keep.update(ours_found=ours_found, pres_found=pres_found, records=records, sample=sample)

    entities: dict[str, Any] = {}
    for e in CANONICAL:
        entities[e] = {
            "planted": ours[e].tp + ours[e].fn,
            "ours": ours[e].as_dict(),
            "presidio": pres[e].as_dict() if e in pres_supported else None,
        }
        if sample and sampled:
            entities[e]["ours_on_presidio_sample"] = ours_on_sample[e].as_dict()

    expected = {k: v["classifications"] for k, v in items.items()}
    predicted = {k: records[k].get("classifications") or [] for k in items if k in records}
    cls = score_classifications(expected, predicted)

    # Subjects: distinct people per item, where the label has any.
    subj = [(v["subjects"], int(records.get(k, {}).get("subjects") or 0)) for k, v in items.items()]
    with_people = [(w, g) for w, g in subj if w]
    subjects = {
        "items_with_people": len(with_people),
        "exact": sum(w == g for w, g in with_people),
        "mean_abs_error": _r(sum(abs(w - g) for w, g in with_people) / len(with_people)) if with_people else None,
    }

    # Item-level false alarms: PI-free items (nothing planted) where a sensitive entity was reported.
    free = [k for k, v in planted.items() if not v]
    free_sample = [k for k in free if k in in_sample]

    def alarms(found: Mapping[str, Mapping[str, int]], keys: list[str]) -> dict[str, Any]:
        hits = Counter({e: sum(int(found.get(k, {}).get(e, 0)) for k in keys) for e in CANONICAL})
        flagged = sum(any(found.get(k, {}).get(e, 0) for e in SENSITIVE) for k in keys)
        return {"items": len(keys), "items_with_sensitive_finding": flagged,
                "findings": {e: n for e, n in sorted(hits.items()) if n}}

    return {
        "corpus": {k: labels.get(k) for k in ("generator", "seed", "files", "bytes", "pi_free_files", "kinds",
                                              "per_kind")}
        | {"items": len(items), "path": str(corpus)},
        "presidio_sample_files": len(sample),
        "seconds": {"ours": round(ours_s, 1), "presidio": round(pres_s, 1)},
        "presidio_chars": pres_chars,
        "not_scanned_items": len(not_scanned),
        "entities": entities,
        "classification": cls.as_dict(),
        "subjects": subjects,
        "pi_free_items": {"ours": alarms(ours_found, free),
                          "presidio": alarms(pres_found, free_sample)},
    }



# --------------------------------------------------------------------------------------------- layout corpus

# The issue-13 headline: identifiers that make an item personal information on their own or with a name.
CORE: tuple[str, ...] = (
    "US_SSN", "US_ITIN", "CREDIT_CARD", "US_BANK_NUMBER", "ABA_ROUTING_NUMBER", "IBAN_CODE", "US_DRIVER_LICENSE",
    "MA_SASID", "MA_MEPID", "DATE_OF_BIRTH",
)  # fmt: skip
LAYOUT_SEED = 5


def _micro(scores: Mapping[str, Score], entities: Iterable[str]) -> Score:
    """One score summing TP/FP/FN over ``entities``."""
    out = Score()
    for e in entities:
        s = scores[e]
        out.tp += s.tp
        out.fp += s.fp
        out.fn += s.fn
    return out


def _macro(scores: Mapping[str, Score], entities: Iterable[str], planted: Mapping[str, int]) -> float | None:
    """Mean F1 over the entities that were planted at least once."""
    f1s = [scores[e].f1 or 0.0 for e in entities if planted.get(e)]
    return sum(f1s) / len(f1s) if f1s else None


def group_scores(items: Mapping[str, Mapping[str, Any]], found: Mapping[str, Mapping[str, int]],
                 predicted: Mapping[str, Iterable[str]] | None, field_name: str) -> dict[str, dict[str, Any]]:
    """Per value of a label field (format, layout, kind): core micro P/R/F1, PERSON F1, class accuracy."""
    groups: dict[str, list[str]] = {}
    for k, v in items.items():
        groups.setdefault(str(v.get(field_name, "?")), []).append(k)
    out: dict[str, dict[str, Any]] = {}
    for g, keys in sorted(groups.items()):
        planted = {k: items[k]["entities"] for k in keys}
        sc = score_entities(planted, found, CANONICAL)
        core = _micro(sc, CORE)
        row: dict[str, Any] = {"items": len(keys), "core": core.as_dict(), "person": sc["PERSON"].as_dict(),
                               "sensitive_fp": sum(sc[e].fp for e in SENSITIVE)}
        if predicted is not None:
            cls = score_classifications({k: items[k]["classifications"] for k in keys}, predicted)
            row["class_accuracy"] = _r(cls.accuracy)
        out[g] = row
    return out


def _is_real(label: Mapping[str, Any]) -> bool:
    return label.get("kind") == "real_pi_free"


def layout_run(corpus: Path, work: Path, workers: int, presidio_sample: int | None, seed: int,
               presidio: bool) -> dict[str, Any]:
    """The layout corpus: corpus_run's tables, plus the issue-13 headline and per format/layout/kind tables."""
    keep: dict[str, Any] = {}
    # Third-party files are scored as false positives per MB and classes given (below), not per entity:
    # their labels say "no sensitive entity", but real mail and documents do hold names and addresses.
    base = corpus_run(corpus, work, workers, presidio_sample, seed, presidio, keep, _is_real)
    all_items: dict[str, dict[str, Any]] = load_labels(corpus)["items"]
    items = {k: v for k, v in all_items.items() if not _is_real(v)}
    records: dict[str, dict[str, Any]] = keep["records"]
    ours_found: dict[str, Counter[str]] = keep["ours_found"]
    pres_found: dict[str, dict[str, int]] = keep["pres_found"]
    sample = set(keep["sample"])
    predicted: dict[str, list[str]] = {k: list(records[k].get("classifications") or []) for k in all_items
                                       if k in records}
    planted = {k: v["entities"] for k, v in items.items()}
    totals: Counter[str] = Counter()
    for v in planted.values():
        totals.update(v)

    def headline(found: Mapping[str, Mapping[str, int]], keys: Iterable[str]) -> dict[str, Any]:
        sub = {k: planted[k] for k in keys}
        sc = score_entities(sub, found, CANONICAL)
        sub_totals: Counter[str] = Counter()
        for v in sub.values():
            sub_totals.update(v)
        pdf = {k: v for k, v in sub.items() if items[k].get("format") == "pdf"}
        pdf_core = _micro(score_entities(pdf, found, CANONICAL), CORE)
        return {"core_micro": _micro(sc, CORE).as_dict(), "core_macro_f1": _r(_macro(sc, CORE, sub_totals)),
                "core_per_entity_f1": {e: _r(sc[e].f1) for e in CORE if sub_totals.get(e)},
                "person": sc["PERSON"].as_dict(), "pdf_core": pdf_core.as_dict()}

    in_sample = [k for k in items if k.split("!/", 1)[0] in sample]
    cls = score_classifications({k: v["classifications"] for k, v in items.items()}, predicted)

    # Real third-party PI-free files: sensitive findings per MB, and items given any class (MA_PI above all).
    real = [k for k, v in all_items.items() if _is_real(v)]
    real_bytes = sum((corpus / k).stat().st_size for k in real if (corpus / k).is_file())

    def real_fp(found: Mapping[str, Mapping[str, int]], keys: list[str]) -> dict[str, Any]:
        sens = Counter({e: sum(int(found.get(k, {}).get(e, 0)) for k in keys) for e in SENSITIVE})
        nbytes = sum((corpus / k).stat().st_size for k in keys if (corpus / k).is_file())
        return {"files": len(keys), "bytes": nbytes,
                "sensitive_findings": {e: n for e, n in sorted(sens.items()) if n},
                "sensitive_per_mb": round(sum(sens.values()) / (nbytes / 1e6), 4) if nbytes else None}

    real_ours = real_fp(ours_found, real)
    real_ours["ma_pi_items"] = sum("MA_PI" in predicted.get(k, []) for k in real)
    real_ours["classified_items"] = sum(bool(predicted.get(k)) for k in real)
    top: list[dict[str, Any]] = []
    for k in real:
        n = sum(int(ours_found[k][e]) for e in SENSITIVE) if k in ours_found else 0
        if n or predicted.get(k):
            top.append({"file": k, "sensitive": n, "classes": list(predicted.get(k, []))})
    real_ours["top_files"] = sorted(top, key=lambda d: -int(d["sensitive"]))[:10]
    real_pres = real_fp(pres_found, [k for k in real if k in sample]) if sample else None

    # Items whose label expects a status (an .xlsb: not examined, unsupported): what the scanner said.
    expected_status = {k: {"expected": v["expect"], "got": {"status": records.get(k, {}).get("status"),
                                                             "reason": records.get(k, {}).get("reason")}}
                       for k, v in items.items() if v.get("expect")}

    out = dict(base)
    out["headline"] = {
        "ours": headline(ours_found, items),
        "presidio": headline(pres_found, in_sample) if sample else None,
        "ours_on_presidio_sample": headline(ours_found, in_sample) if sample and len(sample) < len(
            [k for k in all_items if "!/" not in k]) else None,
        "classification_accuracy": _r(cls.accuracy),
        "real_pi_free": {"ours": real_ours, "presidio": real_pres, "bytes": real_bytes},
    }
    out["by_format"] = {"ours": group_scores(items, ours_found, predicted, "format"),
                        "presidio": group_scores({k: items[k] for k in in_sample}, pres_found, None, "format")
                        if sample else None}
    out["by_layout"] = {"ours": group_scores(items, ours_found, predicted, "layout"),
                        "presidio": group_scores({k: items[k] for k in in_sample}, pres_found, None, "layout")
                        if sample else None}
    out["by_kind"] = {"ours": group_scores(items, ours_found, predicted, "kind"),
                      "presidio": group_scores({k: items[k] for k in in_sample}, pres_found, None, "kind")
                      if sample else None}
    out["expected_status"] = expected_status
    out["planted_totals"] = dict(sorted(totals.items()))
    return out


def _presidio_entities() -> set[str]:
    """Canonical entities that plain Presidio has a default recognizer for (no NLP model needed to list)."""
    from presidio_analyzer import RecognizerRegistry

    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)  # "language not supported" for es/it/pl ones
    reg = RecognizerRegistry()
    reg.load_predefined_recognizers(languages=["en"])
    return {e for r in reg.recognizers for e in r.supported_entities if e in CANONICAL}


# --------------------------------------------------------------------------------------------- real text


def collect_real_text(dest: Path, seed: int, copyrights: int = 100, changelogs: int = 40,
                      stdlib: int = 300, cap: int = 12_000) -> dict[str, int]:
    """Copy PI-free text nobody on the project wrote into ``dest``; bytes per source.

    Each file is cut at ``cap`` bytes (on a line end) so that a few huge changelogs do not dominate and
    the whole (about 3 MB) runs through both engines in a few minutes on two shared cores.
    Everything is written as ``.txt`` so that the scanner reads it as plain text whatever its name.
    """
    rng = random.Random(seed)
    sizes: Counter[str] = Counter()

    def put(group: str, name: str, data: bytes) -> None:
        if len(data) > cap:
            data = data[: data.rfind(b"\n", 0, cap) + 1 or cap]
        out = dest / group / (name.strip("/").replace("/", "__") + ".txt")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        sizes[group] += len(data)

    for p in sorted(Path("/usr/share/common-licenses").glob("*")):
        if p.is_file() and not p.is_symlink():
            put("common-licenses", p.name, p.read_bytes())
    docs = sorted(Path("/usr/share/doc").glob("*/copyright"))
    for p in rng.sample(docs, min(copyrights, len(docs))):
        put("copyright", p.parent.name, p.read_bytes())
    logs = sorted(Path("/usr/share/doc").glob("*/changelog*.gz"))
    for p in rng.sample(logs, min(changelogs, len(logs))):
        try:
            put("changelog", f"{p.parent.name}/{p.name[:-3]}", gzip.decompress(p.read_bytes()))
        except (OSError, EOFError):
            continue
    lib = Path(sysconfig.get_paths()["stdlib"])
    py = sorted(p for p in lib.rglob("*.py") if "site-packages" not in p.parts and "dist-packages" not in p.parts)
    for p in rng.sample(py, min(stdlib, len(py))):
        put("stdlib", str(p.relative_to(lib)), p.read_bytes())
    return dict(sizes)


def fp_real_run(work: Path, workers: int, seed: int) -> dict[str, Any]:
    """Findings per MB on real PI-free text, ours and plain Presidio, per entity and per source group."""
    real = work / "real-text"
    real.mkdir()
    sizes = collect_real_text(real, seed)
    total = sum(sizes.values())
    files = sorted(str(p.relative_to(real)) for p in real.rglob("*.txt"))
    print(f"[fp-real] {len(files)} files, {total / 1e6:.2f} MB: our scanner ...", flush=True)
    records, ours_s = run_scanner(real, workers, work)
    ours = {k: counts_of(r) for k, r in records.items()}
    print("[fp-real] plain Presidio ...", flush=True)
    pres, pres_s, _ = run_presidio(real, files, workers)

    def summary(found: Mapping[str, Mapping[str, int]]) -> dict[str, Any]:
        totals: Counter[str] = Counter()
        groups: dict[str, Counter[str]] = {g: Counter() for g in sizes}
        for k, c in found.items():
            totals.update(c)
            groups.setdefault(k.split("/", 1)[0], Counter()).update({e: n for e, n in c.items() if e in SENSITIVE})
        sens = sum(totals[e] for e in SENSITIVE)
        worst = sorted(((sum(c.get(e, 0) for e in SENSITIVE), k) for k, c in found.items()), reverse=True)
        return {
            "findings": dict(sorted(totals.items())),
            "per_mb": per_mb({e: totals[e] for e in CANONICAL}, total),
            "sensitive_per_mb": round(sens / (total / 1e6), 4),
            "sensitive_per_mb_by_group": {g: round(sum(c.values()) / (sizes[g] / 1e6), 4)
                                          for g, c in groups.items() if sizes.get(g)},
            # File names of public Debian/Python files only; no values.
            "top_files_sensitive": [{"file": k, "findings": n} for n, k in worst[:10] if n],
        }

    return {"files": len(files), "bytes": total, "bytes_by_group": sizes,
            "seconds": {"ours": round(ours_s, 1), "presidio": round(pres_s, 1)},
            "not_scanned": sum(r.get("status") != "scanned" for r in records.values()),
            "ours": summary(ours), "presidio": summary(pres), "target_sensitive_per_mb": 0.2}


# --------------------------------------------------------------------------------------------- vectors

CORPORA = ROOT.parent / "shared" / "corpora"


def vectors_run() -> dict[str, Any]:
    """Pass rates on third-party vectors, ours and plain Presidio, for the entities both cover."""
    out: dict[str, Any] = {}
    pres_vec = CORPORA / "presidio-recognizer-tests" / "recognizer_test_vectors.json"
    stdnum = CORPORA / "python-stdnum" / "stdnum_number_lists.json"
    if not pres_vec.is_file() and not stdnum.is_file():
        print(f"[vectors] skipped: no vectors under {CORPORA}", flush=True)
        return {"skipped": f"no vectors under {CORPORA}"}

    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    import secrets

    from dlp.config import DetectSettings
    from dlp.detect.engine import DetectionEngine

    ours_engine = DetectionEngine(
        DetectSettings(student_id_patterns=(r"\b2\d{5}\b",), employee_id_patterns=(r"\bE\d{5}\b",)),
        secrets.token_bytes(32),
    )
    presidio.init(CANONICAL)
    pres_engine = presidio.analyzer()

    def ours_found(text: str, entity: str) -> list[tuple[int, int]]:
        return sorted((f.start, f.end) for f in ours_engine.detect_text(text, "vector") if f.entity == entity)

    def pres_found(text: str, entity: str) -> list[tuple[int, int]]:
        try:
            res = pres_engine.analyze(text=text, language="en", entities=[entity], score_threshold=THRESHOLD)
        except ValueError:  # no default recognizer serves this entity: plain Presidio finds nothing
            return []
        return sorted((r.start, r.end) for r in res)

    if pres_vec.is_file():
        print("[vectors] Presidio recognizer vectors ...", flush=True)
        out["presidio_recognizer_tests"] = _presidio_vectors(ours_found, pres_found)
    else:
        out["presidio_recognizer_tests"] = {"skipped": f"{pres_vec} not found"}
    if stdnum.is_file():
        print("[vectors] python-stdnum lists ...", flush=True)
        out["python_stdnum"] = _stdnum_vectors(stdnum, ours_found, pres_found)
    else:
        out["python_stdnum"] = {"skipped": f"{stdnum} not found"}
    return out


def _rate(ok: int, n: int) -> dict[str, Any]:
    return {"pass": ok, "cases": n, "rate": _r(ok / n) if n else None}


def _presidio_vectors(ours_found: Any, pres_found: Any) -> dict[str, Any]:
    """Presidio's recognizer vectors (spans at any score) and context sentences (one finding >= 0.5).

    The loading code and our documented, intended disagreements come from the vector test module.
    Spans are compared recognizer by recognizer, as Presidio's own tests do; context sentences go
    through each full engine, since Presidio's context boost lives in the engine.
    """
    from presidio_analyzer import RecognizerRegistry

    from tests.detectors import test_presidio_vectors as tv

    ours_rec = tv._recognizers()
    reg = RecognizerRegistry()
    reg.load_predefined_recognizers(languages=["en"])

    def pres_spans(text: str, entity: str) -> list[tuple[int, int]] | None:
        """Spans of Presidio's default recognizers; None when none of them serves ``entity``."""
        try:
            recs = reg.get_recognizers(language="en", entities=[entity])
        except ValueError:  # e.g. ABA_ROUTING_NUMBER: the recognizer exists but is not loaded by default
            return None
        spans: set[tuple[int, int]] = set()
        for rec in recs:
            # Presidio's own recognizer tests pass no NLP artifacts either.
            results = rec.analyze(text, [entity], None)  # type: ignore[arg-type]
            spans |= {(r.start, r.end) for r in results if r.entity_type == entity}
        return sorted(spans)

    per: dict[str, dict[str, Counter[str]]] = {}
    for case in tv._vector_cases():
        stem, text, expected = case.values
        entity = tv.FILES[stem]
        c = per.setdefault(entity, {"vectors": Counter(), "context": Counter()})["vectors"]
        got = sorted((r.start, r.end) for r in ours_rec[entity].analyze(text, entities=[entity]))
        intended = tv.DISAGREEMENTS.get((stem, text))
        c["cases"] += 1
        c["ours"] += got == expected
        c["ours_or_intended"] += got == expected or (intended is not None and got == intended[0])
        p = pres_spans(text, entity)
        c["presidio"] += p == expected
        c["presidio_na"] += p is None
    for case in tv._context_cases():
        entity, text = case.values
        c = per.setdefault(entity, {"vectors": Counter(), "context": Counter()})["context"]
        c["cases"] += 1
        ours_n = len(ours_found(text, entity))
        c["ours"] += ours_n == 1
        c["ours_or_intended"] += ours_n == 1 or (text in tv.CONTEXT_DISAGREEMENTS and ours_n == 0)
        c["presidio"] += len(pres_found(text, entity)) == 1
    return {
        e: {kind: {who: _rate(c[who], c["cases"]) if who != "presidio" or not c["presidio_na"] else None
                   for who in ("ours", "ours_or_intended", "presidio")}
            for kind, c in kinds.items() if c["cases"]}
        for e, kinds in sorted(per.items())
    }


def _stdnum_vectors(path: Path, ours_found: Any, pres_found: Any) -> dict[str, Any]:
    """IBAN lists (valid: found whole as IBAN_CODE; invalid: not found) and ISBNs (no sensitive finding)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, Any] = {}
    for polarity in ("valid", "invalid"):
        values = [v for b in data.get("iban", []) if b["polarity"] == polarity for v in b["values"]]
        ok_o = ok_p = 0
        for v in values:
            whole = [(0, len(v))]
            o, p = ours_found(v, "IBAN_CODE"), pres_found(v, "IBAN_CODE")
            ok_o += (o == whole) if polarity == "valid" else not o
            ok_p += (p == whole) if polarity == "valid" else not p
        out[f"IBAN_CODE {polarity}"] = {"ours": _rate(ok_o, len(values)), "presidio": _rate(ok_p, len(values))}
    isbns = [v for b in data.get("isbn", []) if b["polarity"] == "valid" for v in b["values"]]
    ok_o = ok_p = 0
    for v in isbns:
        ok_o += not any(ours_found(v, e) for e in SENSITIVE)
        ok_p += not any(pres_found(v, e) for e in SENSITIVE if e in _presidio_entities_cached())
    out["ISBN (no sensitive finding)"] = {"ours": _rate(ok_o, len(isbns)), "presidio": _rate(ok_p, len(isbns))}
    return out


_PRES_ENTITIES: set[str] = set()


def _presidio_entities_cached() -> set[str]:
    if not _PRES_ENTITIES:
        _PRES_ENTITIES.update(_presidio_entities())
    return _PRES_ENTITIES


# --------------------------------------------------------------------------------------------- reporting


def _f(x: float | None, width: int = 5) -> str:
    return "  -  ".rjust(width) if x is None else f"{x:.3f}".rjust(width)


def _git() -> dict[str, Any]:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()

    dirty = len(git("status", "--porcelain").splitlines())
    return {"commit": git("rev-parse", "--short", "HEAD"), "dirty_files": dirty}


def entity_rows(result: dict[str, Any], baseline: dict[str, Any] | None) -> list[list[str]]:
    """Rows of the per-entity table: planted, ours P/R/F1, Presidio P/R/F1, baseline F1 of ours."""
    rows = []
    base = (baseline or {}).get("corpus_run", {}).get("entities", {})
    for e, v in result["entities"].items():
        o, p = v["ours"], v["presidio"]
        if not v["planted"] and not o["fp"] and (p is None or not p["fp"]):
            continue
        b = base.get(e, {}).get("ours", {}).get("f1") if base else None
        rows.append([
            e, str(v["planted"]), _f(o["precision"]), _f(o["recall"]), _f(o["f1"]),
            *(["n/a", "n/a", "n/a"] if p is None else [_f(p["precision"]), _f(p["recall"]), _f(p["f1"])]),
            str(o["fp"]), "n/a" if p is None else str(p["fp"]), _f(b) if baseline else "",
        ])
    return rows


ENTITY_HEAD = ["entity", "planted", "ours P", "ours R", "ours F1", "Pres P", "Pres R", "Pres F1", "ours FP",
               "Pres FP", "ours F1 before"]


def md_table(head: list[str], rows: list[list[str]]) -> str:
    """A markdown table."""
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def text_table(head: list[str], rows: list[list[str]]) -> str:
    """A fixed-width table for the terminal."""
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows, strict=True)]
    fmt = "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
    return "\n".join(fmt.format(*r) for r in [head, *rows])


def report(res: dict[str, Any], baseline: dict[str, Any] | None, baseline_name: str) -> tuple[str, str]:
    """(terminal text, markdown) of a results dict."""
    term: list[str] = []
    md = [
        "# Accuracy benchmark",
        "",
        f"Run {res['date']} at commit `{res['git']['commit']}` ({res['git']['dirty_files']} files modified in the "
        f"working tree), on {res['cpus']} CPUs. Command:",
        "",
        "```bash",
        res["command"],
        "```",
        "",
        "Ours: `run_scan.py scan DIR --format jsonl --no-progress --full` (temporary DLP_HOME; the corpus's "
        "district ID patterns configured). Plain Presidio: `AnalyzerEngine` with default recognizers, "
        f"`{MODEL}`, score threshold {THRESHOLD}, on the text our extractors produce, contract entities only. "
        "TP = min(found, planted) per item and entity; FP = found - TP; FN = planted - TP. "
        "`n/a`: plain Presidio has no recognizer for the entity. Raw figures: "
        f"`{res['json']}`." + (f" 'before' = `{baseline_name}`." if baseline else ""),
    ]
    cr = res.get("corpus_run")
    if cr:
        c = cr["corpus"]
        head = (f"Corpus: {c['files']} files, {cr['corpus']['items']} items, {c['bytes'] / 1e6:.2f} MB, "
                f"{c['pi_free_files']} PI-free files, seed {c['seed']} ({c['generator']}); Presidio on "
                f"{cr['presidio_sample_files']} files. Time: ours {cr['seconds']['ours']} s, Presidio "
                f"{cr['seconds']['presidio']} s. Items not scanned by ours: {cr['not_scanned_items']}.")
        rows = entity_rows(cr, baseline)
        cls = cr["classification"]
        bcls = (baseline or {}).get("corpus_run", {}).get("classification", {}).get("accuracy")
        crows = [[k, _f(s["precision"]), _f(s["recall"]), _f(s["f1"]), str(s["tp"] + s["fn"])]
                 for k, s in cls["per_class"].items()]
        acc = (f"Classification (ours): exact-set accuracy {_f(cls['accuracy']).strip()} over {cls['items']} items"
               + (f" (before: {_f(bcls).strip()})" if baseline else "") + ".")
        sj = cr["subjects"]
        subj = (f"Subjects (ours): exact on {sj['exact']} of {sj['items_with_people']} items with people, mean "
                f"absolute error {sj['mean_abs_error']}.")
        pf = cr["pi_free_items"]
        pfl = (f"PI-free items with a sensitive finding: ours {pf['ours']['items_with_sensitive_finding']} of "
               f"{pf['ours']['items']}, Presidio {pf['presidio']['items_with_sensitive_finding']} of "
               f"{pf['presidio']['items']}.")
        term += [head, "", text_table(ENTITY_HEAD, rows), "", acc,
                 text_table(["class", "P", "R", "F1", "expected"], crows), subj, pfl]
        md += ["", "## Labeled synthetic corpus", "", head, "", md_table(ENTITY_HEAD, rows), "", acc, "",
               md_table(["class", "precision", "recall", "F1", "items expected"], crows), "", subj, "", pfl]
    fr = res.get("fp_real")
    if fr:
        rows = []
        for e in SENSITIVE:
            o, p = fr["ours"]["findings"].get(e, 0), fr["presidio"]["findings"].get(e, 0)
            if o or p:
                rows.append([e, str(o), f"{fr['ours']['per_mb'][e]:.3f}", str(p), f"{fr['presidio']['per_mb'][e]:.3f}"])
        rows.append(["all sensitive", "", f"{fr['ours']['sensitive_per_mb']:.3f}", "",
                     f"{fr['presidio']['sensitive_per_mb']:.3f}"])
        for e in ("PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER"):
            rows.append([f"({e})", str(fr["ours"]["findings"].get(e, 0)), f"{fr['ours']['per_mb'][e]:.3f}",
                         str(fr["presidio"]["findings"].get(e, 0)), f"{fr['presidio']['per_mb'][e]:.3f}"])
        head = (f"Real PI-free text: {fr['files']} files, {fr['bytes'] / 1e6:.2f} MB "
                f"({', '.join(f'{g} {n / 1e6:.2f} MB' for g, n in fr['bytes_by_group'].items())}). Target for "
                f"ours: at most {fr['target_sensitive_per_mb']} sensitive findings per MB.")
        groups = ", ".join(f"{g} {v:.3f}" for g, v in fr["ours"]["sensitive_per_mb_by_group"].items())
        th = ["entity", "ours", "ours /MB", "Presidio", "Presidio /MB"]
        term += ["", head, text_table(th, rows), f"ours, sensitive per MB by source: {groups}"]
        md += ["", "## False positives on real PI-free text", "", head, "", md_table(th, rows), "",
               f"Ours, sensitive findings per MB by source: {groups}. Files with the most (ours): "
               + (", ".join(f"`{t['file']}` ({t['findings']})" for t in fr["ours"]["top_files_sensitive"]) or "none")
               + "."]
    vr = res.get("vectors")
    if vr:
        rows = []
        if "skipped" in vr:
            rows.append(["(skipped)", vr["skipped"], "", ""])
        pv = vr.get("presidio_recognizer_tests", {})
        for e, kinds in pv.items():
            if e == "skipped":
                rows.append(["presidio vectors (skipped)", str(kinds), "", ""])
                continue
            for kind, w in kinds.items():
                rows.append([f"{e} ({kind})", _rate_s(w["ours"]), _rate_s(w["ours_or_intended"]),
                             _rate_s(w["presidio"])])
        for name, w in vr.get("python_stdnum", {}).items():
            if name == "skipped":
                rows.append(["python-stdnum (skipped)", str(w), "", ""])
                continue
            rows.append([f"stdnum {name}", _rate_s(w["ours"]), "", _rate_s(w["presidio"])])
        th = ["vectors", "ours", "ours or intended", "Presidio"]
        note = ("Presidio vectors: spans at any score, recognizer by recognizer; context sentences: exactly one "
                "finding >= 0.5 through each full engine. 'or intended': counting the documented, deliberate "
                "differences in tests/detectors/test_presidio_vectors.py as passes. Note: these are Presidio's "
                "own expectations, so plain Presidio passes them by construction.")
        term += ["", text_table(th, rows)]
        md += ["", "## Third-party vectors", "", note, "", md_table(th, rows)]
    if res.get("errors"):
        errs = [f"- {k}: {v}" for k, v in res["errors"].items()]
        term += ["", "FAILED PARTS:", *errs]
        md += ["", "## Failed parts", "", *errs]
    md += ["", "## Not measured", "", "- PERSON 'near an element' separately from all PERSON occurrences "
           "(labels count every full name).", "- Plain Presidio classification (it has none)."]
    return "\n".join(term), "\n".join(md) + "\n"



FLOORS = {"core micro F1": ">= 0.98", "core entity F1 (each)": ">= 0.95", "PERSON F1": ">= 0.92",
          "classification exact-set accuracy": ">= 0.97", "real PI-free: sensitive findings / MB": "<= 0.1",
          "real PI-free: MA_PI items": "0", "PDF core micro F1": ">= 0.95"}


def layout_headline_rows(lr: dict[str, Any], before: dict[str, Any] | None) -> list[list[str]]:
    """Rows: measure, ours, plain Presidio, issue-13 floor, ours before."""
    h, o = lr["headline"], lr["headline"]["ours"]
    p = h.get("presidio") or {}
    b = (before or {}).get("headline", {})
    bo = b.get("ours", {})

    def f(x: Any) -> str:
        return _f(x).strip() if not isinstance(x, str) else x

    rows = [["core micro F1", f(o["core_micro"]["f1"]), f(p.get("core_micro", {}).get("f1")), FLOORS["core micro F1"],
             f(bo.get("core_micro", {}).get("f1"))],
            ["core macro F1", f(o["core_macro_f1"]), f(p.get("core_macro_f1")), "", f(bo.get("core_macro_f1"))]]
    for e, v in o["core_per_entity_f1"].items():
        rows.append([f"  {e} F1", f(v), f((p.get("core_per_entity_f1") or {}).get(e)), FLOORS["core entity F1 (each)"],
                     f((bo.get("core_per_entity_f1") or {}).get(e))])
    rows.append(["PERSON F1 (P / R)", f"{f(o['person']['f1'])} ({f(o['person']['precision'])} / "
                 f"{f(o['person']['recall'])})", f(p.get("person", {}).get("f1")), FLOORS["PERSON F1"],
                 f(bo.get("person", {}).get("f1"))])
    rows.append(["classification exact-set accuracy", f(h["classification_accuracy"]), "n/a",
                 FLOORS["classification exact-set accuracy"], f(b.get("classification_accuracy"))])
    rr = h["real_pi_free"]
    rp = rr.get("presidio") or {}
    brr = (b.get("real_pi_free") or {}).get("ours", {})
    rows.append(["real PI-free: sensitive findings / MB", f(rr["ours"]["sensitive_per_mb"]),
                 f(rp.get("sensitive_per_mb")), FLOORS["real PI-free: sensitive findings / MB"],
                 f(brr.get("sensitive_per_mb"))])
    rows.append(["real PI-free: MA_PI items", str(rr["ours"]["ma_pi_items"]), "n/a",
                 FLOORS["real PI-free: MA_PI items"], str(brr.get("ma_pi_items", "-")) if before else "-"])
    rows.append(["PDF core micro F1", f(o["pdf_core"]["f1"]), f(p.get("pdf_core", {}).get("f1")),
                 FLOORS["PDF core micro F1"], f(bo.get("pdf_core", {}).get("f1"))])
    return rows


def group_rows(groups: dict[str, Any]) -> list[list[str]]:
    """Rows of a per-format/layout/kind table: ours and plain Presidio side by side."""
    ours, pres = groups["ours"], groups.get("presidio") or {}
    rows = []
    for g, v in ours.items():
        pv = pres.get(g)
        rows.append([g, str(v["items"]), _f(v["core"]["precision"]), _f(v["core"]["recall"]), _f(v["core"]["f1"]),
                     _f(pv["core"]["f1"]) if pv else "-", _f(v["person"]["f1"]),
                     _f(pv["person"]["f1"]) if pv else "-", _f(v.get("class_accuracy")), str(v["sensitive_fp"])])
    return rows


GROUP_HEAD = ["", "items", "core P", "core R", "core F1", "Pres core F1", "PERSON F1", "Pres PERSON F1",
              "class acc", "sens. FP"]


def below_presidio(run: dict[str, Any]) -> str:
    """One line naming the entities where our precision or recall is below plain Presidio's (the issue's rule)."""
    worse = []
    for e, v in run["entities"].items():
        o, p = v["ours"], v.get("presidio")
        if p is None or not v["planted"]:
            continue
        for m in ("precision", "recall"):
            if p[m] is not None and (o[m] or 0.0) < p[m]:
                worse.append(f"{e} {m} {_f(o[m]).strip()} < {_f(p[m]).strip()}")
    if not any(v.get("presidio") for v in run["entities"].values()):
        return "Ours against plain Presidio per entity: not measured (no Presidio run)."
    return ("Entities where ours is below plain Presidio: " + "; ".join(worse) + ".") if worse else (
        "Ours is at or above plain Presidio's precision and recall on every planted entity.")


def report_layout(res: dict[str, Any], baseline: dict[str, Any] | None, baseline_name: str) -> tuple[str, str]:
    """(terminal text, markdown) of a layout-corpus run."""
    lr = res.get("layout_run")
    md = ["# Accuracy on the layout corpus (issue 13)", "",
          f"Run {res['date']} at commit `{res['git']['commit']}` ({res['git']['dirty_files']} files modified in the "
          f"working tree), on {res['cpus']} CPUs. Command:", "", "```bash", res["command"], "```", "",
          "Corpus: `benchmarks/layout_corpus.py` (a generator separate from `synth.py`: "
          f"{((lr or {}).get('corpus') or {}).get('kinds', 'its')} document kinds, each in 5+ layouts, about 45% "
          "PI-free look-alikes, plus third-party PI-free files from ../shared/corpora, which are scored only as "
          "sensitive findings per MB and classes given). "
          "Scoring as in `accuracy.md`: per item and entity TP = min(found, planted). Core = SSN, ITIN, card, "
          "bank account, ABA, IBAN, MA DL, SASID, MEPID, DOB. Raw figures: "
          f"`{res['json']}`." + (f" 'before' = `{baseline_name}`." if baseline else "")]
    term: list[str] = []
    if lr:
        bl = (baseline or {}).get("layout_run")
        c = lr["corpus"]
        head = (f"Layout corpus: {c['files']} files, {lr['corpus']['items']} items, {c['bytes'] / 1e6:.2f} MB, "
                f"{c['pi_free_files']} PI-free files, seed {c['seed']}; Presidio on {lr['presidio_sample_files']} "
                f"files. Time: ours {lr['seconds']['ours']} s, Presidio {lr['seconds']['presidio']} s. Items not "
                f"scanned by ours: {lr['not_scanned_items']}.")
        hrows = layout_headline_rows(lr, bl)
        below = below_presidio(lr)
        hh = ["measure", "ours", "plain Presidio", "floor", "ours before"]
        erows = entity_rows(lr, {"corpus_run": bl} if bl else None)
        cls = lr["classification"]
        crows = [[k, _f(v["precision"]), _f(v["recall"]), _f(v["f1"]), str(v["tp"] + v["fn"])]
                 for k, v in cls["per_class"].items()]
        rr = lr["headline"]["real_pi_free"]["ours"]
        real = (f"Real PI-free files: {rr['files']}, {rr['bytes'] / 1e6:.2f} MB; sensitive findings "
                f"{rr['sensitive_findings'] or 'none'}; items with any class {rr['classified_items']}, MA_PI "
                f"{rr['ma_pi_items']}. " + ("Files: " + ", ".join(
                    f"`{t['file']}` ({t['sensitive']}, {'/'.join(t['classes']) or 'no class'})"
                    for t in rr["top_files"]) if rr["top_files"] else ""))
        st = lr.get("expected_status") or {}
        status = "; ".join(f"`{k}` expected {v['expected'].get('status')}/{v['expected'].get('reason')}, got "
                           f"{v['got']['status']}/{v['got']['reason']}" for k, v in st.items()) or "none"
        term += [head, "", text_table(hh, hrows), below, "", text_table(ENTITY_HEAD, erows), "",
                 text_table(["class", "P", "R", "F1", "expected"], crows), "", real, "",
                 text_table(["format", *GROUP_HEAD[1:]], group_rows(lr["by_format"]))]
        md += ["", head, "", "## Headline", "", md_table(hh, hrows), "", below, "", "## Per entity", "",
               md_table(ENTITY_HEAD, erows), "", "## Classification (ours)", "",
               f"Exact-set accuracy {_f(cls['accuracy']).strip()} over {cls['items']} items.", "",
               md_table(["class", "precision", "recall", "F1", "items expected"], crows), "",
               "## Real PI-free files", "", real, "", "## Per format", "",
               md_table(["format", *GROUP_HEAD[1:]], group_rows(lr["by_format"])), "", "## Per layout", "",
               md_table(["layout", *GROUP_HEAD[1:]], group_rows(lr["by_layout"])), "", "## Per kind", "",
               md_table(["kind", *GROUP_HEAD[1:]], group_rows(lr["by_kind"])), "",
               f"Items with an expected status: {status}."]
    if res.get("errors"):
        errs = [f"- {k}: {v}" for k, v in res["errors"].items()]
        term += ["", "FAILED PARTS:", *errs]
        md += ["", "## Failed parts", "", *errs]
    return "\n".join(term), "\n".join(md) + "\n"


def _rate_s(w: dict[str, Any] | None) -> str:
    if w is None:
        return "n/a"
    return f"{w['pass']}/{w['cases']} ({w['rate']:.3f})" if w.get("cases") else "-"


def results_path(day: str, prefix: str = "accuracy") -> Path:
    """<prefix>-<day>.json, or -2, -3 ... when that day already has results (earlier runs are kept)."""
    p = RESULTS / f"{prefix}-{day}.json"
    n = 2
    while p.exists():
        p = RESULTS / f"{prefix}-{day}-{n}.json"
        n += 1
    return p


def latest_results(layout: bool = False) -> Path | None:
    """The most recent results file of the same run type by modification time (the 'before' column).

    Layout-corpus runs (accuracy-layout-*.json) and the default runs (accuracy-<date>*.json) are kept apart.
    """
    found = [p for p in RESULTS.glob("accuracy-*.json") if p.name.startswith("accuracy-layout-") == layout]
    found.sort(key=lambda p: p.stat().st_mtime)
    return found[-1] if found else None


# --------------------------------------------------------------------------------------------- main


def _part(res: dict[str, Any], name: str, run: Callable[[], dict[str, Any]]) -> None:
    """Run one part of the benchmark into ``res[name]``; on failure record the error type under ``errors``."""
    try:
        res[name] = run()
    except Exception as exc:  # noqa: BLE001 - reported, and the other parts still run
        log.exception("part %s failed", name)
        res.setdefault("errors", {})[name] = f"{type(exc).__name__}: {exc}"


def main(argv: list[str] | None = None) -> int:
    """Command line; see the module docstring."""
    args_list = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(description="Accuracy of our scanner against plain Presidio.")
    ap.add_argument("--corpus", type=Path, help="labeled corpus dir (generated there if empty/absent; "
                    "default: a temporary dir)")
    ap.add_argument("--files", type=int, default=360, help="files when generating (default 360)")
    ap.add_argument("--seed", type=int, help="seed when generating and sampling (default 11; 5 for --layout)")
    ap.add_argument("--presidio-sample", type=int, help="run plain Presidio on this many files only")
    ap.add_argument("--workers", type=int, default=2, help="processes for each side (default 2)")
    ap.add_argument("--corpus-run", action=argparse.BooleanOptionalAction, default=None,
                    help="score the synthetic labeled corpus (default on, off with --layout)")
    ap.add_argument("--fp-real", action=argparse.BooleanOptionalAction, default=None,
                    help="false positives on real PI-free text (default on, off with --layout)")
    ap.add_argument("--vectors", action=argparse.BooleanOptionalAction, default=None,
                    help="third-party vectors from ../shared/corpora (default on, off with --layout)")
    ap.add_argument("--layout", action="store_true",
                    help="score the layout corpus (benchmarks/layout_corpus.py) instead; results in "
                         "accuracy-layout-<date>.json and accuracy-layout.md")
    ap.add_argument("--layout-corpus", type=Path, metavar="DIR",
                    help="layout corpus dir (generated there if empty/absent; implies --layout)")
    ap.add_argument("--no-presidio", action="store_true", help="skip plain Presidio (fast iteration)")
    ap.add_argument("--baseline", type=Path, help="results JSON for the 'before' column (default: the latest)")
    ap.add_argument("--no-write", action="store_true", help="print only; write no results files")
    args = ap.parse_args(args_list)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    layout = args.layout or args.layout_corpus is not None
    for name in ("corpus_run", "fp_real", "vectors"):
        if getattr(args, name) is None:
            setattr(args, name, not layout)
    if args.seed is None:
        args.seed = LAYOUT_SEED if layout else 11

    baseline_path = args.baseline or latest_results(layout)
    baseline = json.loads(baseline_path.read_text(encoding="utf-8")) if baseline_path else None
    now = dt.datetime.now()
    out_json = results_path(now.strftime("%Y-%m-%d"), "accuracy-layout" if layout else "accuracy")
    res: dict[str, Any] = {
        "date": now.isoformat(timespec="seconds"),
        "command": " ".join(["python benchmarks/accuracy.py", shlex.join(args_list)]).strip(),
        "git": _git(),
        "cpus": os.cpu_count(),
        "json": str(out_json.relative_to(ROOT)),
    }
    with tempfile.TemporaryDirectory(prefix="dlp-accuracy-") as tmp:
        work = Path(tmp)
        # A failure in one part is recorded and the others still run: a 10-minute run is not lost to one bug.
        if layout:
            lc = (args.layout_corpus or work / "layout-corpus").resolve()
            if not (lc / LABELS_NAME).is_file():
                from benchmarks.layout_corpus import generate as generate_layout

                made = generate_layout(lc, args.seed)
                print(f"[layout] generated {made.files} files ({made.bytes / 1e6:.2f} MB) in {lc}", flush=True)
            _part(res, "layout_run", lambda: layout_run(lc, work, args.workers, args.presidio_sample, args.seed,
                                                        not args.no_presidio))
        if args.corpus_run:
            corpus = (args.corpus or work / "corpus").resolve()
            if not (corpus / LABELS_NAME).is_file():
                from benchmarks.accuracy_corpus import generate

                c = generate(corpus, args.files, args.seed)
                print(f"[corpus] generated {c.files} files ({c.bytes / 1e6:.2f} MB) in {corpus}", flush=True)
            _part(res, "corpus_run", lambda: corpus_run(corpus, work, args.workers, args.presidio_sample, args.seed,
                                                        not args.no_presidio))
        if args.fp_real:
            _part(res, "fp_real", lambda: fp_real_run(work, args.workers, args.seed))
        if args.vectors:
            _part(res, "vectors", vectors_run)
    bname = baseline_path.name if baseline_path else ""
    term, md = report_layout(res, baseline, bname) if layout else report(res, baseline, bname)
    if layout and (args.corpus_run or args.fp_real or args.vectors):
        t2, m2 = report(res, None, "")
        term, md = term + "\n\n" + t2, md + "\n" + m2
    print()
    print(term)
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        out_json.write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
        md_name = "accuracy-layout.md" if layout else "accuracy.md"
        (RESULTS / md_name).write_text(md, encoding="utf-8")
        print(f"\nwrote {out_json.relative_to(ROOT)} and benchmarks/results/{md_name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
