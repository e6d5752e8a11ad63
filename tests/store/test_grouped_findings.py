"""Findings grouped in the worker (issue 15): a result that crossed from a worker with its findings grouped
(:func:`dlp.store.findings.with_grouped`, pickled as the pool pickles it) stores, lists and prints exactly
what the same result with its findings one by one does, on SQLite and on PostgreSQL.

The expectations are computed here from the findings one by one, with plain loops: the stored rows (one per
entity, value hash and subject: count, highest score, the first occurrence's columns, every distinct locator
at its first position) and the scan's JSON per entity (count, highest score, first 20 distinct locations,
the distinct values with ``--show-values``).
"""

from __future__ import annotations

import io
import json
import pickle
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from dlp.output import JsonlSink, TableSink, item_record
from dlp.store.db import Store, normalize_url
from dlp.store.findings import group, grouped, with_grouped
from dlp.types import Finding, ItemRef, ItemResult, Status
from tests.store.test_findings_by_value import SOURCE, _groups, _roster


def _crossed(groups: list[list[ItemResult]]) -> list[list[ItemResult]]:
    """The results as the pipeline receives them from a worker: grouped there, pickled across."""
    return pickle.loads(pickle.dumps([[with_grouped(r) for r in g] for g in groups]))


def _expected_rows(findings: tuple[Finding, ...]) -> list[tuple[Any, ...]]:
    """The stored columns (but item, run and id) of one item, from its findings one by one."""
    rows: dict[tuple[str, str, str | None], dict[str, Any]] = {}
    for position, f in enumerate(findings):
        row = rows.setdefault((f.entity, f.value_hash, f.subject), {
            "first": f, "count": 0, "score": f.score, "places": {}})
        row["count"] += 1
        row["score"] = max(row["score"], f.score)
        row["places"].setdefault(f.locator, position)
    return [(r["first"].entity, r["first"].value_hash, r["first"].subject, r["count"], r["score"],
             r["first"].preview, r["first"].recognizer, r["first"].start, r["first"].end,
             [[p, loc] for loc, p in r["places"].items()]) for r in rows.values()]


def _expected_record(findings: tuple[Finding, ...], show_values: bool) -> list[dict[str, Any]]:
    """The scan's JSON findings of one item, from its findings one by one."""
    out: dict[str, dict[str, Any]] = {}
    for f in findings:
        e = out.setdefault(f.entity, {"entity": f.entity, "count": 0, "score": 0.0, "locations": [], "values": []})
        e["count"] += 1
        e["score"] = max(e["score"], f.score)
        if f.locator not in e["locations"] and len(e["locations"]) < 20:
            e["locations"].append(f.locator)
        if f.value is not None and f.value not in e["values"]:
            e["values"].append(f.value)
    listed = sorted(out.values(), key=lambda e: (-e["count"], e["entity"]))
    for e in listed:
        if not show_values:
            del e["values"]
    return listed


def _stored(url: str) -> list[tuple[Any, ...]]:
    """Every finding row with its item's URI, in row order, locations decoded."""
    engine = create_engine(normalize_url(url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(
                'SELECT i.uri, f.entity, f.value_hash, f.subject, f.occurrences, f.score, f.preview, f.recognizer, '
                'f.start, f."end", f.locations, f.run_id FROM findings f JOIN items i ON i.id = f.item ORDER BY f.id'
            )).all()
    finally:
        engine.dispose()
    return [(*row[:10], json.loads(row[10]), row[11]) for row in rows]


@pytest.fixture(params=["sqlite", "postgresql"])
def two_stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two empty databases of one kind: SQLite files, or two new databases on the test PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'a.sqlite'}", f"sqlite:///{tmp_path / 'b.sqlite'}"
    else:
        make: Callable[[], str] = request.getfixturevalue("pg_url")
        yield make(), make()


def _write(url: str, groups: list[list[ItemResult]]) -> tuple[list[tuple[Any, ...]], dict[str, Any]]:
    """Write the groups as one run; what is stored, and every item's JSON read back from the store."""
    store = Store(url)
    try:
        run = store.start_run([SOURCE], {}, "v")
        store.write(run, "v", groups)
        store.finish_run(run, "completed", {})
        listed = {r.uri: item_record(r)["findings"] for r in store.run_results(run)}
    finally:
        store.close()
    return _stored(url), listed


