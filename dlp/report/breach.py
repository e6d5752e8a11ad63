"""Breach assessment: what M.G.L. c. 93H section 3 notification needs, for one source and period.

Section 3(b) notice to the Attorney General and the Office of Consumer Affairs and Business Regulation
states the number of Massachusetts residents affected and the types of personal information; if SSNs
are involved, section 3A requires an offer of at least 18 months of free credit monitoring. Data
encrypted with a 128-bit or stronger process (section 1) is not "breached" unless the key went with it.
Notice must not wait for a final count (notify on a rolling basis), so this gives the best count now.

Every district person found is assumed to be a Massachusetts resident: the store has no addresses, and
counting up is the safe side for a notice.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from typing import Any

from dlp.errors import ConfigError
from dlp.report.data import (
    MA_PI_ENTITIES,
    distinct_people,
    load_items,
    person_findings,
    run_times,
    source_keys,
)
from dlp.store.db import Store


def resolve_source(store: Store, given: str) -> str:
    """The store's source key for what the user typed: the key itself, a scanned path, or a unique part."""
    keys = source_keys(store)
    if given in keys:
        return given
    local = f"local:{os.path.abspath(given)}"
    if local in keys:
        return local
    matches = [k for k in keys if given in k]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(keys) or "none (scan first)"
    if matches:
        raise ConfigError(f"--source {given!r} matches several sources: {', '.join(matches)}")
    raise ConfigError(f"--source {given!r} is not a source in the store; sources: {known}")


def _iso(ts: float | None) -> str | None:
    return None if ts is None else dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="seconds")


def assess(store: Store, source: str, since: dt.date) -> dict[str, Any]:
    """The 93H section 3 facts for MA_PI items of ``source`` seen by a run started on or after ``since``."""
    key = resolve_source(store, source)
    started = run_times(store)
    since_ts = dt.datetime.combine(since, dt.time(), dt.UTC).timestamp()
    # Removed items count too: what was exposed during the period matters, not what is left now.
    candidates = [i for i in load_items(store, [key], include_removed=True)
                  if "MA_PI" in i.classifications and started.get(i.last_seen_run, 0.0) >= since_ts]
    rows = person_findings(store, [i.id for i in candidates], MA_PI_ENTITIES)
    residents = distinct_people(rows, MA_PI_ENTITIES, names_count=False)
    by_entity: dict[str, set[str]] = {}
    for f in rows:
        by_entity.setdefault(f.entity, set()).add(f.value_hash)
    other: Counter[str] = Counter()
    for item in candidates:
        other.update(item.entity_counts)
    encrypted = [i for i in candidates if i.strongly_encrypted]
    weak = [i for i in candidates if i.encrypted and not i.strongly_encrypted]
    ssn = bool(by_entity.get("US_SSN"))
    first = min((started.get(i.first_seen_run) for i in candidates), default=None, key=lambda t: t or 0.0)
    last = max((started.get(i.last_seen_run) for i in candidates), default=None, key=lambda t: t or 0.0)
    return {
        "source": key,
        "since": since.isoformat(),
        "items": len(candidates),
        "residents": len(residents),
        "residents_basis": ("distinct keyed hashes of SSN, driver's license and account/card numbers (one per "
                            "table row; roster subjects where known) in MA_PI items; every person is assumed "
                            "to be a Massachusetts resident"),
        "pi_types": {e: len(v) for e, v in sorted(by_entity.items())},
        "other_entities": dict(sorted(other.items())),
        "ssn_involved": ssn,
        "credit_monitoring": ("offer at least 18 months of free credit monitoring (M.G.L. c. 93H section 3A)"
                              if ssn else "not required (no SSN found)"),
        "encryption": {"encrypted_128_bit_or_more": len(encrypted), "weakly_encrypted": len(weak),
                       "unencrypted": len(candidates) - len(encrypted) - len(weak)},
        "first_seen": _iso(first),
        "last_seen": _iso(last),
        "notify": ["Attorney General", "Director of Consumer Affairs and Business Regulation",
                   "each affected resident"] if len(candidates) > len(encrypted) else [],
        "item_list": [
            {"uri": i.uri, "classifications": i.classifications, "encrypted": i.encrypted, "cipher": i.cipher,
             "key_bits": i.key_bits, "removed": i.removed, "first_seen": _iso(started.get(i.first_seen_run)),
             "last_seen": _iso(started.get(i.last_seen_run)),
             "findings": {e: n for e, n in sorted(i.entity_counts.items())}}
            for i in candidates
        ],
    }


def render_text(result: dict[str, Any]) -> str:
    """The assessment for a person: the facts a 93H section 3 notice asks for."""
    enc = result["encryption"]
    lines = [
        f"Breach assessment for {result['source']} since {result['since']} (M.G.L. c. 93H section 3)",
        f"  MA_PI items:                 {result['items']}",
        f"  Massachusetts residents:     {result['residents']}  (distinct keyed hashes; see residents_basis)",
        "  Types of PI:                 " + (", ".join(f"{e} ({n})" for e, n in result["pi_types"].items()) or "none"),
        f"  SSNs involved:               {'yes' if result['ssn_involved'] else 'no'} -> {result['credit_monitoring']}",
        f"  Encryption:                  {enc['encrypted_128_bit_or_more']} encrypted (>=128-bit), "
        f"{enc['weakly_encrypted']} weakly encrypted, {enc['unencrypted']} unencrypted",
        f"  First seen / last seen:      {result['first_seen'] or '-'} / {result['last_seen'] or '-'}",
        "  Notify:                      " + (", ".join(result["notify"]) or "nobody under 93H (all encrypted)"),
    ]
    for item in result["item_list"]:
        lines.append(f"    {item['uri']}  {'encrypted' if item['encrypted'] else 'unencrypted'}  "
                     + ", ".join(f"{e} {n}" for e, n in item["findings"].items()))
    return "\n".join(lines) + "\n"
