"""The name lexicon is built once per machine and then read from the cache folder, the same sets either way."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from detectors import name_lexicon


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("DLP_HOME", str(tmp_path))
    name_lexicon.lexicon.cache_clear()
    yield tmp_path
    name_lexicon.lexicon.cache_clear()  # the rest of the session builds or reads its own again


def test_the_cached_lexicon_is_the_built_one(home: Path) -> None:
    built = name_lexicon.lexicon()
    [cached] = (home / "cache" / "lexicon").glob("*.lexicon")
    name_lexicon.lexicon.cache_clear()
    assert name_lexicon.lexicon() == built
    assert built.first and built.last and built.words  # a lexicon of empty sets would prove nothing
    assert name_lexicon._loads(cached.read_bytes()) == built


def test_a_damaged_cache_file_is_built_again(home: Path) -> None:
    built = name_lexicon.lexicon()
    [cached] = (home / "cache" / "lexicon").glob("*.lexicon")
    cached.write_bytes(b"dlp-name-lexicon 1\0truncated")
    name_lexicon.lexicon.cache_clear()
    assert name_lexicon.lexicon() == built
    assert name_lexicon._loads(cached.read_bytes()) == built  # and written whole again


def test_the_cache_file_is_named_by_the_lexicon_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    before = name_lexicon._sources_digest()
    monkeypatch.setattr(name_lexicon, "_CACHE_FORMAT", "dlp-name-lexicon 0")
    assert name_lexicon._sources_digest() != before
