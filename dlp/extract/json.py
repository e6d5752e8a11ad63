"""JSON documents and JSON lines: arrays of records as typed tables, every other leaf with its key path."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, ClassVar

from dlp.detect.tables import type_columns
from dlp.errors import ItemError
from dlp.extract._common import TextBudget, byte_budget, decode_text, read_bounded, rows_to_text
from dlp.extract.base import ExtractContext, Extractor
from dlp.types import Document, Item, Part, Reason

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
# A record array wider than this (after flattening) is not a table anyone exports: its leaves go to text.
_MAX_COLUMNS = 200


class JsonExtractor(Extractor):
    """Reads JSON and JSON lines: arrays of records become tables, the other leaves ``path: value`` lines.

    An SIS or HR export is an array of objects (``{"students": [{"sasid": ..., "first_name": ...}]}``).
    When the records' keys name what they hold (the header aliases of :mod:`dlp.detect.tables`), the
    array becomes a table part ``json students`` with one row per record and one column per flattened
    key (``name.first``, ``guardians[0].phone``): each typed column is then validated cell by cell and
    a record's values are "near" one another, as in a CSV roster, and NER is never run over it. Cells
    of columns with no known type keep their key (``notes: ...``) so that context words still apply.

    Every other leaf keeps its key path (``district: ...``, ``students[3].ssn``) next to its value in
    the ``json`` part, so that a context-word rule sees ``ssn`` beside the number as it would in prose.
    A JSON lines file's records are numbered from 0 like an array's (``[2].ssn``); lines that are not
    JSON are kept verbatim as ``[2]: <text>``.
    """

    name: ClassVar[str] = "json"
    media_types: ClassVar[tuple[str, ...]] = (
        "application/json",
        "application/x-ndjson",
        "application/jsonl",
        "application/json-seq",
        "text/json",
    )
    extensions: ClassVar[tuple[str, ...]] = (".json", ".jsonl", ".ndjson", ".geojson")

    def extract(self, item: Item, ctx: ExtractContext) -> Document:
        """One ``json`` (or ``json lines``) part; raises ItemError(CORRUPT) when nothing parses."""
        data, truncated = read_bounded(item, byte_budget(ctx))
        text, truncated = decode_text(data, ctx.settings.max_text_chars, truncated=truncated)
        media_type = self.media_types[0]
        if not text.strip():
            return Document(media_type=media_type)
        budget = TextBudget(ctx.settings.max_text_chars)
        try:
            value = json.loads(text)
        except RecursionError as exc:
            raise ItemError(Reason.CORRUPT, "JSON nested too deeply") from exc
        except ValueError:
            try:
                lines, records = _json_lines(text, budget)
            except ItemError:
                if not truncated:
                    raise
                # Only a prefix was read (the file is over the text budget), so the document cannot
                # parse: its text is still worth scanning as it is.
                return Document(media_type=media_type, parts=(Part(locator="body", text=text),))
            parts = [Part(locator="json lines", text=lines)] if lines else []
            if records is not None:
                parts.append(records)
            return Document(media_type="application/x-ndjson", parts=tuple(parts))
        tables: list[Part] = []
        out = _join(_leaves(value, "", tables, budget), budget)
        parts = [Part(locator="json", text=out)] if out or not tables else []
        return Document(media_type=media_type, parts=(*parts, *tables))


def _json_lines(text: str, budget: TextBudget) -> tuple[str, Part | None]:
    """Text of a JSON lines file, and its records as a table when they make one.

    Raises ItemError(CORRUPT) when not one line is JSON.
    """
    out: list[str] = []
    parsed: list[tuple[int, Any]] = []
    for index, line in enumerate(line for line in text.splitlines() if line.strip()):
        if budget.exhausted:
            break
        try:
            record = json.loads(line)
        except RecursionError as exc:
            raise ItemError(Reason.CORRUPT, "JSON nested too deeply") from exc
        except ValueError:
            # A cut-off last line or a log line between records: scan it as it is.
            out.append(budget.take(f"[{index}]: {line.strip()}"))
            continue
        parsed.append((index, record))
    if not parsed:
        raise ItemError(Reason.CORRUPT, "neither JSON nor JSON lines")
    table = _records_table("json records", [record for _, record in parsed], budget)
    if table is None:
        for index, record in parsed:
            chunk = _join(_leaves(record, f"[{index}]", [], budget), budget)
            if chunk:
                out.append(chunk)
    return "\n".join(out), table


def _join(leaves: Iterator[str], budget: TextBudget) -> str:
    out: list[str] = []
    for line in leaves:
        piece = budget.take(line + "\n")
        out.append(piece)
        if budget.exhausted:
            break
    return "".join(out).rstrip("\n")


def _leaves(value: Any, root: str, tables: list[Part], budget: TextBudget) -> Iterator[str]:
    """``path: value`` for every string and number leaf, depth first, without recursion.

    An array of records that makes a typed table is appended to ``tables`` instead (its leaves are not
    yielded). An explicit stack because a hostile document nested 100 000 deep would overflow Python's
    stack (json.loads itself accepts depth up to the recursion limit).
    """
    stack: list[tuple[str, Any]] = [(root, value)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            stack.extend(reversed([(_key_path(path, str(k)), v) for k, v in node.items()]))
        elif isinstance(node, list):
            table = _records_table(f"json {path or '$'}", node, budget) if not budget.exhausted else None
            if table is not None:
                tables.append(table)
                continue
            stack.extend(reversed([(f"{path}[{i}]", v) for i, v in enumerate(node)]))
        elif isinstance(node, bool) or node is None:
            continue  # true/false/null carry no identifier
        elif isinstance(node, str):
            if node.strip():
                yield f"{path or '$'}: {node}"
        else:
            yield f"{path or '$'}: {node}"


def _key_path(parent: str, key: str) -> str:
    if _PLAIN_KEY.match(key):
        return f"{parent}.{key}" if parent else key
    return f"{parent}[{json.dumps(key, ensure_ascii=False)}]"


def _records_table(locator: str, records: list[Any], budget: TextBudget) -> Part | None:
    """The records as a table part when every one is an object and a flattened key names a known type.

    Columns are the union of the records' flattened keys in order of appearance. A typed column's cells
    hold the bare value (validated by the column's recognizer); the others hold ``key: value``, so that
    the text engine still sees the key as a context word.
    """
    if not records or not all(isinstance(r, dict) for r in records):
        return None
    flat: list[dict[str, str]] = []
    columns: dict[str, None] = {}
    for record in records:
        cells = dict(_flatten(record))
        columns.update(dict.fromkeys(cells))
        if len(columns) > _MAX_COLUMNS:
            return None
        flat.append(cells)
    header = tuple(columns)
    typed = type_columns(header)
    if not typed:
        return None
    keys = [key.rsplit(".", 1)[-1] for key in header]
    rows: list[tuple[str, ...]] = [header]
    budget.take(" | ".join(header) + "\n")
    for cells in flat:
        if budget.exhausted:
            break
        row = tuple(
            "" if key not in cells else cells[key] if col in typed else f"{keys[col]}: {cells[key]}"
            for col, key in enumerate(header)
        )
        budget.take(" | ".join(row) + "\n")
        rows.append(row)
    frozen = tuple(rows)
    return Part(locator=locator, text=rows_to_text(frozen), rows=frozen, has_header=True)


def _flatten(record: dict[Any, Any]) -> Iterator[tuple[str, str]]:
    """(relative key path, text) for each string and number leaf of one record; cells hold no newline."""
    stack: list[tuple[str, Any]] = [("", record)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            stack.extend(reversed([(_key_path(path, str(k)), v) for k, v in node.items()]))
        elif isinstance(node, list):
            stack.extend(reversed([(f"{path}[{i}]", v) for i, v in enumerate(node)]))
        elif isinstance(node, bool) or node is None:
            continue
        else:
            text = " ".join(str(node).split())
            if text:
                yield path or "$", text
