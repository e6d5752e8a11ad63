"""Behaviour pinned by golden files (``tests/golden/*.json``, written by ``python -m tests.golden.record``).

A refactor must leave every record identical; a change of behaviour re-records the file and says why in its
commit. The third-party corpora's scans are compared in ``tests/test_corpora_scan.py`` (same scan as its
counts), the bundled example, the fixtures and the pre-send message set here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.golden import SCAN_TREES, golden_path, presend_records, scan_tree


def _differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """Readable differences: missing, extra and changed records (by name), at most 20."""
    out = [f"missing: {k}" for k in sorted(set(expected) - set(actual))]
    out += [f"new: {k}" for k in sorted(set(actual) - set(expected))]
    out += [f"changed: {k}: {json.dumps(expected[k], sort_keys=True)} -> {json.dumps(actual[k], sort_keys=True)}"
            for k in sorted(set(expected) & set(actual)) if expected[k] != actual[k]]
    return out[:20]


def assert_golden(name: str, actual: dict[str, Any]) -> None:
    """Fail with the differences when ``actual`` is not the recorded golden ``name``."""
    expected = json.loads(golden_path(name).read_text(encoding="utf-8"))
    # Through JSON so tuples and lists compare alike.
    diff = _differences(expected, json.loads(json.dumps(actual)))
    assert not diff, f"{name} differs from its golden file:\n" + "\n".join(diff)


@pytest.mark.parametrize("name", ["example-share", "fixtures"])
def test_scan_matches_its_golden_file(name: str, tmp_path: Path) -> None:
    assert_golden(name, scan_tree(SCAN_TREES[name], tmp_path))


def test_presend_verdicts_match_their_golden_file(tmp_path: Path) -> None:
    assert_golden("presend", presend_records(tmp_path / "dlp.sqlite"))


def test_a_difference_is_reported_by_name() -> None:
    # The comparison itself must be able to fail, and say where.
    diff = _differences({"a": {"status": "scanned"}, "b": {}}, {"a": {"status": "error"}, "c": {}})
    assert diff == ["missing: b", "new: c", 'changed: a: {"status": "scanned"} -> {"status": "error"}']
