"""Stores as older scanners left them: at an earlier Alembic revision, with one finding row per occurrence."""

from __future__ import annotations

import importlib
import json
from collections.abc import Sequence
from types import ModuleType

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, insert

from dlp.store import migrations
from dlp.store.db import normalize_url
from dlp.types import ItemResult


def baseline() -> ModuleType:
    """The baseline revision's module (its frozen tables are the schema before findings by value)."""
    return importlib.import_module("dlp.store.migrations.versions.0001_baseline")


def create_at(url: str, revision: str) -> None:
    """Make the empty database at ``url`` a store at ``revision`` (an older scanner's schema)."""
    engine = create_engine(normalize_url(url))
    try:
        with engine.begin() as conn:
            config = Config()
            config.set_main_option("script_location", str(migrations.LOCATION))
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def write_legacy(url: str, groups: Sequence[Sequence[ItemResult]]) -> int:
    """Write results the way the store wrote them before revision 0005, as a completed run whose id is
    returned: an item row each (members naming their parent), one finding row per occurrence in order."""
    tables = baseline()
    engine = create_engine(normalize_url(url))
    try:
        with engine.begin() as conn:
            run = conn.execute(insert(tables.runs).values(started_at=1.0, status="completed", sources="[]",
                                                          options="{}", engine_version="v"))
            run_id = int(run.inserted_primary_key[0])  # type: ignore[index]
            for group in groups:
                ids: dict[str, int] = {}
                for index, r in enumerate(group):
                    row = conn.execute(insert(tables.items).values(
                        source=r.ref.source, item_id=r.ref.item_id, uri=r.ref.uri, size=r.size, status=r.status.value,
                        content_hash=r.content_hash, classifications=json.dumps(list(r.classifications)),
                        subjects=r.subjects, exposure="[]", recipients="[]", encrypted=False, untexted_pages=0,
                        engine_version="v",
                        first_seen_run=run_id, last_seen_run=run_id, last_scanned_run=run_id, removed=False,
                        parent_id=ids.get(r.parent_uri or "") if index else None))
                    ids[r.ref.uri] = int(row.inserted_primary_key[0])  # type: ignore[index]
                    for f in r.findings:
                        conn.execute(insert(tables.findings).values(
                            item=ids[r.ref.uri], entity=f.entity, score=f.score, locator=f.locator, start=f.start,
                            end=f.end, preview=f.preview, value_hash=f.value_hash, recognizer=f.recognizer,
                            subject=f.subject, run_id=run_id))
    finally:
        engine.dispose()
    return run_id
