"""Scan output (CONTRACT.md section 2): table, json, jsonl and csv, plus the coverage summary.

Values appear only with ``--show-values``, and only here: the analyst's own output stream.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable
from typing import IO, Any

from dlp.pipeline import ResultSink
from dlp.store.findings import grouped
from dlp.types import ItemResult, Status


def item_record(result: ItemResult, show_values: bool = False) -> dict[str, Any]:
    """The contract's JSON object for one item."""
    found = grouped(result)
    findings: list[dict[str, Any]] = []
    for e in sorted(found.entities if found is not None else (), key=lambda e: (-e.count, e.entity)):
        g: dict[str, Any] = {"entity": e.entity, "count": e.count, "score": e.score, "locations": list(e.locations)}
        if show_values:
            g["values"] = list(e.values)
        findings.append(g)
    record: dict[str, Any] = {
        "uri": result.uri,
        "status": result.status.value,
        "reason": result.reason.value if result.reason else None,
        "classifications": list(result.classifications),
        "subjects": result.subjects,
        "data_categories": list(result.data_categories),
        "owner": result.ref.owner,
        "exposure": list(result.ref.exposure),
        "recipients": list(result.ref.recipients),
        "findings": findings,
    }
    if result.verdict is not None:
        record["verdict"] = result.verdict
        record["verdict_reasons"] = list(result.verdict_reasons)
    if result.detail:
        # Scanned items have one too when read as another format than their name says, or streamed.
        record["detail"] = result.detail
    if result.encrypted:
        record["encrypted"] = True
        record["cipher"] = result.cipher
        record["key_bits"] = result.key_bits
    if result.media_type:
        record["media_type"] = result.media_type
    if result.seconds:
        record["seconds"] = round(result.seconds, 3)
    return record


class JsonlSink:
    """One JSON object per item as it is stored; the summary object last."""

    def __init__(self, out: IO[str], show_values: bool) -> None:
        self.out = out
        self.show_values = show_values

    def item(self, result: ItemResult) -> None:
        """Write one item line."""
        self.out.write(json.dumps(item_record(result, self.show_values)) + "\n")
        self.out.flush()

    def close(self, summary: dict[str, Any]) -> None:
        """Write the summary line."""
        self.out.write(json.dumps({"summary": summary}) + "\n")
        self.out.flush()


class JsonSink:
    """One JSON document: ``{"items": [...], "summary": {...}}``."""

    def __init__(self, out: IO[str], show_values: bool) -> None:
        self.out = out
        self.show_values = show_values
        self.items: list[dict[str, Any]] = []

    def item(self, result: ItemResult) -> None:
        """Keep one item."""
        self.items.append(item_record(result, self.show_values))

    def close(self, summary: dict[str, Any]) -> None:
        """Write the document."""
        json.dump({"items": self.items, "summary": summary}, self.out, indent=2)
        self.out.write("\n")


CSV_COLUMNS = ["uri", "status", "reason", "classifications", "subjects", "owner", "exposure", "recipients",
               "entities", "locations"]


class CsvSink:
    """One CSV row per item; entities as ``US_SSN:3;PERSON:2``. The summary goes to standard error."""

    def __init__(self, out: IO[str], show_values: bool) -> None:
        self.writer = csv.writer(out)
        self.out = out
        self.show_values = show_values
        self.writer.writerow([*CSV_COLUMNS, "values"] if show_values else CSV_COLUMNS)

    def item(self, result: ItemResult) -> None:
        """Write one row."""
        rec = item_record(result, self.show_values)
        row = [
            rec["uri"], rec["status"], rec["reason"] or "", ";".join(rec["classifications"]), rec["subjects"],
            rec["owner"] or "", ";".join(rec["exposure"]), ";".join(rec["recipients"]),
            ";".join(f"{f['entity']}:{f['count']}" for f in rec["findings"]),
            ";".join(sorted({loc for f in rec["findings"] for loc in f["locations"]})),
        ]
        if self.show_values:
            row.append(";".join(v for f in rec["findings"] for v in f.get("values", [])))
        self.writer.writerow(row)

    def close(self, summary: dict[str, Any]) -> None:
        """Print the coverage summary to standard error."""
        self.out.flush()
        print_coverage(summary, sys.stderr)


