"""Review workflow: list open findings, record an analyst's decision, close what rescans no longer find.

A finding's identity is ``finding_key(source, item_id, entity, value_hash)``: a short hash that does not
depend on the line, row or page, so a decision survives edits around the value and every rescan. The
same value repeated in one item is one finding to review.

Decisions live in the ``reviews`` table (dlp/store/schema.py). Status is computed when listing:

* ``open``: present in the current findings, no decision;
* ``false_positive`` / ``remediated`` / ``accepted``: decided (and, if still present, shown as such:
  a "remediated" finding that a rescan still finds deserves a second look, so it is flagged);
* each finding also shows its item's remediation in force (dlp/remediate/: ``quarantine run 3``);
* ``closed``: a decided or previously listed finding that the latest scans no longer find (the item was
  edited, deleted or moved). ``closed_run`` records the last run at the time it was first seen closed.

Listing records the keys it showed (decision NULL) so that their disappearance can be reported.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from typing import Any

from sqlalchemy import func, insert, select, update

from dlp.errors import ConfigError
from dlp.store.db import Store
from dlp.store.findings import Located, decode_locations, first_locators
from dlp.store.schema import findings, items, reviews, runs

DECISIONS = ("false_positive", "remediated", "accepted")
STATUSES = ("open", "decided", "closed", "all")


def finding_key(source: str, item_id: str, entity: str, value_hash: str) -> str:
    """The stable identity of a finding: 16 hex digits of SHA-256 over where and what (no value)."""
    return hashlib.sha256(f"{source}\0{item_id}\0{entity}\0{value_hash}".encode()).hexdigest()[:16]


def current_findings(store: Store) -> dict[str, dict[str, Any]]:
    """Findings of items not removed, one per key, with where they are (locators) and how many times,
    and the item's remediation in force (``quarantine run 3``, ``remove_permission run 3``) or None."""
    from dlp.store.remediations import item_states

    states = item_states(store)
    out: dict[str, dict[str, Any]] = {}
    query = (select(items.c.source, items.c.item_id, items.c.uri, findings.c.entity, findings.c.value_hash,
                    findings.c.preview, findings.c.locations, findings.c.score, findings.c.occurrences)
             .select_from(findings.join(items, findings.c.item == items.c.id))
             .where(items.c.removed.is_(False)).order_by(items.c.uri, findings.c.id))
    places: dict[str, list[Located]] = {}
    with store.engine.connect() as conn:
        for source, item_id, uri, entity, value_hash, preview, locations, score, occurrences in conn.execute(query):
            key = finding_key(source, item_id, entity, value_hash)
            acts = states.get((source, item_id)) or states.get((source, item_id.split("!/", 1)[0])) or []
            remediation = ", ".join(sorted({f"{a.action} run {a.run_id}" for a in acts})) or None
            f = out.setdefault(key, {"key": key, "uri": uri, "entity": entity, "preview": preview, "count": 0,
                                     "locations": [], "score": 0.0, "remediation": remediation})
            f["count"] += occurrences
            f["score"] = max(f["score"], float(score))
            places.setdefault(key, []).extend(decode_locations(locations))
    for key, found in places.items():
        out[key]["locations"] = first_locators(found, 5)
    return out


def _latest_run(store: Store) -> int | None:
    with store.engine.connect() as conn:
        return conn.execute(select(func.max(runs.c.id))).scalar_one_or_none()


def list_findings(store: Store, status: str = "open", record: bool = True) -> list[dict[str, Any]]:
    """Findings with their review status (see the module docstring); ``record`` keeps what was listed."""
    present = current_findings(store)
    latest = _latest_run(store)
    now = time.time()
    with store.engine.begin() as conn:
        known = {r["key"]: dict(r) for r in conn.execute(select(reviews)).mappings()}
        if record:
            for key, listed in present.items():
                if key not in known:
                    row = {"key": key, "decision": None, "listed_at": now, "uri": listed["uri"],
                           "entity": listed["entity"], "preview": listed["preview"]}
                    conn.execute(insert(reviews).values(**row))
                    known[key] = row
                elif known[key].get("closed_run") is not None:
                    # Found again (restored from a backup, re-saved): it is not closed any more.
                    conn.execute(update(reviews).where(reviews.c.key == key).values(closed_run=None))
                    known[key]["closed_run"] = None
            for key, row in known.items():
                if key not in present and row.get("closed_run") is None and latest is not None:
                    conn.execute(update(reviews).where(reviews.c.key == key).values(closed_run=latest))
                    row["closed_run"] = latest
    out: list[dict[str, Any]] = []
    for key in sorted(set(present) | set(known)):
        f: dict[str, Any] | None = present.get(key)
        r: dict[str, Any] = known.get(key) or {}
        decision = r.get("decision")
        state = "closed" if f is None else (decision or "open")
        rec = {"key": key, "status": state, "decision": decision, "uri": (f or r).get("uri"),
               "entity": (f or r).get("entity"), "preview": (f or r).get("preview"),
               "count": f["count"] if f else 0, "locations": f["locations"] if f else [],
               "by": r.get("by"), "at": r.get("at"), "why": r.get("why"), "basis": r.get("basis"),
               "closed_run": r.get("closed_run") if f is None else None,
               "still_present_after_remediation": bool(f and decision == "remediated"),
               "remediation": f["remediation"] if f else None}
        if status == "all" or status == state or (status == "decided" and decision and f is not None):
            out.append(rec)
    out.sort(key=lambda r: (r["status"] != "open", r["uri"] or "", r["entity"] or ""))
    return out


