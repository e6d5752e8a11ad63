"""The accuracy benchmark's arithmetic on hand-made counts: no scanning, no models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import accuracy
from benchmarks.accuracy import Score, per_mb, score_classifications, score_entities


def test_counts_give_precision_recall_f1() -> None:
    s = Score()
    s.add(found=3, planted=2)  # one too many: TP 2, FP 1
    s.add(found=1, planted=4)  # three missed: TP 1, FN 3
    s.add(found=0, planted=0)
    assert (s.tp, s.fp, s.fn) == (3, 1, 3)
    assert s.precision == pytest.approx(0.75)
    assert s.recall == pytest.approx(0.5)
    assert s.f1 == pytest.approx(0.6)


def test_undefined_ratios_are_none_not_zero() -> None:
    nothing = Score()
    assert nothing.precision is None and nothing.recall is None and nothing.f1 is None
    only_fp = Score()
    only_fp.add(found=2, planted=0)
    assert only_fp.precision == 0.0 and only_fp.recall is None and only_fp.f1 == 0.0
    only_fn = Score()
    only_fn.add(found=0, planted=5)
    assert only_fn.precision is None and only_fn.recall == 0.0 and only_fn.f1 == 0.0


def test_entities_are_scored_per_item_and_missing_items_cost_recall() -> None:
    planted = {"a.csv": {"US_SSN": 2, "PERSON": 2}, "b.txt": {}, "c.zip!/m.csv": {"US_SSN": 1}}
    found = {"a.csv": {"US_SSN": 2, "PERSON": 3}, "b.txt": {"US_SSN": 1}, "unlabeled.txt": {"US_SSN": 9}}
    scores = score_entities(planted, found, ["US_SSN", "PERSON", "MA_SASID"])
    assert scores["US_SSN"].as_dict() == {"tp": 2, "fp": 1, "fn": 1, "precision": 0.6667, "recall": 0.6667,
                                          "f1": 0.6667}
    assert (scores["PERSON"].tp, scores["PERSON"].fp, scores["PERSON"].fn) == (2, 1, 0)
    assert scores["MA_SASID"].f1 is None
    # A surplus in one item does not make up for a miss in another.
    assert score_entities({"x": {"E": 1}, "y": {"E": 1}}, {"x": {"E": 2}}, ["E"])["E"].as_dict()["fn"] == 1


def test_classification_accuracy_is_an_exact_set_match() -> None:
    expected = {"a": ["MA_PI", "EMPLOYEE_PII"], "b": ["STUDENT_PII"], "c": [], "d": ["STUDENT_PII"]}
    predicted = {"a": ["EMPLOYEE_PII", "MA_PI"], "b": ["STUDENT_PII", "STUDENT_SENSITIVE"], "c": []}
    cls = score_classifications(expected, predicted)
    assert (cls.items, cls.exact) == (4, 2) and cls.accuracy == 0.5
    student = cls.per_class["STUDENT_PII"]
    assert (student.tp, student.fp, student.fn) == (1, 0, 1)
    sensitive = cls.per_class["STUDENT_SENSITIVE"]
    assert (sensitive.tp, sensitive.fp, sensitive.fn) == (0, 1, 0)
    assert cls.per_class["CREDENTIALS"].f1 is None


def test_findings_per_mb() -> None:
    assert per_mb({"US_SSN": 1, "PERSON": 30}, 2_000_000) == {"US_SSN": 0.5, "PERSON": 15.0}


def test_scan_records_are_counted_by_entity() -> None:
    rec = {"findings": [{"entity": "US_SSN", "count": 3}, {"entity": "PERSON", "count": 2}]}
    assert accuracy.counts_of(rec) == {"US_SSN": 3, "PERSON": 2}
    assert accuracy.counts_of({"findings": []}) == {}


def test_report_renders_without_values(tmp_path: Path) -> None:
    zero = Score().as_dict()
    res = {
        "date": "2025-01-06T08:00:00", "command": "python benchmarks/accuracy.py", "cpus": 2,
        "git": {"commit": "abc1234", "dirty_files": 0}, "json": "benchmarks/results/accuracy-x.json",
        "corpus_run": {
            "corpus": {"files": 1, "items": 1, "bytes": 10, "pi_free_files": 0, "seed": 1, "generator": "g"},
            "presidio_sample_files": 1, "seconds": {"ours": 1, "presidio": 1}, "not_scanned_items": 0,
            "entities": {"US_SSN": {"planted": 1, "ours": {**zero, "tp": 1, "precision": 1.0, "recall": 1.0,
                                                           "f1": 1.0}, "presidio": None}},
            "classification": score_classifications({"a": []}, {"a": []}).as_dict(),
            "subjects": {"items_with_people": 0, "exact": 0, "mean_abs_error": None},
            "pi_free_items": {"ours": {"items": 0, "items_with_sensitive_finding": 0},
                              "presidio": {"items": 0, "items_with_sensitive_finding": 0}},
        },
    }
    term, md = accuracy.report(json.loads(json.dumps(res)), None, "")
    assert "US_SSN" in term and "n/a" in term
    assert "python benchmarks/accuracy.py" in md and "| US_SSN | 1 |" in md