# Rows of the terminal table in this order: 93H data and what is exposed first, then student records,
# then staff records, then anything else found; items not fully examined last (with --show-incomplete).
_STUDENT = ("STUDENT_SENSITIVE", "STUDENT_PII")
_STAFF = ("EMPLOYEE_PII", "CREDENTIALS")
_NARROW = 60  # below this many columns a table is unreadable anyway: the rows are not squeezed further


def severity(rec: dict[str, Any]) -> int:
    """The rank of an item record in the terminal table: 0 is the worst (shown first)."""
    classes = set(rec["classifications"])
    if "MA_PI" in classes or rec.get("verdict") == "block" or (classes and rec["exposure"]):
        return 0
    if classes & set(_STUDENT):
        return 1
    if classes & set(_STAFF):
        return 2
    if classes or rec["findings"]:
        return 3
    return 4


def shorten_middle(text: str, width: int) -> str:
    """``text`` in at most ``width`` characters, cut in the middle so that the start of the path and the
    file name stay readable (``share/hr/…/2025/payroll.xlsx``)."""
    if len(text) <= width:
        return text
    if width <= 1:
        return "…"[:width]
    # The file name with its slash whole when it leaves room for a few characters of the start.
    name = text[text.rfind("/"):] if "/" in text else text
    tail = name if len(name) <= width - 7 else text[-((width - 1) * 2 // 3):]
    head = text[: width - 1 - len(tail)]
    return f"{head}…{tail}"


class TableSink:
    """A table for a person at a terminal: worst first, one line per item, then the coverage block.

    Items not fully examined (not_examined, error) are one summary line unless ``show_incomplete``;
    clean items are only counted. Paths are shortened in the middle, never wrapped, to fit ``width``
    columns (default: the terminal's width; written to a file or a pipe, as wide as the rows need).
    """

    def __init__(self, out: IO[str], show_values: bool, width: int | None = None,
                 show_incomplete: bool = False) -> None:
        self.out = out
        self.show_values = show_values
        self.width = width
        self.show_incomplete = show_incomplete
        self.rows: list[dict[str, Any]] = []
        self.incomplete: dict[str, int] = {}
        self.clean = 0

    def item(self, result: ItemResult) -> None:
        """Keep items worth a row; count the clean and the incomplete ones."""
        incomplete = result.status is not Status.SCANNED
        if incomplete:
            why = result.reason.value if result.reason else result.status.value
            self.incomplete[why] = self.incomplete.get(why, 0) + 1
        if result.has_findings or result.classifications or (incomplete and self.show_incomplete):
            self.rows.append(item_record(result, self.show_values))
        elif not incomplete:
            self.clean += 1

    def close(self, summary: dict[str, Any]) -> None:
        """Render the table and the summary."""
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        rows = sorted(self.rows, key=lambda r: (severity(r) if r["status"] == "scanned" else 5, -r["subjects"],
                                                -sum(f["count"] for f in r["findings"]), r["uri"]))
        cells = [self._cells(rec) for rec in rows]
        width = self._width(cells)
        others = sum(max((max(len(line) for line in cell[i].split("\n")) for cell in cells), default=0)
                     for i in (1, 2, 3))
        # What the item column may take: the rest of the width after the other columns (which fold, so
        # they are given at most half) and the borders.
        item_width = max(20, width - min(others, width // 2) - 13)
        console = Console(file=self.out, width=width, soft_wrap=False, highlight=False, emoji=False,
                          color_system="auto" if self._is_tty() else None)
        if rows:
            console.print(Text("Items with personal information, worst first"))
            table = Table(expand=False, pad_edge=False)
            table.add_column("item", no_wrap=True, overflow="ellipsis", max_width=item_width)
            longest_class = max((len(c[1]) for c in cells), default=5)
            table.add_column("class", overflow="fold", min_width=min(longest_class, 30))
            table.add_column("people", justify="right", no_wrap=True)
            table.add_column("findings", overflow="fold")
            for cell in cells:
                table.add_row(Text(shorten_middle(cell[0], item_width)), *[Text(c) for c in cell[1:]])
            console.print(table)
        console.print(Text(f"{self.clean} item(s) examined in this run had no findings."))
        if self.incomplete:
            total = sum(self.incomplete.values())
            reasons = ", ".join(f"{why} {n}" for why, n in sorted(self.incomplete.items(), key=lambda kv: -kv[1]))
            hint = "listed above" if self.show_incomplete else "--show-incomplete lists them"
            console.print(Text(f"{total} item(s) not fully examined ({reasons}); {hint}."))
        print_coverage(summary, self.out)

    def _cells(self, rec: dict[str, Any]) -> list[str]:
        classes = " ".join(rec["classifications"])
        found = ", ".join(f"{f['entity']}×{f['count']}" for f in rec["findings"])
        if rec["status"] != "scanned":
            classes = f"{rec['status']} ({rec['reason']})"
            found = rec.get("detail") or found
        if self.show_values:
            values = "; ".join(v for f in rec["findings"] for v in f.get("values", []))
            found += f"\n{values}" if values else ""
        if rec.get("verdict") == "block":
            found += "\nexposed: " + "; ".join(rec.get("verdict_reasons") or rec["exposure"])
        return [rec["uri"], classes, str(rec["subjects"]), found]

    def _is_tty(self) -> bool:
        isatty = getattr(self.out, "isatty", None)
        return bool(isatty and isatty())

    def _width(self, cells: list[list[str]]) -> int:
        """The width asked for, else the terminal's, else (a file, a pipe) as wide as the rows need."""
        if self.width:
            return max(self.width, _NARROW)
        if self._is_tty():
            import shutil

            return max(shutil.get_terminal_size().columns, _NARROW)
        columns = [max((max(len(line) for line in cell[i].split("\n")) for cell in cells), default=0)
                   for i in range(4)]
        return max(80, min(sum(columns) + 13, 400))


def print_coverage(summary: dict[str, Any], out: IO[str]) -> None:
    """The coverage block every run ends with: what was scanned, what was not and why."""
    by_status = summary.get("by_status", {})
    lines = [
        f"Run {summary.get('run_id')} {summary.get('status')}: {summary.get('items', 0)} items "
        f"in {summary.get('seconds', 0)} s",
        f"  scanned: {by_status.get('scanned', 0)}   not examined: {by_status.get('not_examined', 0)}   "
        f"errors: {by_status.get('error', 0)}",
        f"  examined now: {summary.get('examined', 0)}   unchanged: {summary.get('unchanged', 0)}   "
        f"deduplicated: {summary.get('deduplicated', 0)}",
        f"  removed: {summary.get('removed', 0)}   with findings: {summary.get('with_findings', 0)}",
    ]
    if summary.get("reread_for_values"):
        lines.append(f"  read again for their values (--show-values): {summary['reread_for_values']}")
    if summary.get("not_listed"):
        from_store = summary.get("listed_from_store", 0)
        lines.append(f"  this output lists {summary.get('listed', 0)} items and members"
                     + (f" ({from_store} from the store)" if from_store else "")
                     + f"; {summary['not_listed']} judged before are not listed (--all-items lists them)")
    reasons = summary.get("by_reason") or {}
    if reasons:
        lines.append("  by reason: " + ", ".join(f"{k}: {v}" for k, v in sorted(reasons.items())))
    incomplete = {fmt: {s: n for s, n in counts.items() if s != "scanned"}
                  for fmt, counts in (summary.get("by_format") or {}).items()}
    incomplete = {fmt: c for fmt, c in incomplete.items() if c}
    if incomplete:
        lines.append("  not fully examined by format: " + "; ".join(
            f"{fmt} " + ", ".join(f"{s} {n}" for s, n in sorted(c.items())) for fmt, c in sorted(incomplete.items())))
    sources = summary.get("by_source") or {}
    if len(sources) > 1:
        for source, counts in sorted(sources.items()):
            lines.append(f"  {source}: " + ", ".join(f"{s} {n}" for s, n in sorted(counts.items())))
    if summary.get("untexted_pages"):
        lines.append(f"  pages or images without a text layer (not OCRed): {summary['untexted_pages']}")
    out.write("\n".join(lines) + "\n")
    out.flush()


SINKS: dict[str, Callable[[IO[str], bool], ResultSink]] = {
    "jsonl": JsonlSink, "json": JsonSink, "csv": CsvSink, "table": TableSink,
}
