"""The store on a real PostgreSQL: migrations from an empty database, the same stored results as SQLite
for a full CLI scan, an unchanged rescan, and two scans of different folders running at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, select, text

from dlp.store import migrations
from dlp.store.db import Store, normalize_url
from dlp.store.findings import grouped
from dlp.store.schema import findings, items, metadata, runs
from dlp.types import Finding, ItemRef, ItemResult, Status
from tests.pipeline.conftest import ROOT

pytestmark = pytest.mark.slow


def _scan(db: str, home: Path, *folders: str, extra: tuple[str, ...] = ()) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "run_scan.py", "scan", *folders, "--db", db, "--format", "jsonl", "--no-progress",
         "--workers", "2", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "DLP_HOME": str(home)},
    )


def _run(db: str, home: Path, *folders: str) -> dict[str, Any]:
    proc = _scan(db, home, *folders)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err[-2000:]
    return json.loads(out.splitlines()[-1])["summary"]  # the last jsonl line


def _stored(url: str) -> dict[str, Any]:
    """What the store holds, independent of row ids: per item URI its status, reason, classifications,
    subjects, removed flag and finding counts per entity."""
    engine = create_engine(normalize_url(url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(items.c.id, items.c.uri, items.c.status, items.c.reason,
                                       items.c.classifications, items.c.subjects, items.c.removed,
                                       items.c.size, items.c.encrypted)).all()
            per_item: dict[int, Counter[str]] = {}
            for item, entity, occurrences in conn.execute(select(findings.c.item, findings.c.entity,
                                                                 findings.c.occurrences)):
                per_item.setdefault(item, Counter())[entity] += occurrences
    finally:
        engine.dispose()
    return {
        r.uri: {"status": r.status, "reason": r.reason, "classifications": sorted(json.loads(r.classifications)),
                "subjects": r.subjects, "removed": bool(r.removed), "size": r.size, "encrypted": bool(r.encrypted),
                "findings": dict(sorted(per_item.get(r.id, Counter()).items()))}
        for r in rows
    }


def test_an_empty_database_is_migrated_to_the_current_schema(pg_url: Callable[[], str]) -> None:
    url = pg_url()
    Store(url).close()
    engine = create_engine(normalize_url(url))
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == migrations.HEAD
            names = set(inspect(conn).get_table_names())
            assert {t.name for t in metadata.sorted_tables} <= names
            indexes = {ix["name"] for t in ("items", "findings", "runs") for ix in inspect(conn).get_indexes(t)}
            assert {"ix_items_content_hash", "ix_items_last_seen", "ix_findings_item", "ix_runs_status"} <= indexes
            uniques = {u["name"] for u in inspect(conn).get_unique_constraints("items")}
            assert "uq_items_source_item" in uniques
            # Sizes, offsets and row ids are 64-bit.
            types = {c["name"]: str(c["type"]) for c in inspect(conn).get_columns("items")}
            assert types["size"] == "BIGINT" and types["id"] == "BIGINT"
            from alembic.autogenerate import compare_metadata
            from alembic.migration import MigrationContext

            # The migrated database is exactly what schema.py describes.
            assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata) == []
    finally:
        engine.dispose()
    # Opening it again is a no-op.
    Store(url).close()


def test_every_store_method_works_on_postgresql(pg_url: Callable[[], str]) -> None:
    store = Store(pg_url())
    try:
        run = store.start_run(["s"], {"full": False}, "v")
        big = 5 * 2**30  # a 5 GiB mailbox export: past 32-bit integers
        ref = ItemRef(source="s", item_id="a.pst", uri="share/a.pst", size=big, modified=1.5)
        finding = Finding(entity="US_SSN", score=0.9, locator="body", start=2**31 + 7, end=2**31 + 18,
                          preview="***-**-9165", value_hash="h", subject="p1")
        member = ItemResult(ref=ItemRef(source="s", item_id="a.pst!/m1", uri="share/a.pst!/m1"),
                            status=Status.SCANNED, parent_uri="share/a.pst", encrypted=True, key_bits=256)
        store.write(run, "v", [[ItemResult(ref=ref, status=Status.SCANNED, findings=(finding,), size=big,
                                           classifications=("MA_PI",), content_hash="c"), member]])
        gone = ItemRef(source="s", item_id="gone.txt", uri="share/gone.txt", size=1)
        store.write(run, "v", [[ItemResult(ref=gone, status=Status.SCANNED, content_hash="g")]])
        store.finish_run(run, "completed", {})
        known = store.known_items("s")
        assert known["a.pst"].size == big and known["a.pst"].modified == 1.5
        copies = store.copy_judgement(store.judged_by_hash("c", "v") or 0, ref)
        copied = grouped(copies[0])
        assert copied is not None and copied.rows[0][7] == 2**31 + 7 and copies[1].encrypted is True
        run2 = store.start_run(["s"], {}, "v")
        store.mark_seen(run2, "s", ["a.pst"])
        assert store.mark_removed(run2, "s") == 1  # rowcount on PostgreSQL
        counts = store.run_counts(run2)
        assert counts["by_status"] == {"scanned": 2} and counts["removed_total"] == 1
        assert counts["unchanged"] == 1 and counts["with_findings"] == 1
        assert store.run_row(run)["status"] == "completed"
        store.close_stale_runs()
        with pytest.raises(RuntimeError, match="still running"):  # run2 belongs to this live process
            store.interrupted_run(["s"])
        store.finish_run(run2, "interrupted", {})
        assert store.interrupted_run(["s"]) == run2
    finally:
        store.close()


@pytest.fixture(scope="module")
def share_scans(tmp_path_factory: pytest.TempPathFactory, pg_server: str) -> dict[str, Any]:
    """The example share scanned by the CLI into SQLite and into PostgreSQL (same key), then rescanned."""
    import psycopg

    from tests.store.conftest import PORT

    home = tmp_path_factory.mktemp("home")
    with psycopg.connect(host=pg_server, port=PORT, user="postgres", dbname="postgres", autocommit=True) as c:
        c.execute('CREATE DATABASE "dlp_share"')
    pg = f"postgresql://postgres@/dlp_share?host={pg_server}&port={PORT}"
    sqlite = f"sqlite:///{home / 'share.sqlite'}"
    first_pg = _run(pg, home, "examples/share")
    first_sqlite = _run(sqlite, home, "examples/share")
    again_pg = _run(pg, home, "examples/share")
    return {"pg": pg, "sqlite": sqlite, "first_pg": first_pg, "first_sqlite": first_sqlite, "again_pg": again_pg,
            "home": home}


def test_a_cli_scan_stores_the_same_results_in_postgresql_as_in_sqlite(share_scans: dict[str, Any]) -> None:
    in_pg, in_sqlite = _stored(share_scans["pg"]), _stored(share_scans["sqlite"])
    assert len(in_pg) >= 20
    assert in_pg == in_sqlite
    for key in ("items", "by_status", "by_reason", "with_findings", "examined"):
        assert share_scans["first_pg"][key] == share_scans["first_sqlite"][key], key


def test_an_unchanged_rescan_examines_nothing(share_scans: dict[str, Any]) -> None:
    again = share_scans["again_pg"]
    assert again["examined"] == 0 and again["unchanged"] > 0
    assert again["by_status"] == share_scans["first_pg"]["by_status"]


def test_two_scans_of_different_folders_at_once_into_one_postgresql(share_scans: dict[str, Any],
                                                                      pg_url: Callable[[], str]) -> None:
    url = pg_url()
    home = share_scans["home"]
    folders = ("examples/share/hr", "examples/share/schools")
    procs = [_scan(url, home, folder) for folder in folders]
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-2000:]
    stored = _stored(url)
    expected = {uri: v for uri, v in _stored(share_scans["sqlite"]).items()
                if uri.startswith(tuple(f + "/" for f in folders))}
    assert expected and stored == expected
    engine = create_engine(normalize_url(url))
    try:
        with engine.connect() as conn:
            statuses = conn.execute(select(runs.c.status)).scalars().all()
    finally:
        engine.dispose()
    assert statuses == ["completed", "completed"]
