"""The store: a store made before migrations is adopted by Alembic, and rows round-trip without raw values."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from dlp.store import migrations
from dlp.store.db import Store
from dlp.store.findings import grouped
from dlp.types import Finding, ItemRef, ItemResult, Status
from tests.store.legacy import baseline


def test_a_store_from_an_older_version_gains_the_new_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    # What a scanner from before migrations left: the baseline's tables without alembic_version, columns
    # added since missing, and an index that came with the shared-store issue missing.
    engine = create_engine(f"sqlite:///{path}")
    baseline().baseline.create_all(engine)
    engine.dispose()
    path.chmod(0o600)
    con = sqlite3.connect(path)
    con.execute("DROP INDEX ix_runs_status")
    con.execute("ALTER TABLE findings DROP COLUMN subject")
    con.execute("ALTER TABLE items DROP COLUMN data_categories")
    con.commit()
    con.close()
    store = Store(f"sqlite:///{path}")
    con = sqlite3.connect(path)
    assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [(migrations.HEAD,)]
    assert con.execute("SELECT 1 FROM sqlite_master WHERE name = 'ix_runs_status'").fetchone()
    con.close()
    run = store.start_run(["s"], {}, "v")
    ref = ItemRef(source="s", item_id="a.txt", uri="share/a.txt", size=3)
    finding = Finding(entity="US_SSN", score=0.9, locator="body", start=0, end=11, preview="***-**-9165",
                      value_hash="h", subject="p1")
    store.write(run, "v", [[ItemResult(ref=ref, status=Status.SCANNED, findings=(finding,),
                                       data_categories=("ssn",), content_hash="c")]])
    [copy] = store.copy_judgement(store.judged_by_hash("c", "v") or 0, ref)
    copied = grouped(copy)
    assert copied is not None and copied.rows[0][2] == "p1" and copy.data_categories == ("ssn",)
    assert (path.stat().st_mode & 0o777) == 0o600


def test_a_store_newer_than_the_scanner_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    Store(f"sqlite:///{path}").close()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9999_future'")
    con.commit()
    con.close()
    with pytest.raises(RuntimeError, match="newer than this scanner"):
        Store(f"sqlite:///{path}")
