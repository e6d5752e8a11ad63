"""How findings are kept: one row per distinct value of an entity in an item, not one per occurrence.

A roster-heavy share yields millions of findings, most of them the same value again (a school's phone
number on every page, a teacher's name on every row). The store keeps, per item, entity, value hash and
roster subject, one row with the number of occurrences, the highest score, the first occurrence's
preview, recognizer and offsets, and its locations: every distinct locator (``row 3``, ``page 2``) with
the position of its first occurrence among the item's findings. That is all the outputs read:

* the scan's JSON lists per entity its count, highest score and first 20 distinct locations in the
  order they occur (CONTRACT.md section 2);
* review lists per value its count, highest score, first 5 distinct locations and first preview;
* reports count people per table row (dlp/report/data.py), which is why every distinct locator is
  kept, not only the first few: a repeated value's later rows can hold a person no other value names.

Positions make the merge of several values' locations into an entity's list exact: an entity's first
N distinct locators are each among the first N distinct locators of the value they first occur with,
and their first positions order them. A value repeated in one place (a log naming one account on every
line of one page) keeps one locator however many times it occurs.

The grouping runs in the workers (:func:`group`, :func:`with_grouped`): a result crosses back to the
scanning process as value rows and per-entity summaries (:class:`~dlp.types.GroupedFindings`), which the
store loads and the outputs print, so that process handles no object per occurrence.

No raw value is kept here either: the hash is the keyed hash of the finding, the preview is masked.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from json.encoder import encode_basestring as _quoted
from operator import attrgetter
from typing import Any

from dlp.types import EntityFindings, Finding, GroupedFindings, ItemResult, ValueRow

# The columns of a finding row, in the order of :func:`value_rows` and the bulk loaders.
COLUMNS = ("item", "entity", "value_hash", "subject", "occurrences", "score", "preview", "recognizer", "start",
           "end", "locations", "run_id")


_key = attrgetter("entity", "value_hash", "subject")  # what makes a value row, as one C call


@dataclass(frozen=True, slots=True)
class Located:
    """One distinct place of a stored value: its locator and where among the item's findings it came first."""

    position: int
    locator: str


# How many distinct locations the outputs list per entity (CONTRACT.md section 2).
MAX_LOCATIONS = 20


def group(findings: Sequence[Finding]) -> GroupedFindings:
    """An item's findings as value rows (in :data:`COLUMNS` order without item and run, ``locations``
    encoded, in the order their values first occur) and as per-entity summaries for the outputs.

    Runs in the workers, once per item (:func:`dlp.worker.process_item_grouped`); only results made in the
    main process itself (store copies, tests) are grouped there.
    """
    # One pass, one dict lookup per finding and value: the row itself is the group (most values occur
    # once, in one place: no second structure for them).
    rows: dict[tuple[str, str, str | None], list[Any]] = {}
    places: dict[tuple[str, str, str | None], dict[str, int]] = {}  # values found in more than one place
    # Per entity: [count, highest score, first distinct locators, distinct values (--show-values)].
    entities: dict[str, list[Any]] = {}
    for position, (key, f) in enumerate(zip(map(_key, findings), findings, strict=True)):
        summary = entities.get(f.entity)
        if summary is None:
            summary = entities[f.entity] = [0, 0.0, [], {}]
        summary[0] += 1
        if f.score > summary[1]:
            summary[1] = f.score
        if len(summary[2]) < MAX_LOCATIONS and f.locator not in summary[2]:
            summary[2].append(f.locator)
        if f.value is not None:
            summary[3].setdefault(f.value)
        row = rows.get(key)
        if row is None:
            # The first occurrence's position and locator sit in the locations column until encoded.
            rows[key] = [f.entity, f.value_hash, f.subject, 1, f.score, f.preview, f.recognizer, f.start, f.end,
                         (position, f.locator)]
            continue
        row[3] += 1
        if f.score > row[4]:
            row[4] = f.score
        first = row[9]
        if f.locator != first[1]:
            seen = places.get(key)
            if seen is None:
                places[key] = {first[1]: first[0], f.locator: position}
            elif f.locator not in seen:
                seen[f.locator] = position
    for key, row in rows.items():
        seen = places.get(key)
        row[9] = encode_locations(seen) if seen else f"[[{row[9][0]},{_quoted(row[9][1])}]]"
    return GroupedFindings(
        rows=tuple(map(tuple, rows.values())),
        entities=tuple(EntityFindings(entity, count, score, tuple(located), tuple(values))
                       for entity, (count, score, located, values) in entities.items()))


def grouped(result: ItemResult) -> GroupedFindings | None:
    """An item result's findings grouped (None when it has none): as its worker sent them, or grouped here."""
    if result.grouped is not None:
        return result.grouped
    return group(result.findings) if result.findings else None