def counts(store: Store) -> dict[str, int]:
    """How many findings are open, decided and closed (for the HTML report); records nothing."""
    result = {"open": 0, "decided": 0, "closed": 0}
    for rec in list_findings(store, "all", record=False):
        result["open" if rec["status"] == "open" else "closed" if rec["status"] == "closed" else "decided"] += 1
    return result


def mark(store: Store, key: str, decision: str, by: str, why: str, basis: str | None = None) -> dict[str, Any]:
    """Record a decision for a finding (a key or a unique prefix of at least 6 digits); returns the row."""
    if decision not in DECISIONS:
        raise ConfigError(f"--as {decision!r}: use one of {', '.join(DECISIONS)}")
    if decision == "accepted" and not basis:
        raise ConfigError("--as accepted needs --basis (for example: FERPA school-official exception)")
    if not by.strip() or not why.strip():
        raise ConfigError("--by and --why must not be empty: a decision names who made it and why")
    present = current_findings(store)
    with store.engine.connect() as conn:
        stored = {r[0] for r in conn.execute(select(reviews.c.key))}
    candidates = sorted(k for k in set(present) | stored if k.startswith(key.lower())) if len(key) >= 6 else []
    if len(candidates) != 1:
        problem = "matches several findings" if candidates else "is not a finding in the store"
        raise ConfigError(f"finding key {key!r} {problem}; run 'review list' for the keys")
    full = candidates[0]
    f = present.get(full, {})
    values = {"decision": decision, "by": by, "at": time.time(), "why": why, "basis": basis}
    with store.engine.begin() as conn:
        if full in stored:
            conn.execute(update(reviews).where(reviews.c.key == full).values(**values))
        else:
            conn.execute(insert(reviews).values(key=full, uri=f.get("uri"), entity=f.get("entity"),
                                                preview=f.get("preview"), listed_at=time.time(), **values))
        row = conn.execute(select(reviews).where(reviews.c.key == full)).mappings().one()
    return dict(row)


def add_arguments(sub: Any, common: argparse.ArgumentParser) -> None:
    """The ``review`` command: ``review list`` and ``review mark``."""
    review = sub.add_parser("review", parents=[common], help="list findings and record review decisions")
    actions = review.add_subparsers(dest="review_action", required=True)
    lst = actions.add_parser("list", parents=[common], help="findings with their review status")
    lst.add_argument("--status", choices=STATUSES, default="open", help="which findings (default: open)")
    lst.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    mk = actions.add_parser("mark", parents=[common], help="record a decision for one finding")
    mk.add_argument("key", metavar="FINDING_KEY")
    mk.add_argument("--as", dest="decision", required=True, choices=DECISIONS)
    mk.add_argument("--by", required=True, help="who decided")
    mk.add_argument("--why", required=True, help="why (what was done, or why it is not PI)")
    mk.add_argument("--basis", help="legal basis of an accepted finding (required with --as accepted)")
    mk.add_argument("--json", action="store_true", help="print the stored decision as JSON")


def run(args: argparse.Namespace, store: Store) -> int:
    """Run ``review list`` or ``review mark``; returns the exit code."""
    if args.review_action == "mark":
        row = mark(store, args.key, args.decision, args.by, args.why, args.basis)
        if args.json:
            print(json.dumps(row, sort_keys=True))
        else:
            print(f"{row['key']}: {row['decision']} by {row['by']}")
        return 0
    rows = list_findings(store, args.status)
    if args.json:
        for rec in rows:
            print(json.dumps(rec, sort_keys=True))
        return 0
    if not rows:
        print(f"no {args.status} findings", file=sys.stderr)
        return 0
    for rec in rows:
        flag = " (still found)" if rec["still_present_after_remediation"] else ""
        flag += f" [{rec['remediation']}]" if rec["remediation"] else ""
        where = ", ".join(rec["locations"]) or (f"closed after run {rec['closed_run']}" if rec["closed_run"] else "")
        print(f"{rec['key']}  {rec['status']:<14}{flag} {rec['entity']:<18} {rec['preview']:<22} "
              f"{rec['uri']}  [{where}]")
    return 0
