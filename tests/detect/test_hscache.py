"""Compiled Hyperscan databases cached in the data home: a database loaded from the cache scans like a new one."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlp.detect.hscache import compile_database

hyperscan = pytest.importorskip("hyperscan")


def _matches(db: object, data: bytes) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []

    def on_match(pattern_id: int, start: int, end: int, flags: int, context: object) -> None:
        found.append((pattern_id, end))

    db.scan(data, match_event_handler=on_match)  # type: ignore[attr-defined]
    return found


def test_a_database_from_the_cache_scans_like_a_compiled_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DLP_HOME", str(tmp_path))
    expressions, flags = [rb"sasid", rb"\d{3}-\d{2}-\d{4}"], [hyperscan.HS_FLAG_CASELESS, 0]
    fresh = compile_database(hyperscan, expressions, flags)
    cached = list((tmp_path / "cache" / "hyperscan").glob("*.hsdb"))
    assert len(cached) == 1  # the second call must come from this file
    loaded = compile_database(hyperscan, expressions, flags)
    text = b"SASID list; SSN 412-68-3097"
    assert _matches(loaded, text) == _matches(fresh, text) == [(0, 5), (1, 27)]