def with_grouped(result: ItemResult) -> ItemResult:
    """``result`` with its findings grouped in place of the per-occurrence ones (what a worker sends)."""
    if not result.findings:
        return result
    return replace(result, findings=(), grouped=group(result.findings))


def value_rows(findings: Sequence[Finding], item: int, run_id: int) -> list[tuple[Any, ...]]:
    """The findings of item row ``item`` as rows in :data:`COLUMNS` order."""
    return [(item, *row, run_id) for row in group(findings).rows]


def encode_locations(places: Mapping[str, int]) -> str:
    """``{locator: first position}`` (in first-occurrence order) as the stored JSON text,
    ``[[0,"body"],[7,"row 3"]]``."""
    # Assembled around the C string encoder json.dumps itself uses: json.dumps of a list cost more than
    # the rest of writing a finding row (one call per distinct value of a scan).
    return "[" + ",".join(f"[{position},{_quoted(locator)}]" for locator, position in places.items()) + "]"


def decode_locations(text: str | None) -> list[Located]:
    """The stored locations of a value row, in the order they first occur."""
    return [Located(int(position), str(locator)) for position, locator in json.loads(text or "[]")]


def first_locators(located: Iterable[Located], limit: int) -> list[str]:
    """The first ``limit`` distinct locators of several value rows of one item, in the order they occur."""
    out: list[str] = []
    for place in sorted(located, key=lambda p: p.position):
        if place.locator not in out:
            out.append(place.locator)
            if len(out) >= limit:
                break
    return out


def from_rows(rows: Sequence[Mapping[str, Any]]) -> GroupedFindings | None:
    """One item's stored value rows, in the order they were written, grouped as :func:`group` groups the
    findings they came from (None for no rows): for judgements copied from the store (deduplicated items,
    ``--all-items``), which then go to the store and the outputs with no object per occurrence.

    The rows are kept as they are; per entity the occurrences add up, the highest score is the highest
    row's, and the first distinct locators are the first of the rows' locations by position (the module
    docstring says why that is exact). The same as ``group(expand(rows))``, without building either.
    """
    if not rows:
        return None
    values: list[ValueRow] = []
    entities: dict[str, list[Any]] = {}  # entity -> [occurrences, highest score, located]
    for row in rows:
        values.append((row["entity"], row["value_hash"], row["subject"], int(row["occurrences"]), row["score"],
                       row["preview"], row["recognizer"], row["start"], row["end"], row["locations"]))
        summary = entities.get(row["entity"])
        if summary is None:
            summary = entities[row["entity"]] = [0, 0.0, []]
        summary[0] += int(row["occurrences"])
        summary[1] = max(summary[1], row["score"])
        summary[2] += decode_locations(row["locations"]) or [Located(0, "")]
    return GroupedFindings(
        rows=tuple(values),
        entities=tuple(EntityFindings(entity, count, score, tuple(first_locators(located, MAX_LOCATIONS)))
                       for entity, (count, score, located) in entities.items()))


def expand(rows: Iterable[Mapping[str, Any]]) -> tuple[Finding, ...]:
    """One item's value rows back as findings, for results read from the store (deduplicated copies,
    ``--all-items``): ``occurrences`` findings per row, each distinct locator at its first position and the
    other occurrences at the value's own first locator, every one with the value's highest score.

    Counted, scored and listed per entity (dlp/output.py), these give what the original findings gave;
    written again, they give the same rows.
    """
    placed = [_row_findings(order, row) for order, row in enumerate(rows)]
    # Each row's findings come in position order; merging keeps the item's order across values.
    return tuple(f for *_, f in heapq.merge(*placed))


def _row_findings(order: int, row: Mapping[str, Any]) -> Iterator[tuple[int, int, int, Finding]]:
    """A row's findings keyed for the merge: (position, row, n-th of the row, finding)."""
    places = decode_locations(row["locations"])
    if not places:  # never written so; a row from elsewhere still counts
        places = [Located(0, "")]

    def make(locator: str) -> Finding:
        return Finding(entity=row["entity"], score=row["score"], locator=locator, start=row["start"],
                       end=row["end"], preview=row["preview"], value_hash=row["value_hash"],
                       recognizer=row["recognizer"], subject=row["subject"])

    first = places[0]
    repeats = int(row["occurrences"]) - len(places)
    # The repeats sit right after the first occurrence: they add no locator, so where exactly they
    # occurred does not matter to any output.
    for n in range(repeats + 1):
        yield first.position, order, n, make(first.locator)
    for n, place in enumerate(places[1:], start=repeats + 1):
        yield place.position, order, n, make(place.locator)


__all__ = ["COLUMNS", "MAX_LOCATIONS", "Located", "decode_locations", "encode_locations", "expand",
           "first_locators", "from_rows", "group", "grouped", "value_rows", "with_grouped"]
