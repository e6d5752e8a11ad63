"""Compiled Hyperscan databases cached in the data home: a database loaded from the cache scans like a new one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dlp.detect import hscache
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


def test_without_a_data_home_the_account_cache_folder_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A Dask worker on another host has no data home (its store and key are elsewhere): the database is
    # still cached, in the account's cache folder, and the data home is not created.
    monkeypatch.setenv("DLP_HOME", str(tmp_path / "no-home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    compile_database(hyperscan, [rb"sasid"], [hyperscan.HS_FLAG_CASELESS])
    assert len(list((tmp_path / "cache" / "dlp" / "hyperscan").glob("*.hsdb"))) == 1
    assert not (tmp_path / "no-home").exists()


def test_only_the_most_recently_used_databases_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DLP_HOME", str(tmp_path))
    monkeypatch.setattr(hscache, "_KEEP", 2)
    folder = tmp_path / "cache" / "hyperscan"
    compile_database(hyperscan, [rb"first"], [0])
    (used,) = folder.glob("*.hsdb")
    os.utime(used, (1, 1))  # long unused ...
    compile_database(hyperscan, [rb"first"], [0])  # ... until loaded again now
    compile_database(hyperscan, [rb"second"], [0])
    for file in folder.glob("*.hsdb"):
        if file != used:
            os.utime(file, (2, 2))
    compile_database(hyperscan, [rb"third"], [0])
    kept = set(folder.glob("*.hsdb"))
    assert len(kept) == 2 and used in kept  # "second" went: the least recently used
