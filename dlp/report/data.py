"""What every report reads from the store: runs, the current items and counts over their findings.

"Current" means the items the store still believes exist (``removed`` is false). Only masked previews and
keyed hashes are ever read here; the store holds nothing else.
"""

from __future__ import annotations

import json
import posixpath
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from dlp.policy.encryption import strong
from dlp.policy.labels import EMPLOYEE_IDS_RANKED, MA_PI_ELEMENTS_RANKED, PI_LABELS, STUDENT_IDS_RANKED
from dlp.store.db import Store, process_gone
from dlp.store.findings import decode_locations
from dlp.store.schema import findings, items, runs

# The policy's entity groups, ranked: a table row counts once, by its first identifier in this order.
MA_PI_ENTITIES = MA_PI_ELEMENTS_RANKED
STUDENT_ID_ENTITIES = STUDENT_IDS_RANKED
STAFF_ID_ENTITIES = EMPLOYEE_IDS_RANKED


@dataclass
class Item:
    """One current item with what the reports need (no values: counts, masked previews, hashes)."""

    id: int
    source: str
    item_id: str
    uri: str
    parent_id: int | None
    size: int | None
    modified: float | None
    status: str
    reason: str | None
    classifications: list[str]
    subjects: int
    data_categories: list[str]
    verdict: str | None
    verdict_reasons: list[str]
    owner: str | None
    exposure: list[str]
    recipients: list[str]
    encrypted: bool
    cipher: str | None
    key_bits: int | None
    first_seen_run: int
    last_seen_run: int
    removed: bool = False
    entity_counts: dict[str, int] = field(default_factory=dict)
    detail: str | None = None  # why an item was not examined or failed, in words

    @property
    def has_pi(self) -> bool:
        """The item carries at least one PI classification."""
        return bool(set(self.classifications) & set(PI_LABELS))

    @property
    def strongly_encrypted(self) -> bool:
        """Encrypted with a 128-bit or stronger key, as 93H counts encryption."""
        return self.encrypted and strong(self.key_bits)

    @property
    def folder(self) -> str:
        """The folder of the item, or of the file that contains it (archive members, attachments)."""
        top = self.uri.split("!/", 1)[0]
        return posixpath.dirname(top.rstrip("/")) or top

    def record(self) -> dict[str, Any]:
        """The item as a JSON-able dict (csv/json reports)."""
        return {
            "uri": self.uri, "source": self.source, "status": self.status, "reason": self.reason,
            "classifications": self.classifications, "subjects": self.subjects,
            "data_categories": self.data_categories, "owner": self.owner, "exposure": self.exposure,
            "recipients": self.recipients, "verdict": self.verdict, "verdict_reasons": self.verdict_reasons,
            "encrypted": self.encrypted, "cipher": self.cipher, "key_bits": self.key_bits,
            "size": self.size, "modified": self.modified, "first_seen_run": self.first_seen_run,
            "last_seen_run": self.last_seen_run, "findings": dict(sorted(self.entity_counts.items())),
            "detail": self.detail if self.status != "scanned" else None,
        }


def _loads(text: str | None) -> list[Any]:
    return list(json.loads(text)) if text else []


def load_items(store: Store, sources: Iterable[str] | None = None, include_removed: bool = False) -> list[Item]:
    """The current (not removed) items, each with its count of findings by entity.

    ``include_removed`` adds the items the store marked removed (a breach assessment counts what was
    exposed, even if it has since been deleted).
    """
    query = select(items).order_by(items.c.id)
    if not include_removed:
        query = query.where(items.c.removed.is_(False))
    wanted = list(sources) if sources is not None else None
    if wanted is not None:
        query = query.where(items.c.source.in_(wanted))
    out: list[Item] = []
    by_id: dict[int, Item] = {}
    with store.engine.connect() as conn:
        for r in conn.execute(query).mappings():
            item = Item(
                id=int(r["id"]), source=r["source"], item_id=r["item_id"], uri=r["uri"], parent_id=r["parent_id"],
                size=r["size"], modified=r["modified"], status=r["status"], reason=r["reason"],
                classifications=_loads(r["classifications"]), subjects=int(r["subjects"] or 0),
                data_categories=_loads(r["data_categories"]), verdict=r["verdict"],
                verdict_reasons=_loads(r["verdict_reasons"]), owner=r["owner"], exposure=_loads(r["exposure"]),
                recipients=_loads(r["recipients"]), encrypted=bool(r["encrypted"]), cipher=r["cipher"],
                key_bits=r["key_bits"], first_seen_run=int(r["first_seen_run"]), last_seen_run=int(r["last_seen_run"]),
                removed=bool(r["removed"]), detail=r["detail"],
            )
            out.append(item)
            by_id[item.id] = item
        counts = select(findings.c.item, findings.c.entity, func.sum(findings.c.occurrences)).select_from(
            findings.join(items, findings.c.item == items.c.id)
        )
        if not include_removed:
            counts = counts.where(items.c.removed.is_(False))
        if wanted is not None:
            counts = counts.where(items.c.source.in_(wanted))
        counts = counts.group_by(findings.c.item, findings.c.entity)
        for item_id, entity, count in conn.execute(counts):
            if item_id in by_id:
                by_id[item_id].entity_counts[entity] = int(count)
    # Members (archive entries, attachments) inherit the owner and modified time of the file that
    # contains them when the connector gave none; parents come first in id order.
    for item in out:
        parent = by_id.get(item.parent_id) if item.parent_id is not None else None
        if parent is not None:
            item.owner = item.owner or parent.owner
            item.modified = item.modified if item.modified is not None else parent.modified
    return out


