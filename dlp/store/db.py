"""The findings store: runs, items with their incremental state, findings and errors.

One process writes (the scan's main process), in batched transactions. SQLite runs in WAL mode so that
a report can read while a scan writes, and a scan killed half-way loses at most its last uncommitted
batch, which ``--resume`` examines again (the item rows are unique per source and item id, so nothing
is ever counted twice).
"""

from __future__ import annotations

import functools
import json
import os
import socket
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
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
from sqlalchemy.exc import IntegrityError, OperationalError

from dlp.store import schema
from dlp.store.checkpoint import WAL_FILE_LIMIT_BYTES, WRITER_AUTOCHECKPOINT_PAGES, Checkpointer
from dlp.store.findings import COLUMNS as FINDING_COLUMNS
from dlp.store.findings import from_rows, grouped
from dlp.store.schema import errors, findings, items, runs, source_claims
from dlp.types import ItemRef, ItemResult, Reason, Status, ValueRow

# A claim is refreshed this often by the run that holds it (Scanner's heartbeat thread) ...
HEARTBEAT_SECONDS = 30.0
# ... and a claim from another host whose heartbeat is older than this is taken to be a crashed run's.
# On the claim's own host the process itself is asked (a dead pid frees the claim at once).
CLAIM_STALE_SECONDS = 600.0
SQLITE_BUSY_SECONDS = 30.0

# Asked once per changed item by the scanning process: built once (constructing the statement cost several
# times the indexed lookup itself: 20,000 changed files spent seconds of the main process in SQLAlchemy).
_JUDGED_BY_HASH = (
    select(items.c.id)
    .where(items.c.content_hash == bindparam("content_hash"), items.c.engine_version == bindparam("engine_version"),
           items.c.parent_id.is_(None), items.c.status != Status.ERROR.value)
    .limit(1)
)
# An unchanged rescan marks every item seen, 500 at a time: statements built once, whose lists of ids
# are expanded when they run (built per chunk, with each id coerced, SQLAlchemy took twice the database's
# own time), and whose RETURNING gives the ids whose members are seen too, without another query.
_SEEN = (
    update(items)
    .where(items.c.source == bindparam("seen_source"), items.c.item_id.in_(bindparam("seen_ids", expanding=True)))
    .values(last_seen_run=bindparam("seen_run"))
    .returning(items.c.id)
)
_MEMBERS_SEEN = (
    update(items)
    .where(items.c.parent_id.in_(bindparam("seen_parents", expanding=True)))
    .values(last_seen_run=bindparam("seen_run"))
    .returning(items.c.id)
)


class SourceBusy(RuntimeError):
    """Another run that is still alive owns a source this run would write (CLI exit code 5)."""


class ClaimLost(RuntimeError):
    """This run's claim on a source was taken over (it was thought dead); it must stop writing."""


class StoreGone(RuntimeError):
    """The SQLite store file was deleted or replaced while a scan wrote to it."""