def test_grouped_results_store_what_findings_one_by_one_stored(two_stores: tuple[str, str]) -> None:
    groups = _groups()
    # More than one multi-row insert's worth of rows in an item (50), and a value in exactly 50 places.
    many = tuple(Finding(entity="PERSON", score=0.5 + k % 7 / 10, locator=f"row {k % 50}", start=k, end=k + 3,
                         preview="J***", value_hash=f"h{k % 120}", recognizer="names") for k in range(400))
    groups.append([ItemResult(ref=ItemRef(source=SOURCE, item_id="big.csv", uri="/srv/share/big.csv"),
                              status=Status.SCANNED, content_hash="c-big", findings=many)])
    one_by_one, listed = _write(two_stores[0], groups)
    crossed = _crossed(groups)
    assert all(not r.findings for g in crossed for r in g)  # nothing one by one crossed
    assert _write(two_stores[1], crossed) == (one_by_one, listed)
    expected = [(r.uri, *row) for g in groups for r in g for row in _expected_rows(r.findings)]
    assert [row[:11] for row in one_by_one] == expected
    assert len(expected) > 120 and len({row[-1] for row in one_by_one}) == 1
    for g in groups:
        for r in g:
            assert listed[r.uri] == _expected_record(r.findings, False), r.uri


def test_the_outputs_print_grouped_results_as_findings_one_by_one() -> None:
    roster = tuple(f if k % 3 else Finding(f.entity, f.score, f.locator, f.start, f.end, f.preview, f.value_hash,
                                           f.recognizer, f.subject, value=f"value-{k % 11}")
                   for k, f in enumerate(_roster()))
    ref = ItemRef(source=SOURCE, item_id="r.csv", uri="/srv/share/r.csv")
    # 25 distinct places of one entity: the JSON lists the first 20.
    wide = tuple(Finding("US_SSN", 1.0, f"page {k}", k, k + 11, "***", f"s{k % 4}") for k in range(25))
    for findings in (roster, wide):
        result = ItemResult(ref=ref, status=Status.SCANNED, findings=findings, classifications=("STUDENT_PII",))
        [[crossed]] = _crossed([[result]])
        for show_values in (False, True):
            assert item_record(crossed, show_values)["findings"] == _expected_record(findings, show_values)
            assert item_record(crossed, show_values) == item_record(result, show_values)
        out = io.StringIO()
        JsonlSink(out, True).item(crossed)
        assert json.loads(out.getvalue())["findings"] == _expected_record(findings, True)


def test_an_item_without_classification_but_with_findings_gets_a_table_row() -> None:
    ref = ItemRef(source=SOURCE, item_id="n.txt", uri="/srv/share/n.txt")
    [[crossed]] = _crossed([[ItemResult(ref=ref, status=Status.SCANNED, findings=_roster()[:1])]])
    table = TableSink(io.StringIO(), False)
    table.item(crossed)
    table.item(ItemResult(ref=ref, status=Status.SCANNED))
    assert crossed.has_findings and len(table.rows) == 1 and table.clean == 1


def test_a_result_without_findings_crosses_as_it_is() -> None:
    result = ItemResult(ref=ItemRef(source=SOURCE, item_id="c.txt", uri="c.txt"), status=Status.SCANNED)
    assert with_grouped(result) is result and grouped(result) is None and not result.has_findings
    assert group(_roster()) == grouped(ItemResult(ref=result.ref, status=Status.SCANNED, findings=_roster()))


def _shuffled_findings(seed: int) -> tuple[Finding, ...]:
    """Findings of one item in an arbitrary order: values repeated across many places and within one place,
    more than 20 locators for an entity, a value found both with and without a roster subject."""
    import random

    rng = random.Random(seed)
    out: list[Finding] = []
    for n in range(rng.randrange(1, 300)):
        entity = rng.choice(("PERSON", "MA_SASID", "PHONE_NUMBER", "US_SSN"))
        value = rng.randrange(12)
        out.append(Finding(entity=entity, score=rng.choice((0.6, 0.85, 1.0)), locator=f"table row {rng.randrange(40)}",
                           start=n, end=n + 9, preview=f"***{value:02}", value_hash=f"h-{entity}-{value}",
                           recognizer="test", subject=rng.choice((None, f"s-{value}"))))
    return tuple(out)


def test_a_judgement_copied_from_the_store_is_grouped_from_its_rows_as_from_its_findings(tmp_path: Path) -> None:
    """Deduplicated items and ``--all-items`` read value rows back: grouped straight from them
    (:func:`dlp.store.findings.from_rows`), they give the rows and summaries the original findings gave."""
    store = Store(f"sqlite:///{tmp_path / 'dlp.sqlite'}")
    run = store.start_run([SOURCE], {}, "v")
    originals = [*(r for g in _groups() for r in g),
                 *(ItemResult(ref=ItemRef(source=SOURCE, item_id=f"r{seed}.csv", uri=f"/srv/share/r{seed}.csv"),
                              status=Status.SCANNED, content_hash=f"c-r{seed}", findings=_shuffled_findings(seed))
                   for seed in range(30))]
    store.write(run, "v", [[r] for r in originals if r.parent_uri is None])
    copies = {r.ref.item_id: r for r in store.run_results(run)}
    store.close()
    for original in originals:
        if original.parent_uri is not None:
            continue
        copy = copies[original.ref.item_id]
        assert copy.findings == ()
        assert grouped(copy) == (group(original.findings) if original.findings else None)
