"""The item list as CSV or JSON: classifications, counts of findings by entity and verdicts.

JSON also carries the totals, people counts and the retention list, for scripts; CSV is the item list
only, one row per item, for a spreadsheet.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from typing import IO, Any

CSV_COLUMNS = ("uri", "source", "status", "reason", "classifications", "subjects", "data_categories", "owner",
               "exposure", "recipients", "verdict", "verdict_reasons", "encrypted", "key_bits", "modified",
               "retention_review", "findings_total", "findings", "detail")


def write_csv(report: dict[str, Any], out: IO[str]) -> None:
    """One row per current item; list columns joined with ``;`` and findings as ``ENTITY=N`` pairs."""
    flagged = {r["uri"] for r in report["retention"]["items"]}
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for item in report["items"]:
        rec = item.record()
        writer.writerow([
            rec["uri"], rec["source"], rec["status"], rec["reason"] or "", ";".join(rec["classifications"]),
            rec["subjects"], ";".join(rec["data_categories"]), rec["owner"] or "", ";".join(rec["exposure"]),
            ";".join(rec["recipients"]), rec["verdict"] or "", ";".join(rec["verdict_reasons"]),
            "yes" if rec["encrypted"] else "no", rec["key_bits"] or "", _iso(rec["modified"]),
            "yes" if rec["uri"] in flagged else "no", sum(rec["findings"].values()),
            ";".join(f"{e}={n}" for e, n in rec["findings"].items()), rec["detail"] or "",
        ])


def _iso(ts: float | None) -> str:
    """A modified time as a spreadsheet reads it: ISO 8601 in UTC, to the second (empty when unknown)."""
    if ts is None:
        return ""
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_json(report: dict[str, Any]) -> dict[str, Any]:
    """The whole report as plain JSON data."""
    flagged = {r["uri"] for r in report["retention"]["items"]}
    items = []
    for item in report["items"]:
        rec = item.record()
        rec["retention_review"] = rec["uri"] in flagged
        items.append(rec)
    return {**{k: v for k, v in report.items() if k != "items"}, "items": items}


def write_json(report: dict[str, Any], out: IO[str]) -> None:
    """The JSON report, indented."""
    json.dump(to_json(report), out, indent=2, sort_keys=True)
    out.write("\n")
