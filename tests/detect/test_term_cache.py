"""Term matchers take their Hyperscan databases from the disk cache, with the same spans either way."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dlp.detect.terms import TermMatcher

hyperscan = pytest.importorskip("hyperscan")

TEXT = "The IEP meeting moved; her 504 plan and the IEPs of two others are in the special education folder."


def test_a_second_matcher_of_the_same_pattern_loads_the_cached_database(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DLP_HOME", str(tmp_path))
    pattern = re.compile(r"(?<![\w-])(?:ieps?|504 plans?|special education)(?![\w-])", re.IGNORECASE)
    first = TermMatcher(pattern)
    folder = tmp_path / "cache" / "hyperscan-terms"
    [cached] = folder.glob("*.hsdb")

    def no_compiling(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled again")

    monkeypatch.setattr(hyperscan, "Database", no_compiling)  # a database made now would fail the test
    second = TermMatcher(pattern)
    assert second._db is not None  # loaded
    assert [p.name for p in folder.glob("*.hsdb")] == [cached.name]
    expected = [m.span() for m in pattern.finditer(TEXT)]
    assert first.spans(TEXT) == second.spans(TEXT) == expected
    assert len(expected) == 4
