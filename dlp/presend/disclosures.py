"""The record of disclosures (FERPA 34 CFR 99.32, 603 CMR 23.07): one row per student per transfer.

Rows live in the store's ``disclosures`` table. A student is named by a keyed hash (see
:func:`dlp.presend.authorizations.student_hash`), so the log can answer "who received this student's
records" for a given ID without holding any ID.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, insert, select

from dlp.store.schema import disclosures


@dataclass(frozen=True, slots=True)
class Disclosure:
    """One logged disclosure of one student's records to one recipient."""

    student: str  # keyed hash
    recipient: str
    party: str | None
    disclosed_on: dt.date
    data_categories: tuple[str, ...]
    authorization: str | None
    authorization_kind: str | None
    message_id: str | None
    verdict: str


class DisclosureLog:
    """Reads and writes disclosure rows through a store's SQLAlchemy engine (thread-safe writes)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()

    def record(self, entries: Sequence[Disclosure]) -> int:
        """Write the rows of one transfer in one transaction; return how many were written.

        A row already logged for the same Message-ID, recipient and student is not written again: the
        same message checked or delivered twice (a retry, a second post) is one disclosure.
        """
        if not entries:
            return 0
        # SQLite allows one writer; serializing here avoids "database is locked" under a threaded server.
        with self._lock, self.engine.begin() as conn:
            fresh = self._unlogged(conn, entries)
            if fresh:
                conn.execute(insert(disclosures), self._rows(fresh))
        return len(fresh)

    @staticmethod
    def _unlogged(conn: Any, entries: Sequence[Disclosure]) -> list[Disclosure]:
        ids = sorted({m for e in entries if (m := _message_id(e.message_id))})
        seen: set[tuple[str | None, str, str]] = set()
        if ids:
            query = select(disclosures.c.message_id, disclosures.c.recipient, disclosures.c.student).where(
                disclosures.c.message_id.in_(ids))
            seen = {(m, r, s) for m, r, s in conn.execute(query)}
        out = []
        for e in entries:
            key = (_message_id(e.message_id), e.recipient, e.student)
            if e.message_id and key in seen:
                continue
            seen.add(key)
            out.append(e)
        return out

    @staticmethod
    def _rows(entries: Sequence[Disclosure]) -> list[dict[str, Any]]:
        now = time.time()
        rows = [
            {
                "student": e.student,
                "recipient": e.recipient,
                "party": e.party,
                "disclosed_on": e.disclosed_on.isoformat(),
                "at": now,
                "data_categories": json.dumps(list(e.data_categories)),
                "authorization": e.authorization,
                "authorization_kind": e.authorization_kind,
                # A Message-ID is an identifier chosen by the sender's software, not a record's content.
                "message_id": _message_id(e.message_id),
                "verdict": e.verdict,
            }
            for e in entries
        ]
        return rows

    def for_students(self, hashes: Iterable[str]) -> list[Disclosure]:
        """Every row of the students named by these hashes (one student's several hashes), oldest first."""
        wanted = sorted(set(hashes))
        if not wanted:
            return []
        query = (select(disclosures).where(disclosures.c.student.in_(wanted))
                 .order_by(disclosures.c.disclosed_on, disclosures.c.id))
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            Disclosure(
                student=r["student"],
                recipient=r["recipient"],
                party=r["party"],
                disclosed_on=dt.date.fromisoformat(r["disclosed_on"]),
                data_categories=tuple(json.loads(r["data_categories"])),
                authorization=r["authorization"],
                authorization_kind=r["authorization_kind"],
                message_id=r["message_id"],
                verdict=r["verdict"],
            )
            for r in rows
        ]


def _message_id(value: str | None) -> str | None:
    """The Message-ID as stored (at most 998 characters, the longest header line)."""
    return (value or "")[:998] or None
