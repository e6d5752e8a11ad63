"""The roster file (``roster.sqlite``, ``[detect] roster_file``): the only code that knows its tables.

* ``people``: one row per person, with its subject key (a keyed hash of its kind and best ID);
* ``entries``: digest (16 bytes) -> person, kind, field; the durable form of the roster;
* ``packed``: the same entries as three binary blobs ready for :class:`~dlp.roster.index.RosterIndex`
  (sorted 64-bit digest prefixes, packed person/field codes, subject keys), so that a worker loads
  100,000 people with three reads and no per-row Python objects;
* ``meta``: the format, a tag of the key, the fingerprint, counts and the rostered ID lengths;
* ``imports``: the import log (file name, kind, rows, when): counts only, never values.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from dlp.roster.fields import FIELD_NAMES, FORMAT_VERSION, STUDENT_ID_FIELDS
from dlp.roster.hashing import key_check
from dlp.roster.index import pack
from dlp.roster.people import ImportSummary, Person

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS people (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    subject BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_people_kind ON people (kind);
CREATE TABLE IF NOT EXISTS entries (
    hash BLOB NOT NULL,
    person INTEGER NOT NULL,
    kind TEXT NOT NULL,
    field TEXT NOT NULL,
    PRIMARY KEY (hash, person)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS packed (name TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS imports (
    id INTEGER PRIMARY KEY,
    file_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    rows INTEGER NOT NULL,
    people INTEGER NOT NULL,
    skipped INTEGER NOT NULL,
    imported_at TEXT NOT NULL
);
"""


