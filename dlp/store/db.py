"""The findings store: runs, items with their incremental state, findings and errors.

One process writes (the scan's main process), in batched transactions. SQLite runs in WAL mode so that
a report can read while a scan writes, and a scan killed half-way loses at most its last uncommitted
batch, which ``--resume`` examines again (the item rows are unique per source and item id, so nothing
is ever counted twice).
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Engine,
    and_,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection

from dlp.store import schema
from dlp.store.schema import errors, findings, items, runs
from dlp.types import Finding, ItemRef, ItemResult, Reason, Status


@dataclass(frozen=True, slots=True)
class KnownItem:
    """The incremental state of one item as the store remembers it."""

    size: int | None
    modified: float | None
    etag: str | None
    content_hash: str | None
    engine_version: str | None
    status: str
    last_scanned_run: int | None


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    # A scan of a roster-heavy share writes millions of findings whose value-hash index takes random
    # inserts: a 64 MiB page cache and checkpoints every 10,000 pages (about 40 MB of WAL) instead of
    # 1,000 cut the time to write 3.2 million findings by about 15%.
    cur.execute("PRAGMA cache_size=-65536")
    cur.execute("PRAGMA wal_autocheckpoint=10000")
    cur.close()


# Any constant both scanners agree on: the key of the PostgreSQL advisory lock held while migrating.
_MIGRATION_LOCK = 0x444C5053544F5245  # "DLPSTORE"


def normalize_url(url: str) -> str:
    """The SQLAlchemy URL of a store: ``postgresql://`` and ``postgres://`` are read with psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def _current_revision(conn: Connection) -> str | None:
    """The store's Alembic revision, or None (an empty database, or a store from before migrations)."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    return None if row is None else str(row[0])


class Store:
    """Reads and writes the store. Build one per process; SQLite and PostgreSQL URLs both work."""

    def __init__(self, url: str) -> None:
        url = normalize_url(url)
        self.url = url
        if url.startswith("sqlite:///"):
            path = Path(url.removeprefix("sqlite:///"))
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not path.exists():
                # The store holds no raw values, but where PI lives is itself sensitive.
                path.touch(mode=0o600)
        # pool_pre_ping: a nightly scan holds its pool for hours, and a PostgreSQL restart or an idle
        # timeout in between would otherwise surface as an error on the next batch.
        self.engine: Engine = create_engine(url, future=True,
                                            pool_pre_ping=not url.startswith("sqlite"))
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._migrate()
        with self.engine.begin() as conn:
            row = conn.execute(select(schema.store_meta.c.value).where(schema.store_meta.c.key == "schema")).first()
            if row is None:
                conn.execute(insert(schema.store_meta).values(key="schema", value=str(schema.SCHEMA_VERSION)))

    def _migrate(self) -> None:
        """Bring the store to the newest schema revision (Alembic ``upgrade head``).

        An empty database gets the whole schema; a store made before migrations existed is completed and
        recorded at the baseline. Opening a store that is already current costs one query. On PostgreSQL
        an advisory lock serializes the migration, so that scans starting together on a new database do
        not both create the tables.
        """
        from dlp.store import migrations

        with self.engine.begin() as conn:
            if self.engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            current = _current_revision(conn)
            if current == migrations.HEAD:
                return
            from alembic import command
            from alembic.config import Config
            from alembic.script import ScriptDirectory

            config = Config()
            config.set_main_option("script_location", str(migrations.LOCATION))
            known = {rev.revision for rev in ScriptDirectory.from_config(config).walk_revisions()}
            if current is not None and current not in known:
                raise RuntimeError(
                    f"store {self.safe_url} has schema revision {current}, newer than this scanner; "
                    "upgrade the scanner"
                )
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    @property
    def safe_url(self) -> str:
        """The URL with any password hidden, for messages."""
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        """Dispose of the connection pool."""
        self.engine.dispose()

    # -- runs --

    def start_run(self, sources: Sequence[str], options: dict[str, Any], engine_version: str) -> int:
        """Record a new run and return its id."""
        with self.engine.begin() as conn:
            res = conn.execute(
                insert(runs).values(
                    started_at=time.time(),
                    status="running",
                    sources=json.dumps(list(sources)),
                    options=json.dumps(options, sort_keys=True),
                    engine_version=engine_version,
                    pid=os.getpid(),
                    host=socket.gethostname(),
                )
            )
            return int(res.inserted_primary_key[0])  # type: ignore[index]

    def interrupted_run(self, sources: Sequence[str]) -> int | None:
        """The latest run over the same sources that did not finish (killed or interrupted), if any."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(runs.c.id, runs.c.status, runs.c.pid, runs.c.host)
                .where(runs.c.sources == json.dumps(list(sources)))
                .order_by(runs.c.id.desc())
                .limit(1)
            ).first()
        if row is None or row.status not in ("running", "interrupted"):
            return None
        if row.status == "running" and row.host == socket.gethostname() and _alive(row.pid):
            raise RuntimeError(f"run {row.id} over these sources is still running (pid {row.pid})")
        return int(row.id)

    def reopen_run(self, run_id: int) -> None:
        """Mark an interrupted run as running again (``--resume``)."""
        with self.engine.begin() as conn:
            conn.execute(update(runs).where(runs.c.id == run_id).values(status="running", pid=os.getpid(),
                                                                        host=socket.gethostname()))

    def close_stale_runs(self) -> None:
        """Runs left 'running' by a process that no longer exists become 'interrupted'."""
        host = socket.gethostname()
        with self.engine.begin() as conn:
            for row in conn.execute(select(runs.c.id, runs.c.pid, runs.c.host).where(runs.c.status == "running")):
                if row.host == host and not _alive(row.pid):
                    conn.execute(update(runs).where(runs.c.id == row.id).values(status="interrupted"))

    def finish_run(self, run_id: int, status: str, summary: dict[str, Any]) -> None:
        """Close a run with its final status and summary."""
        with self.engine.begin() as conn:
            conn.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(status=status, finished_at=time.time(), summary=json.dumps(summary, sort_keys=True))
            )

    def run_row(self, run_id: int) -> dict[str, Any]:
        """One run as a dict."""
        with self.engine.connect() as conn:
            row = conn.execute(select(runs).where(runs.c.id == run_id)).mappings().one()
        return dict(row)

    # -- incremental state --

    def known_items(self, source: str) -> dict[str, KnownItem]:
        """The top-level items of a source that are not removed, by item id."""
        cols = (items.c.item_id, items.c.size, items.c.modified, items.c.etag, items.c.content_hash,
                items.c.engine_version, items.c.status, items.c.last_scanned_run)
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(*cols).where(items.c.source == source, items.c.parent_id.is_(None),
                                    items.c.removed.is_(False))
            )
            return {r[0]: KnownItem(*r[1:]) for r in rows}

    def judged_by_hash(self, content_hash: str, engine_version: str) -> int | None:
        """The row id of a top-level item with this content judged by this engine version, if any."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(items.c.id)
                .where(items.c.content_hash == content_hash, items.c.engine_version == engine_version,
                       items.c.parent_id.is_(None), items.c.status != Status.ERROR.value)
                .limit(1)
            ).first()
        return None if row is None else int(row[0])

    def copy_judgement(self, row_id: int, ref: ItemRef) -> list[ItemResult]:
        """The stored results of item ``row_id`` and its members, re-addressed to ``ref`` (deduplication)."""
        with self.engine.connect() as conn:
            top = conn.execute(select(items).where(items.c.id == row_id)).mappings().one()
            rows = [top, *self._descendants(conn, row_id)]
            out: list[ItemResult] = []
            for row in rows:
                fnd = conn.execute(select(findings).where(findings.c.item == row["id"])).mappings().all()
                suffix = row["item_id"][len(top["item_id"]):]
                child_ref = ref if not suffix else ItemRef(
                    source=ref.source, item_id=ref.item_id + suffix, uri=ref.uri + row["uri"][len(top["uri"]):],
                    size=row["size"], owner=ref.owner, exposure=ref.exposure, recipients=ref.recipients,
                )
                parent_uri = None
                if suffix:
                    parent_uri = ref.uri + row["uri"][len(top["uri"]):].rsplit("!/", 1)[0] if "!/" in row[
                        "uri"][len(top["uri"]):] else ref.uri
                out.append(
                    ItemResult(
                        ref=child_ref,
                        status=Status(row["status"]),
                        reason=Reason(row["reason"]) if row["reason"] else None,
                        detail=row["detail"],
                        parent_uri=parent_uri,
                        media_type=row["media_type"],
                        content_hash=row["content_hash"],
                        size=row["size"],
                        classifications=tuple(json.loads(row["classifications"])),
                        subjects=row["subjects"],
                        data_categories=tuple(json.loads(row["data_categories"] or "[]")),
                        findings=tuple(
                            Finding(entity=f["entity"], score=f["score"], locator=f["locator"], start=f["start"],
                                    end=f["end"], preview=f["preview"], value_hash=f["value_hash"],
                                    recognizer=f["recognizer"], subject=f["subject"])
                            for f in fnd
                        ),
                        encrypted=row["encrypted"],
                        cipher=row["cipher"],
                        key_bits=row["key_bits"],
                        untexted_pages=row["untexted_pages"],
                        deduplicated=True,
                    )
                )
        return out

    def _descendants(self, conn: Connection, row_id: int) -> Iterator[Any]:
        frontier = [row_id]
        while frontier:
            children = conn.execute(select(items).where(items.c.parent_id.in_(frontier)).order_by(items.c.id))
            rows = children.mappings().all()
            yield from rows
            frontier = [r["id"] for r in rows]

    # -- writing --

    def mark_seen(self, run_id: int, source: str, item_ids: Iterable[str]) -> None:
        """Unchanged items were seen by this run (so they are not marked removed)."""
        ids = list(item_ids)
        if not ids:
            return
        with self.engine.begin() as conn:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                top = select(items.c.id).where(items.c.source == source, items.c.item_id.in_(chunk))
                conn.execute(update(items).where(items.c.source == source, items.c.item_id.in_(chunk))
                             .values(last_seen_run=run_id))
                # Members of an unchanged container are unchanged too.
                self._touch_descendants(conn, [r[0] for r in conn.execute(top)], run_id)

    def _touch_descendants(self, conn: Connection, parents: list[int], run_id: int) -> None:
        while parents:
            rows = [r[0] for r in conn.execute(select(items.c.id).where(items.c.parent_id.in_(parents)))]
            if rows:
                conn.execute(update(items).where(items.c.id.in_(rows)).values(last_seen_run=run_id))
            parents = rows

    def write(self, run_id: int, engine_version: str, results: Sequence[Sequence[ItemResult]]) -> None:
        """Store a batch of judgements in one transaction.

        Each element is the list of results for one top-level item: the item first, then its members
        (each member after its own parent). The item's previous members and findings are replaced.
        """
        with self.engine.begin() as conn:
            for group in results:
                self._write_group(conn, run_id, engine_version, group)

    def _write_group(self, conn: Connection, run_id: int, engine_version: str, group: Sequence[ItemResult]) -> None:
        ids_by_uri: dict[str, int] = {}
        for index, result in enumerate(group):
            ref = result.ref
            values = {
                "uri": ref.uri,
                "size": result.size if result.size is not None else ref.size,
                "modified": ref.modified,
                "etag": ref.etag,
                "content_hash": result.content_hash,
                "media_type": result.media_type,
                "status": result.status.value,
                "reason": result.reason.value if result.reason else None,
                "detail": result.detail,
                "classifications": json.dumps(list(result.classifications)),
                "subjects": result.subjects,
                "data_categories": json.dumps(list(result.data_categories)),
                "verdict": result.verdict,
                "verdict_reasons": json.dumps(list(result.verdict_reasons)),
                "owner": ref.owner,
                "exposure": json.dumps(list(ref.exposure)),
                "recipients": json.dumps(list(ref.recipients)),
                "encrypted": result.encrypted,
                "cipher": result.cipher,
                "key_bits": result.key_bits,
                "untexted_pages": result.untexted_pages,
                "engine_version": engine_version,
                "last_seen_run": run_id,
                "last_scanned_run": run_id,
                "removed": False,
                "parent_id": ids_by_uri.get(result.parent_uri or "") if index else None,
            }
            existing = conn.execute(
                select(items.c.id).where(items.c.source == ref.source, items.c.item_id == ref.item_id)
            ).first()
            # Statements without inline values compile once and come from SQLAlchemy's cache; values()
            # with literals built and compiled a new statement for every item.
            if existing is None:
                row_id = int(conn.execute(insert(items), {"source": ref.source, "item_id": ref.item_id,
                                                          "first_seen_run": run_id, **values})
                              .inserted_primary_key[0])  # type: ignore[index]
            else:
                row_id = int(existing[0])
                if index == 0:
                    self._delete_descendants(conn, row_id)
                conn.execute(delete(findings).where(findings.c.item == row_id))
                conn.execute(update(items).where(items.c.id == bindparam("row_id")), {"row_id": row_id, **values})
            ids_by_uri[ref.uri] = row_id
            if result.findings:
                _insert_findings(conn, [
                    (row_id, f.entity, f.score, f.locator, f.start, f.end, f.preview, f.value_hash, f.recognizer,
                     f.subject, run_id)
                    for f in result.findings
                ])
            if result.status is Status.ERROR:
                conn.execute(insert(errors).values(run_id=run_id, uri=ref.uri, stage="item",
                                                   reason=result.reason.value if result.reason else "internal",
                                                   detail=result.detail, at=time.time()))

    def _delete_descendants(self, conn: Connection, row_id: int) -> None:
        ids = [r["id"] for r in self._descendants(conn, row_id)]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            conn.execute(delete(findings).where(findings.c.item.in_(chunk)))
        # Children before parents, so foreign keys hold without relying on cascades.
        for start in range(len(ids), 0, -500):
            conn.execute(delete(items).where(items.c.id.in_(ids[max(0, start - 500) : start])))

    def mark_removed(self, run_id: int, source: str) -> int:
        """Items of a fully enumerated source that this run did not see are marked removed."""
        with self.engine.begin() as conn:
            res = conn.execute(
                update(items)
                .where(items.c.source == source, items.c.last_seen_run != run_id, items.c.removed.is_(False))
                .values(removed=True)
            )
            return int(res.rowcount or 0)

    # -- reading for summaries --

    def run_counts(self, run_id: int) -> dict[str, Any]:
        """Counts over the items this run saw: by status and reason, scanned in this run or unchanged."""
        with self.engine.connect() as conn:
            seen = and_(items.c.last_seen_run == run_id, items.c.removed.is_(False))
            by_status: dict[str, int] = dict(
                conn.execute(select(items.c.status, func.count()).where(seen).group_by(items.c.status)).all()
            )
            by_reason: dict[str, int] = dict(conn.execute(select(items.c.reason, func.count())
                                          .where(seen, items.c.reason.is_not(None)).group_by(items.c.reason)).all())
            by_format: dict[str, dict[str, int]] = {}
            for media_type, status, count in conn.execute(
                select(items.c.media_type, items.c.status, func.count()).where(seen)
                .group_by(items.c.media_type, items.c.status)
            ):
                by_format.setdefault(media_type or "unknown", {})[status] = int(count)
            by_source: dict[str, dict[str, int]] = {}
            for source, status, count in conn.execute(
                select(items.c.source, items.c.status, func.count()).where(seen)
                .group_by(items.c.source, items.c.status)
            ):
                by_source.setdefault(source, {})[status] = int(count)
            untexted = conn.execute(select(func.coalesce(func.sum(items.c.untexted_pages), 0)).where(seen)).scalar_one()
            examined = conn.execute(select(func.count()).where(seen, items.c.last_scanned_run == run_id)).scalar_one()
            unchanged = conn.execute(
                select(func.count()).where(seen, items.c.parent_id.is_(None),
                                           func.coalesce(items.c.last_scanned_run, -1) != run_id)
            ).scalar_one()
            removed = conn.execute(
                select(func.count()).where(items.c.last_seen_run != run_id, items.c.removed.is_(True),
                                           items.c.parent_id.is_(None),
                                           items.c.source.in_(json.loads(self.run_row(run_id)["sources"])))
            ).scalar_one()
            with_findings = conn.execute(
                select(func.count(func.distinct(findings.c.item))).select_from(findings.join(items))
                .where(seen)
            ).scalar_one()
        return {
            "by_status": {k: int(v) for k, v in by_status.items()},
            "by_reason": {k: int(v) for k, v in by_reason.items()},
            "by_format": by_format,
            "by_source": by_source,
            "untexted_pages": int(untexted),
            "examined": int(examined),
            "unchanged": int(unchanged),
            "removed_total": int(removed),
            "with_findings": int(with_findings),
        }


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_FINDING_COLUMNS = ("item", "entity", "score", "locator", "start", "end", "preview", "value_hash", "recognizer",
                    "subject", "run_id")
_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def _insert_findings(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
    """Insert finding rows (in ``_FINDING_COLUMNS`` order) with the driver's own executemany.

    A roster gives a finding per cell, a hundred thousand per file; SQLAlchemy's per-row parameter
    processing cost more than SQLite's inserts. The SQL is built once per dialect with quoted names
    ("end" is reserved in PostgreSQL).
    """
    placeholder = _PLACEHOLDERS.get(conn.dialect.paramstyle)
    if placeholder is None:  # a driver with named or numbered parameters: the generic path
        conn.execute(insert(findings), [dict(zip(_FINDING_COLUMNS, row, strict=True)) for row in rows])
        return
    quote = conn.dialect.identifier_preparer.quote
    sql = (f"INSERT INTO {quote(findings.name)} ({', '.join(quote(c) for c in _FINDING_COLUMNS)}) "
           f"VALUES ({', '.join([placeholder] * len(_FINDING_COLUMNS))})")
    conn.exec_driver_sql(sql, rows)
