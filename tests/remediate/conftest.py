"""Shared parts of the remediation tests: a real SQLite store holding what a scan recorded."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dlp.cli import main
from dlp.store.db import Store
from dlp.types import ItemRef, ItemResult, Status


@dataclass(frozen=True)
class Stored:
    """One item as a scan would have stored it (no findings needed: remediation reads exposure and class)."""

    source: str
    item_id: str
    uri: str
    exposure: tuple[str, ...] = ()
    classifications: tuple[str, ...] = ("MA_PI",)
    owner: str | None = None
    reasons: tuple[str, ...] = ()


def store_items(db: Path, entries: list[Stored]) -> None:
    """Write ``entries`` into the store at ``db`` the way the scanner does (a run that claims its sources)."""
    store = Store(f"sqlite:///{db}")
    try:
        sources = sorted({e.source for e in entries})
        run_id = store.start_run(sources, {}, "test")
        store.write(run_id, "test", [[ItemResult(
            ref=ItemRef(source=e.source, item_id=e.item_id, uri=e.uri, owner=e.owner, exposure=e.exposure),
            status=Status.SCANNED, classifications=e.classifications, subjects=3,
            verdict="block" if e.reasons else None, verdict_reasons=e.reasons)] for e in entries])
        store.finish_run(run_id, "completed", {})
    finally:
        store.close()


def remediate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    """``dlp remediate ARGS --json`` in this process: the exit code and the printed run."""
    capsys.readouterr()
    code = main(["remediate", *args, "--json"])
    out = capsys.readouterr().out.strip().splitlines()
    return code, json.loads(out[-1]) if out else {}
