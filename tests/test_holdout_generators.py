"""The held-out corpus generators (benchmarks/holdout_a.py, holdout_b.py) run from their documented command
line and write labels that match their files: every labelled item exists, every item carries its kind, layout
and format, and no label holds a value (only counts, class names and the generator's own words)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
LABELS = "_labels.json"
CLASSES = {"MA_PI", "STUDENT_PII", "STUDENT_SENSITIVE", "EMPLOYEE_PII", "CREDENTIALS"}
# A value would show up as a run of digits (SSN, SASID, account, card, phone) or an e-mail address; file names
# in the labels carry at most three-digit sequence numbers, the counting text none.
VALUE_LIKE = re.compile(r"\d{5,}|\d{3}-\d{2}-\d{4}|@")

# (script, extra arguments): holdout_a has no size option (full corpus, a few seconds); holdout_b a small one.
GENERATORS = [("holdout_a.py", ["--seed", "13"]), ("holdout_b.py", ["--seed", "2026", "--files", "24"])]


def _generate(script: str, args: list[str], out: Path) -> dict[str, Any]:
    """Run a generator as the docstring says (a script under benchmarks/) and return its labels."""
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), str(out), *args], check=True,
                   capture_output=True, cwd=ROOT)
    labels: dict[str, Any] = json.loads((out / LABELS).read_text(encoding="utf-8"))
    return labels


def _strings(obj: Any) -> list[str]:
    """Every string in a JSON document, dictionary keys included."""
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for k, v in obj.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(obj, list):
        return [s for v in obj for s in _strings(v)]
    return []


@pytest.fixture(scope="module", params=GENERATORS, ids=[g[0] for g in GENERATORS])
def generated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    script, args = request.param
    out = tmp_path_factory.mktemp(script.removesuffix(".py")) / "corpus"
    return out, _generate(script, args, out)


def test_every_labelled_item_exists(generated: tuple[Path, dict]) -> None:
    out, labels = generated
    items = labels["items"]
    assert len(items) >= 20
    members = 0
    for key in items:
        container, _, member = key.partition("!/")
        assert (out / container).is_file(), key
        if member:
            members += 1
            if container.endswith(".zip"):  # e-mail attachments live inside the .eml; zip members are listed
                with zipfile.ZipFile(out / container) as z:
                    assert member in z.namelist(), key
    assert members > 0  # both generators put items inside containers
    # and every file written is labelled (nothing unscored lies in the corpus)
    written = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and p.name != LABELS}
    assert written == {k.partition("!/")[0] for k in items}


def test_items_carry_kind_layout_format_and_counts(generated: tuple[Path, dict]) -> None:
    _, labels = generated
    pi_items = 0
    for key, item in labels["items"].items():
        for field in ("kind", "layout", "format"):
            assert isinstance(item.get(field), str) and item[field], (key, field)
        assert all(isinstance(n, int) and n > 0 for n in item["entities"].values()), key
        assert set(item["classifications"]) <= CLASSES, key
        assert isinstance(item["subjects"], int) and isinstance(item["decoys"], dict), key
        pi_items += bool(item["classifications"])
    assert 0 < pi_items < len(labels["items"])  # PI items and PI-free look-alikes both present


def test_labels_hold_no_values(generated: tuple[Path, dict]) -> None:
    _, labels = generated
    leaked = [s for s in _strings(labels) if VALUE_LIKE.search(s)]
    assert leaked == []


def test_holdout_b_items_do_not_depend_on_the_run(tmp_path: Path) -> None:
    """Only the save times stamped into docx/xlsx vary between runs: the labels, byte count aside, do not."""
    a = _generate("holdout_b.py", ["--files", "24"], tmp_path / "a")
    b = _generate("holdout_b.py", ["--files", "24"], tmp_path / "b")
    a.pop("bytes")
    b.pop("bytes")
    assert a == b
