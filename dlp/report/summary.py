"""The numbers every report kind shares, computed once from the store.

Kept apart from the renderers so that the HTML and JSON reports cannot disagree.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from dlp.access.exposure import BUILT_IN, BroadGroups
from dlp.report.data import (
    PI_LABELS,
    Item,
    counter_top,
    load_items,
    load_runs,
    people_affected,
    run_record,
)
from dlp.report.retention import retention_flags
from dlp.store.db import Store

# How bad an exposure is, worst first; the key is the rule name of a verdict reason
# (dlp/policy/exposure.py writes "rule: message").
SEVERITY = {"public-link": 4, "personal-account": 3, "third-party-without-authorization": 3, "unencrypted-93h": 3}
AT_REST_MA_PI = "unencrypted-ma-pi-at-rest"


def exposure_rows(current: list[Item]) -> list[dict[str, Any]]:
    """Items with PI that left the district or hold 93H data unencrypted, worst first."""
    rows = []
    for item in current:
        if not item.has_pi:
            continue
        rules = [r.split(":", 1)[0].strip() for r in item.verdict_reasons]
        if "anyone_with_link" in item.exposure and "public-link" not in rules:
            rules.append("public-link")
        if "MA_PI" in item.classifications and not item.strongly_encrypted and not set(rules) & set(SEVERITY):
            # Not shared out, but 93H data at rest without encryption (201 CMR 17.04 asks for it on
            # portable devices and in transit; a share is where it is copied from). Who inside may read
            # it (broad-access, former-staff-access) is beside the point here: it is still at rest.
            rules.append(AT_REST_MA_PI)
        if not rules:
            continue
        severity = max(SEVERITY.get(r, 1) for r in rules)
        row: dict[str, Any] = {
                     "uri": item.uri, "source": item.source, "severity": severity, "rules": sorted(set(rules)),
                     "reasons": item.verdict_reasons, "verdict": item.verdict,
                     "classifications": item.classifications, "subjects": item.subjects,
                     "exposure": item.exposure, "recipients": item.recipients, "owner": item.owner,
                     "encrypted": item.encrypted, "key_bits": item.key_bits}
        rows.append(row)
    rows.sort(key=lambda r: (-r["severity"], -r["subjects"], r["uri"]))
    return rows


def access_rows(store: Store, current: list[Item], broad: BroadGroups) -> dict[str, Any]:
    """Issue 17's sections: PI readable by everyone, PI reachable by former staff, remediated / pending.

    "Remediated" lists the applied actions still in force (not undone); "pending" the items a remediation
    rule flags that no applied action covers yet (a dry run's plan counts as pending).
    """
    from dlp.remediate.select import (
        everyone_exposure,
        former_staff,
        reachable_by_former_staff,
        readable_by_everyone,
        rules_of,
    )
    from dlp.store.remediations import item_states

    def row(item: Item, **extra: Any) -> dict[str, Any]:
        return {"uri": item.uri, "source": item.source, "classifications": item.classifications,
                "subjects": item.subjects, "owner": item.owner, **extra}

    states = item_states(store)
    remediated = [{"uri": a.uri, "rule": a.rule, "action": a.action, "target": a.target, "run_id": a.run_id,
                   "by": a.by, "at": a.at} for acts in states.values() for a in acts]
    pending = []
    for item in current:
        flagged = sorted(set(rules_of(item, broad)) & {"broad-access", "former-staff-access", "public-link"})
        container = (item.source, item.item_id.split("!/", 1)[0])
        if flagged and not states.get((item.source, item.item_id)) and not states.get(container):
            pending.append(row(item, rules=flagged))
    return {
        "readable_by_everyone": [row(i, exposure=everyone_exposure(i.exposure, broad)) for i in current
                                 if readable_by_everyone(i, broad)],
        "former_staff": [row(i, accounts=former_staff(i.exposure)) for i in current if reachable_by_former_staff(i)],
        "remediated": remediated,
        "pending": pending,
    }


def _group(current: list[Item], key: str) -> list[dict[str, Any]]:
    """Counts per source, folder or owner (``key`` names the Item attribute), most items with PI first."""
    groups: dict[str, dict[str, Any]] = {}
    for item in current:
        name = getattr(item, key) or "(unknown)"
        g = groups.setdefault(name, {"name": name, "items": 0, "with_pi": 0, "findings": 0, "subjects": 0,
                                     **{label: 0 for label in PI_LABELS}})
        g["items"] += 1
        if item.has_pi:
            g["with_pi"] += 1
            g["subjects"] += item.subjects
        g["findings"] += sum(item.entity_counts.values())
        for label in item.classifications:
            if label in g:
                g[label] += 1
    return sorted(groups.values(), key=lambda g: (-g["with_pi"], -g["findings"], g["name"]))


def build(store: Store, retention_years: int, now: float | None = None,
          broad: BroadGroups | None = None) -> dict[str, Any]:
    """Everything the reports show: totals, trend, groups, exposures, coverage, people, retention.

    ``broad`` is ``[access] broad_groups`` (the built-in audiences when not given)."""
    now = now if now is not None else time.time()
    current = load_items(store)
    runs = load_runs(store, limit=20)
    by_status: Counter[str] = Counter(i.status for i in current)
    by_reason: Counter[str] = Counter(f"{i.status}: {i.reason}" for i in current if i.reason)
    by_class: Counter[str] = Counter(c for i in current for c in i.classifications)
    by_entity: Counter[str] = Counter()
    for item in current:
        by_entity.update(item.entity_counts)
    return {
        "generated_at": now,
        "totals": {
            "items": len(current),
            "with_pi": sum(1 for i in current if i.has_pi),
            "findings": sum(by_entity.values()),
            "by_classification": dict(sorted(by_class.items())),
            "by_entity": dict(counter_top(by_entity, 100)),
            "by_status": dict(sorted(by_status.items())),
        },
        "people": people_affected(store, current),
        "trend": [run_record(r) for r in runs],
        "by_source": _group(current, "source"),
        "by_folder": _group([i for i in current if i.has_pi], "folder")[:50],
        "by_owner": _group([i for i in current if i.has_pi], "owner")[:50],
        "exposures": exposure_rows(current),
        "access": access_rows(store, current, broad or BroadGroups.from_config(BUILT_IN)),
        "coverage": {
            "by_reason": dict(counter_top(by_reason, 100)),
            "items": [{"uri": i.uri, "status": i.status, "reason": i.reason, "detail": i.detail} for i in current
                      if i.status != "scanned"][:500],
        },
        "retention": {"years": retention_years, "items": retention_flags(current, retention_years, now)},
        "items": current,
    }
