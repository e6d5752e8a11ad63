"""Migrations on SQLite: HEAD names the newest revision, and a migrated store is what schema.py says."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from dlp.store import migrations
from dlp.store.db import Store
from dlp.store.schema import metadata


def test_head_constant_names_the_newest_revision() -> None:
    config = Config()
    config.set_main_option("script_location", str(migrations.LOCATION))
    assert ScriptDirectory.from_config(config).get_heads() == [migrations.HEAD]


def test_a_new_sqlite_store_matches_the_schema(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'dlp.sqlite'}")
    try:
        with store.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    finally:
        store.close()