def source_keys(store: Store) -> list[str]:
    """Every source key in the store."""
    with store.engine.connect() as conn:
        return sorted(r[0] for r in conn.execute(select(items.c.source).distinct()))


def run_times(store: Store) -> dict[int, float]:
    """When each run started, by id."""
    with store.engine.connect() as conn:
        return {int(r[0]): float(r[1]) for r in conn.execute(select(runs.c.id, runs.c.started_at))}


def load_runs(store: Store, limit: int = 20) -> list[dict[str, Any]]:
    """The last ``limit`` runs, oldest first, with their summaries parsed."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(runs).order_by(runs.c.id.desc()).limit(limit)).mappings().all()
    out = []
    for r in reversed(rows):
        row = dict(r)
        row["summary"] = json.loads(row["summary"]) if row["summary"] else {}
        row["sources"] = json.loads(row["sources"])
        out.append(row)
    return out


def run_record(run: dict[str, Any]) -> dict[str, Any]:
    """A run for monitoring: start, end, status, counts and coverage (``report --last-run --json``)."""
    summary = run.get("summary") or {}
    status = run["status"]
    if status == "running" and process_gone(run.get("host"), run.get("pid")):
        status = "interrupted"  # killed: the next scan records it so, and --resume continues it
    return {
        "run_id": run["id"], "status": status, "started_at": run["started_at"],
        "finished_at": run["finished_at"], "sources": run["sources"], "engine_version": run["engine_version"],
        "host": run.get("host"),
        "items": summary.get("items"), "examined": summary.get("examined"), "unchanged": summary.get("unchanged"),
        "removed": summary.get("removed"), "with_findings": summary.get("with_findings"),
        "by_status": summary.get("by_status", {}), "by_reason": summary.get("by_reason", {}),
        "seconds": summary.get("seconds"),
    }


@dataclass(frozen=True)
class PersonFinding:
    """The columns of one finding that count people (a keyed hash, never a value)."""

    item: int
    entity: str
    locator: str
    value_hash: str
    subject: str | None


def person_findings(store: Store, item_ids: Iterable[int], entities: Iterable[str]) -> list[PersonFinding]:
    """Findings of these entities in these items."""
    ids = list(item_ids)
    wanted = list(entities)
    out: list[PersonFinding] = []
    with store.engine.connect() as conn:
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            rows = conn.execute(
                select(findings.c.item, findings.c.entity, findings.c.locations, findings.c.value_hash,
                       findings.c.subject).where(findings.c.item.in_(chunk), findings.c.entity.in_(wanted))
            )
            # One per distinct place of a value (people are counted per place), in the order they occur:
            # distinct_people keeps the first of a row's equally ranked values.
            placed = sorted(((int(r[0]), place.position, PersonFinding(int(r[0]), r[1], place.locator, r[3], r[4]))
                             for r in rows for place in decode_locations(r[2])), key=lambda p: p[:2])
            out += [p[2] for p in placed]
    return out


def distinct_people(rows: Iterable[PersonFinding], priority: tuple[str, ...], names_count: bool = True) -> set[str]:
    """Distinct people among findings, as keys (keyed hashes), an estimate documented in the README.

    A roster subject names a person outright. Otherwise, in a table, one row is one person: the row's
    most identifying value (``priority`` order) stands for it, so a row with an SSN and an account is
    one resident, not two. Outside tables (a letter's body) every distinct identifier counts, and a
    bare name (PERSON) counts only in a table row, since names in prose are often correspondents, and
    not at all with ``names_count`` false (a 93H resident needs an SSN, license or account).
    The same person found under two different identifiers in two places is counted twice: only the
    roster can join them.
    """
    keys: set[str] = set()
    rows_by_locator: dict[tuple[int, str], list[PersonFinding]] = defaultdict(list)
    for f in rows:
        if f.subject:
            keys.add(f"s:{f.subject}")
        elif "row" in f.locator:
            rows_by_locator[(f.item, f.locator)].append(f)
        elif f.entity in priority:
            keys.add(f"{f.entity}:{f.value_hash}")
    rank = {entity: n for n, entity in enumerate((*priority, "PERSON") if names_count else priority)}
    for group in rows_by_locator.values():
        if any(f.subject for f in group):
            continue
        best = min(group, key=lambda f: rank.get(f.entity, len(rank)))
        if best.entity in rank:
            keys.add(f"{best.entity}:{best.value_hash}")
    return keys


def people_affected(store: Store, current: list[Item]) -> dict[str, int]:
    """Distinct students, staff and 93H residents in the current items (see :func:`distinct_people`)."""
    student_items = [i.id for i in current if {"STUDENT_PII", "STUDENT_SENSITIVE"} & set(i.classifications)]
    staff_items = [i.id for i in current if "EMPLOYEE_PII" in i.classifications]
    mapi_items = [i.id for i in current if "MA_PI" in i.classifications]
    students = distinct_people(person_findings(store, student_items, (*STUDENT_ID_ENTITIES, "PERSON")),
                               STUDENT_ID_ENTITIES)
    staff = distinct_people(person_findings(store, staff_items, (*STAFF_ID_ENTITIES, "US_SSN", "PERSON")),
                            (*STAFF_ID_ENTITIES, "US_SSN"))
    residents = distinct_people(person_findings(store, mapi_items, MA_PI_ENTITIES), MA_PI_ENTITIES,
                                names_count=False)
    return {"students": len(students), "staff": len(staff), "ma_pi_residents": len(residents)}


def counter_top(counter: Counter[str], n: int) -> list[tuple[str, int]]:
    """The ``n`` largest entries, ties by name, for stable output."""
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
