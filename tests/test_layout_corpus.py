"""The layout corpus generator (benchmarks/layout_corpus.py): deterministic, labels consistent with files."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from benchmarks import accuracy
from benchmarks import layout_corpus as lc

CLASSES = {"MA_PI", "STUDENT_PII", "STUDENT_SENSITIVE", "EMPLOYEE_PII", "CREDENTIALS"}
TEXT_FORMATS = {"csv", "tsv", "txt", "noext", "html", "csv-as-png", "csv-as-xlsx"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> lc.Corpus:
    """Every kind, its first five layouts; no third-party files (cheap: a few seconds)."""
    return lc.generate(tmp_path_factory.mktemp("layout") / "c", seed=7, per_kind=5, real=False)


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p.name != lc.LABELS_NAME}


def test_kinds_and_layouts_meet_the_issue() -> None:
    assert len(lc.KINDS) >= 30
    assert len({k.name for k in lc.KINDS}) == len(lc.KINDS)
    for k in lc.KINDS:
        assert len(set(k.layouts)) >= 5, k.name
        assert len(set(k.layouts)) == len(k.layouts), k.name
    free = sum(k.pi_free for k in lc.KINDS)
    assert 0.25 <= free / len(lc.KINDS) <= 0.5


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    a = lc.generate(tmp_path / "a", seed=3, per_kind=5, kinds=6, real=False)
    b = lc.generate(tmp_path / "b", seed=3, per_kind=5, kinds=6, real=False)
    c = lc.generate(tmp_path / "c", seed=4, per_kind=5, kinds=6, real=False)
    fa, fb = _files(a.root), _files(b.root)
    assert fa == fb and len(fa) == 30
    for rel in fa:
        assert (a.root / rel).read_bytes() == (b.root / rel).read_bytes(), rel
    assert (a.root / lc.LABELS_NAME).read_bytes() == (b.root / lc.LABELS_NAME).read_bytes()
    assert (a.root / lc.LABELS_NAME).read_bytes() != (c.root / lc.LABELS_NAME).read_bytes()


def test_refuses_a_non_empty_destination(tmp_path: Path) -> None:
    (tmp_path / "x").write_text("keep", encoding="utf-8")
    with pytest.raises(FileExistsError):
        lc.generate(tmp_path, per_kind=1, kinds=1, real=False)


def test_every_file_has_a_label_and_every_label_a_file(corpus: lc.Corpus) -> None:
    labels = json.loads((corpus.root / lc.LABELS_NAME).read_text(encoding="utf-8"))
    items = labels["items"]
    top = {k for k in items if "!/" not in k}
    assert top == _files(corpus.root)
    assert labels["files"] == len(top)
    for k, v in items.items():
        assert {"kind", "layout", "format", "entities", "subjects", "classifications"} <= set(v), k
        assert set(v["classifications"]) <= CLASSES, k
        assert all(n > 0 for n in v["entities"].values()), k
        if "!/" in k:
            assert k.split("!/", 1)[0] in top
    assert {v["kind"] for k, v in items.items() if "!/" not in k} == {k.name for k in lc.KINDS}
    formats = {v["format"] for v in items.values()}
    assert {"csv", "tsv", "txt", "noext", "json", "eml", "docx", "xlsx", "pdf", "html", "ods", "zip"} <= formats


def test_planted_values_are_valid_formats(corpus: lc.Corpus) -> None:
    checks = {
        "US_SSN": lc.ssn_ok,
        "US_ITIN": lc.itin_ok,
        "CREDIT_CARD": lambda v: lc.luhn_ok(re.sub(r"\D", "", v)) and 15 <= len(re.sub(r"\D", "", v)) <= 16,
        "ABA_ROUTING_NUMBER": lc.aba_ok,
        "IBAN_CODE": lc.iban_ok,
        "US_DRIVER_LICENSE": lambda v: re.fullmatch(r"S\d{8}|SA\d{7}", v) is not None,
        "MA_SASID": lambda v: re.fullmatch(r"1\d{9}", v) is not None,
        "MA_MEPID": lambda v: re.fullmatch(r"[1-9]\d{7}", v) is not None,
        "STUDENT_ID": lambda v: re.fullmatch(r"2\d{5}", v) is not None,
        "EMPLOYEE_ID": lambda v: re.fullmatch(r"E\d{5}", v) is not None,
        "US_BANK_NUMBER": lambda v: v.isdigit() and len(v) != 9 and 8 <= len(v) <= 12,
    }
    seen: Counter[str] = Counter()
    for values in corpus.values.values():
        for entity, value in values:
            if entity in checks:
                assert checks[entity](value), entity  # the value itself is not shown
                seen[entity] += 1
    for entity in checks:
        assert seen[entity] > 0, f"no {entity} planted"


def test_planted_identifiers_are_in_the_text_files_as_often_as_labelled(corpus: lc.Corpus) -> None:
    labels = json.loads((corpus.root / lc.LABELS_NAME).read_text(encoding="utf-8"))["items"]
    ids = {"US_SSN", "US_ITIN", "CREDIT_CARD", "ABA_ROUTING_NUMBER", "US_BANK_NUMBER", "IBAN_CODE",
           "US_DRIVER_LICENSE", "MA_SASID", "MA_MEPID"}
    checked = 0
    for rel, values in corpus.values.items():
        lab = labels[rel]
        if lab["format"] not in TEXT_FORMATS or lab.get("expect"):
            continue
        data = (corpus.root / rel).read_bytes()
        text = data.decode("utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else data.decode("utf-8", "replace")
        per_value = Counter(v for e, v in values if e in ids)
        for value, n in per_value.items():
            assert text.count(value) >= n, rel
            checked += 1
        planted = Counter(e for e, _ in values if e in ids)
        assert {e: n for e, n in lab["entities"].items() if e in ids} == dict(planted), rel
    assert checked > 100


def test_pi_free_kinds_plant_nothing_and_expect_no_class(corpus: lc.Corpus) -> None:
    labels = json.loads((corpus.root / lc.LABELS_NAME).read_text(encoding="utf-8"))["items"]
    free_kinds = {k.name for k in lc.KINDS if k.pi_free}
    free = [v for v in labels.values() if v["kind"] in free_kinds]
    assert free
    for v in free:
        assert v["entities"] == {} and v["classifications"] == [] and v["subjects"] == 0
    # Look-alikes are labelled as decoys, e.g. the catalog's authors and barcodes.
    catalog = [v for v in labels.values() if v["kind"] == "library_catalog"]
    assert all(v["decoys"].get("PERSON") and v["decoys"].get("US_BANK_NUMBER") for v in catalog)
    # Blank form templates are PI-free look-alikes of PI kinds.
    for kind in (k for k in lc.KINDS if "blank_template" in k.layouts):
        blank = kind.build(lc.Gen(5), "blank_template")
        assert blank.tally.label() == {"entities": {}, "subjects": 0, "classifications": []}, kind.name
        assert b"____" in blank.data or blank.fmt != "txt"


def test_classifications_follow_the_contract_rules(corpus: lc.Corpus) -> None:
    labels = json.loads((corpus.root / lc.LABELS_NAME).read_text(encoding="utf-8"))["items"]
    elements = {"US_SSN", "US_DRIVER_LICENSE", "CREDIT_CARD", "US_BANK_NUMBER", "IBAN_CODE"}
    for k, v in labels.items():
        e = v["entities"]
        if "MA_PI" in v["classifications"]:
            assert e.get("PERSON") and elements & set(e), k
        if "STUDENT_SENSITIVE" in v["classifications"]:
            assert "STUDENT_PII" in v["classifications"], k
    # A company's ACH form carries account numbers and no person: not MA_PI.
    company = [v for v in labels.values() if v["kind"] == "vendor_ach" and v["entities"] and "PERSON" not in
               v["entities"]]
    assert all("MA_PI" not in v["classifications"] for v in company)


def test_the_xlsb_export_expects_not_examined(tmp_path: Path) -> None:
    payroll = next(k for k in lc.KINDS if k.name == "payroll_export")
    item = payroll.build(lc.Gen(1), "xlsb_export")
    assert item.name.endswith(".xlsb") and item.expect == {"status": "not_examined", "reason": "unsupported"}
    assert item.tally.label()["entities"] == {}


def test_attendance_kind_has_a_2000_row_pdf() -> None:
    att = next(k for k in lc.KINDS if k.name == "attendance_report")
    item = att.build(lc.Gen(2), att.layouts[0])
    assert item.fmt == "pdf" and item.data.startswith(b"%PDF")
    assert item.tally.counts["MA_SASID"] == 2000 and item.tally.counts["PERSON"] == 2000


def test_real_pi_free_files_are_labelled_empty(tmp_path: Path) -> None:
    if not lc.CORPORA.is_dir():
        pytest.skip(f"third-party corpora not present at {lc.CORPORA}")
    import random

    labels = lc.copy_real(tmp_path, random.Random(1))
    assert len(labels) >= 30
    for rel, v in labels.items():
        assert (tmp_path / rel).is_file()
        assert v["entities"] == {} and v["classifications"] == [] and v["kind"] == "real_pi_free"
    banned = ("presidio-recognizer-tests", "pdscan", "piicatcher", "detect-secrets", "python-stdnum")
    assert not any(b in rel for rel in labels for b in banned)


def test_group_scores_and_macro() -> None:
    items = {"a.pdf": {"format": "pdf", "entities": {"US_SSN": 2, "PERSON": 2}, "classifications": ["MA_PI"]},
             "b.csv": {"format": "csv", "entities": {"MA_SASID": 4}, "classifications": ["STUDENT_PII"]},
             "c.csv": {"format": "csv", "entities": {}, "classifications": []}}
    found = {"a.pdf": {"US_SSN": 1, "PERSON": 2}, "b.csv": {"MA_SASID": 4}, "c.csv": {"CREDIT_CARD": 1}}
    predicted = {"a.pdf": ["MA_PI"], "b.csv": [], "c.csv": []}
    g = accuracy.group_scores(items, found, predicted, "format")
    assert g["pdf"]["core"]["tp"] == 1 and g["pdf"]["core"]["fn"] == 1 and g["pdf"]["person"]["f1"] == 1.0
    assert g["csv"]["core"] == {"tp": 4, "fp": 1, "fn": 0, "precision": 0.8, "recall": 1.0, "f1": 0.8889}
    assert g["csv"]["class_accuracy"] == 0.5 and g["csv"]["sensitive_fp"] == 1
    sc = accuracy.score_entities({k: v["entities"] for k, v in items.items()}, found, accuracy.CANONICAL)
    assert accuracy._macro(sc, accuracy.CORE, {"US_SSN": 2, "MA_SASID": 4}) == pytest.approx((2 / 3 + 1.0) / 2)
    assert accuracy._micro(sc, accuracy.CORE).f1 == pytest.approx(2 * 5 / (2 * 5 + 1 + 1))
