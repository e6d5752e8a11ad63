"""Remediation records in the store: runs of ``remediate`` and one row per action (CONTRACT.md section 8).

A row keeps who ran the action, when, the item, the rule that flagged it, the action and its target, the
state before and after (JSON: permissions, paths; never content) and the outcome. Rows are written as
the actions happen, each in its own transaction, so a run that dies half-way still says what it did
(and ``--undo`` can reverse that part).
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update

from dlp.store.db import Store
from dlp.store.schema import remediation_runs, remediations

MODES = ("dry_run", "apply", "undo")
OUTCOMES = ("planned", "done", "failed", "skipped")


@dataclass(frozen=True)
class ActionRecord:
    """One stored action."""

    id: int
    run_id: int
    source: str
    item_id: str
    uri: str
    rule: str
    action: str
    target: str | None
    before: Any
    after: Any
    status: str
    detail: str | None
    reverses: int | None
    by: str
    at: float


def start_run(store: Store, mode: str, by: str, rule: str | None = None, source: str | None = None,
              undoes: int | None = None) -> int:
    """Record a new remediation run and return its id."""
    if mode not in MODES:
        raise ValueError(f"mode {mode!r} is not one of {MODES}")
    with store.engine.begin() as conn:
        res = conn.execute(insert(remediation_runs).values(
            mode=mode, rule=rule, source=source, undoes=undoes, by=by, host=socket.gethostname(),
            started_at=time.time(), status="running"))
        return int(res.inserted_primary_key[0])  # type: ignore[index]


def finish_run(store: Store, run_id: int, failed: bool) -> None:
    """Mark a run completed (or failed, when some action failed)."""
    with store.engine.begin() as conn:
        conn.execute(update(remediation_runs).where(remediation_runs.c.id == run_id)
                     .values(finished_at=time.time(), status="failed" if failed else "completed"))


def record(store: Store, run_id: int, *, source: str, item_id: str, uri: str, rule: str, action: str,
           target: str | None, before: Any, after: Any, status: str, detail: str | None, by: str,
           reverses: int | None = None) -> int:
    """Store one action (its own transaction) and return the row id."""
    with store.engine.begin() as conn:
        res = conn.execute(insert(remediations).values(
            run_id=run_id, source=source, item_id=item_id, uri=uri, rule=rule, action=action, target=target,
            before=json.dumps(before, sort_keys=True), after=json.dumps(after, sort_keys=True), status=status,
            detail=detail, reverses=reverses, by=by, at=time.time()))
        return int(res.inserted_primary_key[0])  # type: ignore[index]


def run_row(store: Store, run_id: int) -> dict[str, Any] | None:
    """A remediation run's row, or None."""
    with store.engine.connect() as conn:
        row = conn.execute(select(remediation_runs).where(remediation_runs.c.id == run_id)).mappings().first()
    return dict(row) if row is not None else None


def runs(store: Store, limit: int = 50) -> list[dict[str, Any]]:
    """The last ``limit`` remediation runs, newest first."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(remediation_runs).order_by(remediation_runs.c.id.desc()).limit(limit))
        return [dict(r) for r in rows.mappings()]


def actions(store: Store, run_id: int | None = None) -> list[ActionRecord]:
    """The actions of one run (or of every run), oldest first."""
    query = select(remediations).order_by(remediations.c.id)
    if run_id is not None:
        query = query.where(remediations.c.run_id == run_id)
    with store.engine.connect() as conn:
        return [_action(r) for r in conn.execute(query).mappings()]


def reversed_ids(store: Store) -> set[int]:
    """Ids of actions a completed undo reversed."""
    with store.engine.connect() as conn:
        return {int(r[0]) for r in conn.execute(
            select(remediations.c.reverses).where(remediations.c.reverses.is_not(None),
                                                  remediations.c.status == "done"))}


def item_states(store: Store) -> dict[tuple[str, str], list[ActionRecord]]:
    """Per item (source, item id), the applied actions still in force (done, not reversed), oldest first."""
    undone = reversed_ids(store)
    out: dict[tuple[str, str], list[ActionRecord]] = {}
    for act in _applied(store):
        if act.id not in undone:
            out.setdefault((act.source, act.item_id), []).append(act)
    return out


def _applied(store: Store) -> Iterable[ActionRecord]:
    query = (select(remediations).select_from(remediations.join(remediation_runs,
                                                                remediations.c.run_id == remediation_runs.c.id))
             .where(remediation_runs.c.mode == "apply", remediations.c.status == "done")
             .order_by(remediations.c.id))
    with store.engine.connect() as conn:
        return [_action(r) for r in conn.execute(query).mappings()]


def _action(r: Any) -> ActionRecord:
    return ActionRecord(id=int(r["id"]), run_id=int(r["run_id"]), source=r["source"], item_id=r["item_id"],
                        uri=r["uri"], rule=r["rule"], action=r["action"], target=r["target"],
                        before=json.loads(r["before"]) if r["before"] else None,
                        after=json.loads(r["after"]) if r["after"] else None, status=r["status"],
                        detail=r["detail"], reverses=r["reverses"], by=r["by"], at=float(r["at"]))