@dataclass(frozen=True, slots=True)
class Claim:
    """Who owns a source: the run, its process and host, and when it last said it was alive."""

    source: str
    run_id: int
    pid: int | None
    host: str | None
    claimed_at: float
    heartbeat: float

    def describe(self) -> str:
        """``run 7 (pid 123 on host, since 2026-12-05T23:20:04)``, for messages."""
        since = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(self.claimed_at))
        return f"run {self.run_id} (pid {self.pid} on {self.host}, since {since})"

    def stale(self, now: float) -> str | None:
        """Why the claim may be taken over (its process is gone, its heartbeat stopped), or None."""
        silent = now - self.heartbeat
        if self.host == socket.gethostname():
            if not _alive(self.pid):
                return f"its process {self.pid} is gone"
            # A live pid that has not beaten for this long is another process that reused the number
            # (or a scan stopped for that long, which will find its claim lost when it wakes).
            if silent > CLAIM_STALE_SECONDS:
                return f"no heartbeat for {silent:.0f} s"
            return None
        if silent > CLAIM_STALE_SECONDS:
            return f"no heartbeat for {silent:.0f} s"
        return None


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
    cur.execute(f"PRAGMA journal_size_limit={WAL_FILE_LIMIT_BYTES}")  # dlp/store/checkpoint.py
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
        self.takeovers: list[str] = []  # messages of the last claim: sources taken over from crashed runs
        self._file: tuple[Path, int, int] | None = None  # an SQLite store's path, device and inode
        self._checkpointer: Checkpointer | None = None  # an SQLite store's, from its first write of results
        if url.startswith("sqlite:///"):
            path = Path(url.removeprefix("sqlite:///"))
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not path.exists():
                # The store holds no raw values, but where PI lives is itself sensitive.
                path.touch(mode=0o600)
        # pool_pre_ping: a nightly scan holds its pool for hours, and a PostgreSQL restart or an idle
        # timeout in between would otherwise surface as an error on the next batch.
        # SQLite: a writer waits up to SQLITE_BUSY_SECONDS for another's transaction (a scan's batch of a
        # roster-heavy share takes seconds) rather than the driver's 5 s.
        connect_args = {"timeout": SQLITE_BUSY_SECONDS} if url.startswith("sqlite") else {}
        self.engine: Engine = create_engine(url, future=True, connect_args=connect_args,
                                            pool_pre_ping=not url.startswith("sqlite"))
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._migrate()
        try:
            with self.engine.begin() as conn:
                row = conn.execute(select(schema.store_meta.c.value)
                                   .where(schema.store_meta.c.key == "schema")).first()
                if row is None:
                    conn.execute(insert(schema.store_meta).values(key="schema", value=str(schema.SCHEMA_VERSION)))
        except IntegrityError:
            # Two scanners opening a new store at the same moment both found no row; the other's is in.
            pass
        if url.startswith("sqlite:///") and ":memory:" not in url:
            path = Path(url.removeprefix("sqlite:///").split("?", 1)[0])
            st = path.stat()
            self._file = (path, st.st_dev, st.st_ino)

    def check_file(self) -> None:
        """Raise StoreGone when the SQLite file this store opened is no longer at its path.

        SQLite goes on writing into a deleted file (the open descriptor keeps it alive), so a scan would
        end "completed" with everything it wrote gone; each batch checks first.
        """
        if self._file is None:
            return
        path, dev, ino = self._file
        try:
            st = path.stat()
        except FileNotFoundError:
            st = None
        if st is None or (st.st_dev, st.st_ino) != (dev, ino):
            raise StoreGone(f"the store file {path} was deleted or replaced during the scan; nothing more is "
                            "written to it. Scan again to rebuild it.")

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
        """Stop the checkpoint thread and dispose of the connection pool (SQLite checkpoints what is left when
        the last connection closes)."""
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None
        self.engine.dispose()

    @property
    def checkpoint_seconds(self) -> tuple[float, float]:
        """Time and CPU the background checkpoints of an SQLite store took so far (dlp/store/checkpoint.py)."""
        found = self._checkpointer
        return (found.seconds, found.cpu_seconds) if found is not None else (0.0, 0.0)

    # -- runs --

    def start_run(self, sources: Sequence[str], options: dict[str, Any], engine_version: str) -> int:
        """Record a new run that owns ``sources``, and return its id.

        The run row and the claims on its sources are written in one transaction: if another live run
        owns one of the sources, nothing is written and :class:`SourceBusy` is raised. Claims of crashed
        runs are taken over (see :attr:`takeovers`).
        """
        now = time.time()
        try:
            with self.engine.begin() as conn:
                # The insert comes first: on SQLite it takes the write lock, so the claim check below
                # reads what any other scan committed before it.
                res = conn.execute(
                    insert(runs).values(
                        started_at=now,
                        status="running",
                        sources=json.dumps(list(sources)),
                        options=json.dumps(options, sort_keys=True),
                        engine_version=engine_version,
                        pid=os.getpid(),
                        host=socket.gethostname(),
                    )
                )
                run_id = int(res.inserted_primary_key[0])  # type: ignore[index]
                self._claim(conn, run_id, sources, now)
        except IntegrityError:
            # Another scan inserted the claim between our read and our insert (PostgreSQL): it won.
            raise self._busy(sources) from None
        except OperationalError as exc:
            raise self._locked(exc) from None
        return run_id

    def _claim(self, conn: Connection, run_id: int, sources: Sequence[str], now: float) -> None:
        """Claim each source for ``run_id`` in the caller's transaction; raise SourceBusy if one is held."""
        self.takeovers = []
        host, pid = socket.gethostname(), os.getpid()
        for source in dict.fromkeys(sources):
            row = conn.execute(select(source_claims).where(source_claims.c.source == source)).first()
            if row is None:
                conn.execute(insert(source_claims).values(source=source, run_id=run_id, pid=pid, host=host,
                                                          claimed_at=now, heartbeat=now))
                continue
            held = Claim(row.source, row.run_id, row.pid, row.host, row.claimed_at, row.heartbeat)
            if held.run_id == run_id:
                conn.execute(update(source_claims).where(source_claims.c.source == source)
                             .values(pid=pid, host=host, heartbeat=now))
                continue
            why = held.stale(now)
            if why is None:
                raise SourceBusy(f"{source} is being scanned by {held.describe()}; not starting a second scan "
                                 "of it (wait for it to end, or stop it)")
            # Only if the claim is still the one judged stale: of two scans taking over at once, one wins.
            taken = conn.execute(
                update(source_claims)
                .where(source_claims.c.source == source, source_claims.c.run_id == held.run_id,
                       source_claims.c.heartbeat == held.heartbeat)
                .values(run_id=run_id, pid=pid, host=host, claimed_at=now, heartbeat=now)
            )
            if taken.rowcount != 1:
                raise SourceBusy(f"{source} was claimed by another scan just now; not starting a second scan")
            conn.execute(update(runs).where(runs.c.id == held.run_id, runs.c.status == "running")
                         .values(status="interrupted"))
            self.takeovers.append(f"took over {source} from {held.describe()}: {why}")

    def _busy(self, sources: Sequence[str]) -> SourceBusy:
        """The refusal for a claim lost in a race, naming the winner when it can be read."""
        for claim in self.claims():
            if claim.source in sources:
                return SourceBusy(f"{claim.source} is being scanned by {claim.describe()}; not starting a "
                                  "second scan of it (wait for it to end, or stop it)")
        return SourceBusy("another scan claimed these sources at the same moment; not starting a second scan")

    def _locked(self, exc: OperationalError) -> Exception:
        """SourceBusy for an SQLite store another writer held for longer than the busy timeout, naming the
        runs still running; any other operational error is returned as it is."""
        if self.engine.dialect.name != "sqlite" or "locked" not in str(exc.orig):
            return exc
        with self.engine.connect() as conn:  # WAL: reading goes on while another process writes
            rows = conn.execute(select(runs.c.id, runs.c.pid, runs.c.host).where(runs.c.status == "running")).all()
        holders = ", ".join(f"run {r.id} (pid {r.pid} on {r.host})" for r in rows) or "another process"
        return SourceBusy(f"the store {self.safe_url} stayed locked by another writer for {SQLITE_BUSY_SECONDS:g} s "
                          f"({holders}); not starting a second scan")

    def claims(self) -> list[Claim]:
        """Every current claim."""
        with self.engine.connect() as conn:
            return [Claim(r.source, r.run_id, r.pid, r.host, r.claimed_at, r.heartbeat)
                    for r in conn.execute(select(source_claims).order_by(source_claims.c.source))]

    def heartbeat(self, run_id: int) -> bool:
        """Say that run ``run_id`` is alive; False when it no longer holds any claim."""
        with self.engine.begin() as conn:
            res = conn.execute(update(source_claims).where(source_claims.c.run_id == run_id)
                               .values(heartbeat=time.time()))
            return bool(res.rowcount)

    def _check_owner(self, conn: Connection, run_id: int, sources: Iterable[str]) -> None:
        """Raise ClaimLost unless ``run_id`` holds the claim of every source (in the caller's transaction).

        The check is an update of the claims' heartbeat: it takes the write lock (SQLite) or the rows'
        locks (PostgreSQL) until the transaction ends, so no take-over can land between the check and the
        writes it guards.
        """
        wanted = sorted(set(sources))
        if not wanted:
            return
        res = conn.execute(update(source_claims)
                           .where(source_claims.c.run_id == run_id, source_claims.c.source.in_(wanted))
                           .values(heartbeat=time.time()))
        if res.rowcount != len(wanted):
            raise ClaimLost(f"run {run_id} no longer owns its source (another scan took it over); "
                            "stopped without writing more")

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
            raise SourceBusy(f"run {row.id} over these sources is still running (pid {row.pid})")
        return int(row.id)

    def reopen_run(self, run_id: int) -> None:
        """Mark an interrupted run as running again (``--resume``), claiming its sources again."""
        now = time.time()
        try:
            with self.engine.begin() as conn:
                conn.execute(update(runs).where(runs.c.id == run_id).values(status="running", pid=os.getpid(),
                                                                            host=socket.gethostname()))
                sources = json.loads(conn.execute(select(runs.c.sources).where(runs.c.id == run_id)).scalar_one())
                self._claim(conn, run_id, sources, now)
        except IntegrityError:
            raise self._busy(sources) from None
        except OperationalError as exc:
            raise self._locked(exc) from None

    def close_stale_runs(self) -> None:
        """Runs left 'running' by a process that no longer exists become 'interrupted'."""
        host = socket.gethostname()
        with self.engine.begin() as conn:
            for row in conn.execute(select(runs.c.id, runs.c.pid, runs.c.host).where(runs.c.status == "running")):
                if row.host == host and not _alive(row.pid):
                    conn.execute(update(runs).where(runs.c.id == row.id).values(status="interrupted"))

    def finish_run(self, run_id: int, status: str, summary: dict[str, Any]) -> None:
        """Close a run with its final status and summary, and give up its claims."""
        with self.engine.begin() as conn:
            conn.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(status=status, finished_at=time.time(), summary=json.dumps(summary, sort_keys=True))
            )
            conn.execute(delete(source_claims).where(source_claims.c.run_id == run_id))

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
            row = conn.execute(_JUDGED_BY_HASH, {"content_hash": content_hash,
                                                 "engine_version": engine_version}).first()
        return None if row is None else int(row[0])

    def copy_judgement(self, row_id: int, ref: ItemRef) -> list[ItemResult]:
        """The stored results of item ``row_id`` and its members, re-addressed to ``ref`` (deduplication)."""
        with self.engine.connect() as conn:
            top = conn.execute(select(items).where(items.c.id == row_id)).mappings().one()
            rows = [top, *self._descendants(conn, row_id)]
            out: list[ItemResult] = []
            for row in rows:
                fnd = conn.execute(select(findings).where(findings.c.item == row["id"])
                                   .order_by(findings.c.id)).mappings().all()
                suffix = row["item_id"][len(top["item_id"]):]
                child_ref = ref if not suffix else ItemRef(
                    source=ref.source, item_id=ref.item_id + suffix, uri=ref.uri + row["uri"][len(top["uri"]):],
                    size=row["size"], owner=ref.owner, exposure=ref.exposure, recipients=ref.recipients,
                )
                parent_uri = None
                if suffix:
                    parent_uri = ref.uri + row["uri"][len(top["uri"]):].rsplit("!/", 1)[0] if "!/" in row[
                        "uri"][len(top["uri"]):] else ref.uri
                out.append(_row_result(row, child_ref, parent_uri, fnd, deduplicated=True))
        return out

    def items_with_findings(self, source: str) -> set[str]:
        """Item ids (top-level or member) of a source's current items that hold findings."""
        with self.engine.connect() as conn:
            return set(conn.execute(
                select(items.c.item_id).distinct().select_from(findings.join(items))
                .where(items.c.source == source, items.c.removed.is_(False))
            ).scalars())

    def run_results(self, run_id: int) -> Iterator[ItemResult]:
        """Every item run ``run_id`` saw (not removed), as stored, in the order they were first stored
        (a member after its container). Values are never stored, so findings carry none."""
        seen = and_(items.c.last_seen_run == run_id, items.c.removed.is_(False))
        last = 0
        with self.engine.connect() as conn:
            while True:
                rows = conn.execute(select(items).where(seen, items.c.id > last).order_by(items.c.id)
                                    .limit(500)).mappings().all()
                if not rows:
                    return
                last = rows[-1]["id"]
                by_item: dict[int, list[Any]] = {}
                for f in conn.execute(select(findings).where(findings.c.item.in_([r["id"] for r in rows]))
                                      .order_by(findings.c.id)).mappings():
                    by_item.setdefault(f["item"], []).append(f)
                parents = {r["parent_id"] for r in rows if r["parent_id"] is not None}
                parent_uris = dict(conn.execute(select(items.c.id, items.c.uri).where(items.c.id.in_(parents))).all()
                                   ) if parents else {}
                for row in rows:
                    ref = ItemRef(source=row["source"], item_id=row["item_id"], uri=row["uri"], size=row["size"],
                                  modified=row["modified"], etag=row["etag"], owner=row["owner"],
                                  exposure=tuple(json.loads(row["exposure"] or "[]")),
                                  recipients=tuple(json.loads(row["recipients"] or "[]")))
                    yield _row_result(row, ref, parent_uris.get(row["parent_id"]), by_item.get(row["id"], []),
                                      deduplicated=False)

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
            self._check_owner(conn, run_id, [source])
            for start in range(0, len(ids), 500):
                top = conn.execute(_SEEN, {"seen_source": source, "seen_ids": ids[start:start + 500],
                                           "seen_run": run_id}).scalars().all()
                # Members of an unchanged container are unchanged too.
                self._touch_descendants(conn, list(top), run_id)

    def _touch_descendants(self, conn: Connection, parents: list[int], run_id: int) -> None:
        while parents:
            members: list[int] = []
            for start in range(0, len(parents), 500):
                members += conn.execute(_MEMBERS_SEEN, {"seen_parents": parents[start:start + 500],
                                                        "seen_run": run_id}).scalars().all()
            parents = members

    def write(self, run_id: int, engine_version: str, results: Sequence[Sequence[ItemResult]]) -> None:
        """Store a batch of judgements in one transaction.

        Each element is the list of results for one top-level item: the item first, then its members
        (each member after its own parent). The item's previous members and findings are replaced.
        """
        self.check_file()
        if self._file is not None and self._checkpointer is None:
            self._checkpointer = Checkpointer(self._file[0])
            self._checkpointer.start()
        with self.engine.begin() as conn:
            if self._checkpointer is not None and self._checkpointer.connected.is_set():
                # The log is checkpointed beside this writer, whose own checkpoints can then be rarer (a
                # connection's setting: any of the pool's may write this batch). dlp/store/checkpoint.py.
                conn.exec_driver_sql(f"PRAGMA wal_autocheckpoint={WRITER_AUTOCHECKPOINT_PAGES}")
            self._check_owner(conn, run_id, {group[0].ref.source for group in results if group})
            for part in _without_repeats(results):
                self._write_groups(conn, run_id, engine_version, part)

    def _write_groups(self, conn: Connection, run_id: int, engine_version: str,
                      groups: Sequence[Sequence[ItemResult]]) -> None:
        """Write groups whose items are all distinct, in statements per batch rather than per item.

        A 100,000-file share is millions of findings and a hundred thousand items: one statement per
        item and one row per occurrence took half of such a scan (issue 15). Here the batch's items are
        looked up in one query and the new ones inserted with one multi-row statement, in the order of
        the batch (row ids keep it: reports and ``--all-items`` list in that order); members then get
        their parent's id with one more statement. The findings, one row per distinct value, grouped in
        the workers (dlp/store/findings.py), go in with one bulk load.
        """
        flat = [(g, index, result) for g, group in enumerate(groups) for index, result in enumerate(group)]
        row_ids = self._existing_ids(conn, [r.ref for _, _, r in flat])
        # A stored container's members are replaced: drop them, and forget their ids, with its findings.
        replaced: list[int] = []
        for _, index, result in flat:
            row_id = row_ids.get((result.ref.source, result.ref.item_id))
            if row_id is None:
                continue
            if index == 0:
                gone = self._delete_descendants(conn, row_id)
                if gone:
                    row_ids = {key: value for key, value in row_ids.items() if value not in gone}
            replaced.append(row_id)
        for start in range(0, len(replaced), 500):
            conn.execute(delete(findings).where(findings.c.item.in_(replaced[start:start + 500])))
        new: list[tuple[Any, ...]] = []
        new_at: list[int] = []
        for position, (_, _, result) in enumerate(flat):
            if (result.ref.source, result.ref.item_id) not in row_ids:
                new.append((result.ref.source, result.ref.item_id, run_id,
                            *_item_row(result, engine_version, run_id, None)))
                new_at.append(position)
        ids = [row_ids.get((r.ref.source, r.ref.item_id), 0) for _, _, r in flat]  # the new ones' just below
        if new:
            _insert_items(conn, new)
            # Looked up rather than returned: the driver's plain executemany (no RETURNING, whose row order a
            # multi-row insert does not promise) cost a third of SQLAlchemy's insert of the same rows.
            inserted = self._existing_ids(conn, [flat[p][2].ref for p in new_at])
            for position in new_at:
                ref = flat[position][2].ref
                ids[position] = inserted[(ref.source, ref.item_id)]
        # A member's parent is the result of its group before it with the URI it names (none if absent).
        parents: list[int | None] = []
        seen: dict[tuple[int, str], int] = {}
        for position, (g, index, result) in enumerate(flat):
            parents.append(seen.get((g, result.parent_uri or "")) if index else None)
            seen[(g, result.ref.uri)] = ids[position]
        new_set = set(new_at)
        linked = [{"row_id": ids[p], "parent": parents[p]} for p in new_at if parents[p] is not None]
        if linked:
            conn.execute(update(items).where(items.c.id == bindparam("row_id")).values(parent_id=bindparam("parent")),
                         linked)
        changed = [{"row_id": ids[p], **_item_values(r, engine_version, run_id, parents[p])}
                   for p, (_, _, r) in enumerate(flat) if p not in new_set]
        if changed:
            conn.execute(update(items).where(items.c.id == bindparam("row_id")), changed)
        values: list[tuple[int, Sequence[ValueRow]]] = []
        now = time.time()
        failed: list[dict[str, Any]] = []
        for position, (_, _, result) in enumerate(flat):
            found = grouped(result)
            if found is not None:
                values.append((ids[position], found.rows))
            if result.status is Status.ERROR:
                failed.append({"run_id": run_id, "uri": result.ref.uri, "stage": "item",
                               "reason": result.reason.value if result.reason else "internal",
                               "detail": result.detail, "at": now})
        if values:
            _load_findings(conn, values, run_id)
        if failed:
            conn.execute(insert(errors), failed)

    def _existing_ids(self, conn: Connection, refs: Sequence[ItemRef]) -> dict[tuple[str, str], int]:
        """The row ids of those of ``refs`` already stored, by (source, item id)."""
        by_source: dict[str, list[str]] = {}
        for ref in refs:
            by_source.setdefault(ref.source, []).append(ref.item_id)
        found: dict[tuple[str, str], int] = {}
        for source, ids in by_source.items():
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                for row_id, item_id in conn.execute(select(items.c.id, items.c.item_id)
                                                    .where(items.c.source == source, items.c.item_id.in_(chunk))):
                    found[(source, item_id)] = int(row_id)
        return found

    def _delete_descendants(self, conn: Connection, row_id: int) -> set[int]:
        """Delete the members of item ``row_id`` (at every depth) and their findings; return their ids."""
        ids = [r["id"] for r in self._descendants(conn, row_id)]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            conn.execute(delete(findings).where(findings.c.item.in_(chunk)))
        # Children before parents, so foreign keys hold without relying on cascades.
        for start in range(len(ids), 0, -500):
            conn.execute(delete(items).where(items.c.id.in_(ids[max(0, start - 500) : start])))
        return set(ids)

    def mark_removed(self, run_id: int, source: str) -> int:
        """Items of a fully enumerated source that this run did not see are marked removed."""
        self.check_file()
        with self.engine.begin() as conn:
            self._check_owner(conn, run_id, [source])
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
            # Per seen item, whether it has a finding row (an index probe each); counting the distinct items
            # of a join read the whole findings index, millions of rows at 100,000 files, on every summary.
            with_findings = conn.execute(
                select(func.count()).where(seen, select(findings.c.id).where(findings.c.item == items.c.id).exists())
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


def _row_result(row: Any, ref: ItemRef, parent_uri: str | None, fnd: Sequence[Any], *,
                deduplicated: bool) -> ItemResult:
    """An item row and its finding rows as an ItemResult addressed to ``ref``."""
    return ItemResult(
        ref=ref,
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
        grouped=from_rows(fnd),
        encrypted=row["encrypted"],
        cipher=row["cipher"],
        key_bits=row["key_bits"],
        untexted_pages=row["untexted_pages"],
        verdict=row["verdict"] if not deduplicated else None,
        verdict_reasons=tuple(json.loads(row["verdict_reasons"] or "[]")) if not deduplicated else (),
        deduplicated=deduplicated,
    )


def process_gone(host: str | None, pid: int | None) -> bool:
    """Whether a run's process is known to be gone: on this host, and no process has its pid."""
    return host == socket.gethostname() and not _alive(pid)


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


# The columns of an item row that a write sets (all but its source, item id and first run), in the order of
# _item_row.
_ITEM_COLUMNS = ("uri", "size", "modified", "etag", "content_hash", "media_type", "status", "reason", "detail",
                 "classifications", "subjects", "data_categories", "verdict", "verdict_reasons", "owner", "exposure",
                 "recipients", "encrypted", "cipher", "key_bits", "untexted_pages", "engine_version", "last_seen_run",
                 "last_scanned_run", "removed", "parent_id")
# What a new item's row holds: its key and first run, then the rest.
_NEW_ITEM_COLUMNS = ("source", "item_id", "first_seen_run", *_ITEM_COLUMNS)


def _item_row(result: ItemResult, engine_version: str, run_id: int, parent: int | None) -> tuple[Any, ...]:
    """The values of :data:`_ITEM_COLUMNS` for a result."""
    ref = result.ref
    return (ref.uri, result.size if result.size is not None else ref.size, ref.modified, ref.etag,
            result.content_hash, result.media_type, result.status.value,
            result.reason.value if result.reason else None, result.detail, _json_list(result.classifications),
            result.subjects, _json_list(result.data_categories), result.verdict, _json_list(result.verdict_reasons),
            ref.owner, _json_list(ref.exposure), _json_list(ref.recipients), result.encrypted, result.cipher,
            result.key_bits, result.untexted_pages, engine_version, run_id, run_id, False, parent)


def _item_values(result: ItemResult, engine_version: str, run_id: int, parent: int | None) -> dict[str, Any]:
    """:func:`_item_row` by column name (an update's values)."""
    return dict(zip(_ITEM_COLUMNS, _item_row(result, engine_version, run_id, parent), strict=True))


def _insert_items(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
    """Insert new item rows (values of :data:`_NEW_ITEM_COLUMNS`), in order, so their ids ascend in it.

    SQLite: the driver's executemany, with no per-row processing by SQLAlchemy (a scan inserts a hundred
    thousand of these rows from its one writing thread). Any other database: SQLAlchemy's insert, which
    PostgreSQL's driver batches.
    """
    if conn.dialect.name != "sqlite":
        conn.execute(insert(items), [dict(zip(_NEW_ITEM_COLUMNS, row, strict=True)) for row in rows])
        return
    quote = conn.dialect.identifier_preparer.quote
    cursor = conn.connection.cursor()
    try:
        cursor.executemany(_items_insert(quote(items.name), tuple(quote(c) for c in _NEW_ITEM_COLUMNS)), rows)
    finally:
        cursor.close()


@functools.cache
def _items_insert(table: str, columns: tuple[str, ...]) -> str:
    """The SQLite insert of one item row, built once (the driver finds its prepared statement by the text)."""
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def _json_list(values: Sequence[str]) -> str:
    """A tuple of strings as the JSON list an item column keeps; most are empty (five per item row)."""
    return json.dumps(list(values)) if values else "[]"


def _without_repeats(groups: Sequence[Sequence[ItemResult]]) -> Iterator[Sequence[Sequence[ItemResult]]]:
    """The batch cut, in order, into runs of groups that name no item twice.

    An item stored twice in one batch is written as if by two batches (the second replaces the first);
    one batched insert would insert it twice. Within a group names are distinct: members are named
    under their container's id, each once (dlp.walk).
    """
    start = 0
    names: set[tuple[str, str]] = set()
    for end, group in enumerate(groups):
        keys = {(r.ref.source, r.ref.item_id) for r in group}
        if not names.isdisjoint(keys):
            yield groups[start:end]
            start, names = end, set()
        names |= keys
    if start < len(groups):
        yield groups[start:]


# Rows per INSERT on SQLite: a multi-row VALUES binds the same parameters in a fifth less time than one
# row per statement; 50 rows of ten values and the two shared ones stay under the 999 parameters older
# SQLite allows.
_ROWS_PER_INSERT = 50


def _load_findings(conn: Connection, found: list[tuple[int, Sequence[ValueRow]]], run_id: int) -> None:
    """Bulk-load the value rows of items (row id, rows as grouped: :data:`dlp.store.findings.COLUMNS`
    without item and run).

    PostgreSQL: ``COPY ... FROM STDIN`` through psycopg's copy API, on the transaction's own connection.
    SQLite: per item, multi-row inserts that bind the item and the run once (``?1``, ``?2``) and each row's
    own values after them, on the driver's cursor: the rows go in as the worker grouped them, with no
    tuple built per row here (SQLAlchemy's per-row parameter processing cost more than SQLite's inserts).
    Any other driver: SQLAlchemy's insert. Column names are quoted ("end" is reserved in PostgreSQL).
    """
    quote = conn.dialect.identifier_preparer.quote
    columns = ", ".join(quote(c) for c in FINDING_COLUMNS)
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        driver = conn.connection.driver_connection
        assert driver is not None  # a connection in a transaction always has its driver's
        with driver.cursor() as cursor, cursor.copy(f"COPY {quote(findings.name)} ({columns}) FROM STDIN") as copy:
            for item, rows in found:
                for row in rows:
                    copy.write_row((item, *row, run_id))
        return
    if conn.dialect.name != "sqlite":
        conn.execute(insert(findings), [dict(zip(FINDING_COLUMNS, (item, *row, run_id), strict=True))
                                        for item, rows in found for row in rows])
        return
    prefix = f"INSERT INTO {quote(findings.name)} ({columns}) VALUES "
    cursor = conn.connection.cursor()
    try:
        for item, rows in found:
            for start in range(0, len(rows), _ROWS_PER_INSERT):
                chunk = rows[start:start + _ROWS_PER_INSERT]
                cursor.execute(_numbered_insert(prefix, len(chunk)), (item, run_id, *chain.from_iterable(chunk)))
    finally:
        cursor.close()


@functools.cache
def _numbered_insert(prefix: str, rows: int) -> str:
    """``prefix`` followed by ``(?1, ?3, ..., ?12, ?2), (?1, ?13, ...)``: ``rows`` rows of
    :data:`dlp.store.findings.COLUMNS` whose item is parameter 1 and run parameter 2, each row's own values
    numbered after them.

    The whole statement is kept, not only its values: the driver finds its prepared statement by the SQL
    text, and the same string object hashes once, where a string concatenated per call is hashed and
    compared in full (several KB) on every insert, which cost as much as the inserts themselves.
    """
    width = len(FINDING_COLUMNS) - 2
    return prefix + ", ".join("(?1, " + ", ".join(f"?{3 + width * row + column}" for column in range(width)) + ", ?2)"
                              for row in range(rows))
