"""Helpers of the extractor tests: read a fixture, pick its extractor the way the pipeline does, run it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dlp.config import ExtractSettings
from dlp.extract.base import ExtractContext, extractor_for, sniff
from dlp.types import Document, Item, ItemRef

FILES = Path(__file__).resolve().parents[1] / "fixtures" / "files"
PASSWORD = "district-test-pw"


def make_item(name: str, data: bytes | None = None, *, path: Path | None = None) -> Item:
    """An item as a connector would hand it over: bytes in memory, or a path the worker reads."""
    ref = ItemRef(source="test", item_id=name, uri=f"test/{name}", local_path=str(path) if path else None)
    return Item(ref=ref, name=name, data=data, path=str(path) if path else None)


def make_ctx(passwords: tuple[str, ...] = (), **settings: Any) -> ExtractContext:
    """A context with default limits, some of them overridden."""
    return ExtractContext(settings=dataclasses.replace(ExtractSettings(), **settings), passwords=passwords)


def run_extract(
    name: str, data: bytes | None = None, *, passwords: tuple[str, ...] = (), **settings: Any
) -> Document:
    """Extract a fixture (or given bytes) with the extractor its sniffed media type selects."""
    if data is None:
        data = (FILES / name).read_bytes()
    extractor = extractor_for(sniff(name, data[:8192]))
    return extractor.extract(make_item(name, data), make_ctx(passwords, **settings))


@pytest.fixture
def extract() -> Callable[..., Document]:
    """``extract(name, data=None, passwords=(), **settings) -> Document``."""
    return run_extract


def part(document: Document, locator: str) -> Any:
    """The part with that locator (fails the test with the locators present when missing)."""
    for candidate in document.parts:
        if candidate.locator == locator:
            return candidate
    raise AssertionError(f"no part {locator!r}; have {[p.locator for p in document.parts]}")


def text_of(document: Document) -> str:
    """All text of a document, parts joined."""
    return "\n".join(p.text for p in document.parts)