def _open(path: Path, *, create: bool) -> sqlite3.Connection:
    """Open the roster file; when creating, make it 0600 in a 0700 folder before SQLite writes to it."""
    if create:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)
        # A file made earlier with a looser umask is tightened: it is as sensitive as the key.
        os.chmod(path, 0o600)
        conn = sqlite3.connect(path)
        # One import is one transaction; a crash leaves the previous roster (the journal stays on).
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.executescript(_SCHEMA)
        return conn
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def store_people(path: Path, key: bytes, kind: str, people: Sequence[Person], summary: ImportSummary) -> None:
    """Replace ``kind``'s people in the roster file with ``people`` and rebuild the packed index."""
    conn = _open(path, create=True)
    try:
        with conn:
            conn.execute("DELETE FROM entries WHERE kind = ?", (kind,))
            conn.execute("DELETE FROM people WHERE kind = ?", (kind,))
            rows: list[tuple[bytes, int, str, str]] = []
            for person in people:
                cur = conn.execute("INSERT INTO people (kind, subject) VALUES (?, ?)", (kind, person.subject))
                pid = int(cur.lastrowid or 0)
                rows.extend((h, pid, kind, FIELD_NAMES[code]) for h, code in person.entries)
            # In key order, the B-tree grows at its end instead of splitting pages all over: 10x faster.
            rows.sort()
            conn.executemany("INSERT OR IGNORE INTO entries (hash, person, kind, field) VALUES (?, ?, ?, ?)", rows)
            del rows
            conn.execute(
                "INSERT INTO imports (file_name, kind, rows, people, skipped, imported_at) VALUES (?, ?, ?, ?, ?, ?)",
                (summary.file_name, kind, summary.rows, summary.people, sum(summary.skipped.values()),
                 dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
            )
            # The recognizer hashes only digit runs of these lengths (lengths are no values).
            conn.execute("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)",
                         (f"id_lengths:{kind}", ",".join(str(n) for n in sorted(summary.id_lengths))))
            _pack(conn, key)
        conn.execute("VACUUM")  # the old kind's pages would otherwise keep the file at its largest size
    finally:
        conn.close()


def _pack(conn: sqlite3.Connection, key: bytes) -> None:
    """Write the blobs :class:`~dlp.roster.index.RosterIndex` loads, and the meta rows that vouch for them."""
    people = [(pid, subject) for pid, subject in conn.execute("SELECT id, subject FROM people ORDER BY id")]
    # Rows come in digest order (the table's primary key), so a digest shared by several people is a run.
    blobs = pack(people, conn.execute("SELECT hash, person, field FROM entries ORDER BY hash, person"))
    conn.executemany("INSERT OR REPLACE INTO packed (name, data) VALUES (?, ?)", list(blobs.items()))
    state = hashlib.sha256()
    for name in ("keys", "values", "subjects"):
        state.update(blobs[name])
    meta = {"format": str(FORMAT_VERSION), "key_check": key_check(key), "fingerprint": state.hexdigest()[:16],
            "people": str(len(people)), "entries": str(len(blobs["keys"]) // 8)}
    conn.executemany("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", list(meta.items()))


def fingerprint(path: Path) -> str:
    """A short digest of the roster's content ("" without a roster): part of the engine version, so that
    importing a roster makes the next incremental scan judge everything again."""
    if not path.is_file():
        return ""
    try:
        conn = _open(path, create=False)
        try:
            row = conn.execute("SELECT value FROM meta WHERE name = 'fingerprint'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return "unreadable"
    return str(row[0]) if row else ""


@dataclass(frozen=True)
class PackedRoster:
    """What a worker loads of the roster file: the meta rows, the packed blobs and each person's kind."""

    meta: dict[str, str]
    blobs: dict[str, bytes]
    kinds: list[str]


def read_packed(path: Path) -> PackedRoster | None:
    """The packed roster, or None when there is no file or it cannot be read (the log says so)."""
    if not path.is_file():
        return None
    try:
        conn = _open(path, create=False)
        try:
            meta = dict(conn.execute("SELECT name, value FROM meta").fetchall())
            blobs = dict(conn.execute("SELECT name, data FROM packed").fetchall())
            kinds = [k for (k,) in conn.execute("SELECT kind FROM people ORDER BY id")]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        log.warning("roster file %s cannot be read (%s); roster matching is off", path, type(exc).__name__)
        return None
    return PackedRoster(meta, blobs, kinds)


class RosterPerson(NamedTuple):
    """A rostered person as the pre-send check sees it: its kind and the digests (hex) of its student IDs."""

    kind: str
    student_ids: frozenset[str]


def rostered_people(path: Path) -> dict[str, RosterPerson]:
    """Subject key (hex) -> :class:`RosterPerson` for everyone on the roster; empty without a roster.

    A student the engine recognizes by name on the roster is then matched to the IDs an authorization
    lists, without the message holding the ID.
    """
    if not path.is_file():
        return {}
    try:
        conn = _open(path, create=False)
    except sqlite3.Error:
        return {}
    marks = ", ".join("?" for _ in STUDENT_ID_FIELDS)
    try:
        people = {pid: (kind, bytes(subject).hex()) for pid, kind, subject in
                  conn.execute("SELECT id, kind, subject FROM people")}
        ids: dict[int, set[str]] = {}
        for digest_, pid in conn.execute(f"SELECT hash, person FROM entries WHERE field IN ({marks})",
                                         STUDENT_ID_FIELDS):
            ids.setdefault(pid, set()).add(bytes(digest_).hex())
    except sqlite3.Error as exc:
        log.warning("roster file %s cannot be read for student IDs (%s)", path, type(exc).__name__)
        return {}
    finally:
        conn.close()
    return {subject: RosterPerson(kind, frozenset(ids.get(pid, ()))) for pid, (kind, subject) in people.items()}


def student_hashes(path: Path, id_hash: str) -> set[str]:
    """The digests (hex) of the rostered student whose IDs include ``id_hash``: its IDs and its subject key."""
    out: set[str] = set()
    for subject, person in rostered_people(path).items():
        if person.kind == "student" and id_hash in person.student_ids:
            out |= set(person.student_ids) | {subject}
    return out
