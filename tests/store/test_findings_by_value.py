"""Findings stored one row per distinct value (issue 15): what the scan's JSON, review and reports show is what
one row per occurrence showed, on SQLite and on PostgreSQL, for stores written now and for stores an older
scanner left (migrated on open).

The expectations are computed here from the original findings with the rules of one row per occurrence:
per entity the count, highest score and first 20 distinct locations in order (dlp/output.py); per reviewed
value its count, highest score, first preview and first 5 distinct locations; people counted per table row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from dlp.output import item_record
from dlp.report.data import (
    MA_PI_ENTITIES,
    STAFF_ID_ENTITIES,
    STUDENT_ID_ENTITIES,
    PersonFinding,
    distinct_people,
    load_items,
    people_affected,
)
from dlp.review import current_findings, finding_key
from dlp.store import migrations
from dlp.store.db import Store, normalize_url
from dlp.store.findings import COLUMNS, decode_locations, expand, value_rows
from dlp.store.schema import findings as findings_table
from dlp.types import Finding, ItemRef, ItemResult, Status
from tests.store.legacy import create_at, write_legacy

SOURCE = "local:/srv/share"


def _finding(entity: str, value: str, locator: str, n: int, score: float = 0.9, subject: str | None = None,
             preview: str | None = None) -> Finding:
    # value_hash stands in for the keyed hash; the "value" here is a synthetic label, never stored anyway.
    return Finding(entity=entity, score=score, locator=locator, start=n * 10, end=n * 10 + 9,
                   preview=preview or f"***{value[-2:]}", value_hash=f"hash-{value}", recognizer="test",
                   subject=subject)


def _roster() -> tuple[Finding, ...]:
    """A roster table: per row a student ID and name, a teacher's name on every row (so one value in 30 rows),
    the school's phone repeated; a row with only the teacher's name; then a note in the body naming one
    student three times, a value found by a roster subject and without one, and locators with characters
    that need escaping."""
    out: list[Finding] = []
    n = 0
    for row in range(2, 32):
        loc = f"table row {row}"
        out += [_finding("MA_SASID", f"10000000{row:02}", loc, n, 1.0),
                _finding("PERSON", f"student-{row}", loc, n + 1, 0.85 + (row % 3) / 100),
                _finding("PERSON", "teacher-okafor", loc, n + 2, 0.8 if row % 2 else 0.9),
                _finding("PHONE_NUMBER", "617-555-0100", loc, n + 3, 0.7)]
        n += 4
    out.append(_finding("PERSON", "teacher-okafor", "table row 40", n))  # a row naming no student
    n += 1
    for k in range(3):
        out.append(_finding("PERSON", "student-5", "body", n + k, 0.6 + k / 10))
    n += 3
    out += [_finding("PERSON", "student-7", "body", n, subject="subj-7"),
            _finding("PERSON", "student-7", "page 2", n + 1),
            _finding("US_SSN", "ssn-a", 'sheet "Pay\troll"\n\\ row 1', n + 2, 1.0, preview="***-**-0001"),
            _finding("US_SSN", "ssn-a", "sheet Pay, row 1", n + 3, 1.0, preview="***-**-x001"),
            _finding("US_SSN", "ssn-a", 'sheet "Pay\troll"\n\\ row 1', n + 4, 0.5),
            _finding("EMAIL_ADDRESS", "ops", "Ünïcode part", n + 5)]
    return tuple(out)


def _groups() -> list[list[ItemResult]]:
    """A CSV with the roster, a ZIP whose member holds some of it, and a clean file."""
    roster = _roster()
    csv = ItemResult(ref=ItemRef(source=SOURCE, item_id="hr/roster.csv", uri="/srv/share/hr/roster.csv", size=10),
                     status=Status.SCANNED, content_hash="c-roster", findings=roster, subjects=31,
                     classifications=("EMPLOYEE_PII", "MA_PI", "STUDENT_PII"))
    zip_ref = ItemRef(source=SOURCE, item_id="hr/old.zip", uri="/srv/share/hr/old.zip", size=20)
    top = ItemResult(ref=zip_ref, status=Status.SCANNED, content_hash="c-zip")
    member = ItemResult(ref=ItemRef(source=SOURCE, item_id="hr/old.zip!/r.csv", uri="/srv/share/hr/old.zip!/r.csv"),
                        status=Status.SCANNED, parent_uri=zip_ref.uri, findings=roster[:41],
                        classifications=("STUDENT_PII",))
    clean = ItemResult(ref=ItemRef(source=SOURCE, item_id="menu.txt", uri="/srv/share/menu.txt", size=5),
                       status=Status.SCANNED, content_hash="c-menu")
    return [[csv], [top, member], [clean]]


def _old_review(groups: list[list[ItemResult]]) -> dict[str, dict[str, Any]]:
    """Review's listing with one row per occurrence (dlp/review.py before findings by value)."""
    out: dict[str, dict[str, Any]] = {}
    for r in sorted((r for g in groups for r in g), key=lambda r: r.ref.uri):
        for f in r.findings:
            key = finding_key(r.ref.source, r.ref.item_id, f.entity, f.value_hash)
            e = out.setdefault(key, {"key": key, "uri": r.ref.uri, "entity": f.entity, "preview": f.preview,
                                     "count": 0, "locations": [], "score": 0.0, "remediation": None})
            e["count"] += 1
            e["score"] = max(e["score"], f.score)
            if f.locator not in e["locations"] and len(e["locations"]) < 5:
                e["locations"].append(f.locator)
    return out


def _old_people(store: Store, groups: list[list[ItemResult]]) -> dict[str, int]:
    """people_affected with one person finding per occurrence."""
    ids = {i.uri: i.id for i in load_items(store)}
    results = [r for g in groups for r in g]

    def rows(label: str, entities: tuple[str, ...]) -> list[PersonFinding]:
        return [PersonFinding(ids[r.ref.uri], f.entity, f.locator, f.value_hash, f.subject) for r in results
                if label in r.classifications for f in r.findings if f.entity in entities]

    students = distinct_people(rows("STUDENT_PII", (*STUDENT_ID_ENTITIES, "PERSON")), STUDENT_ID_ENTITIES)
    staff = distinct_people(rows("EMPLOYEE_PII", (*STAFF_ID_ENTITIES, "US_SSN", "PERSON")),
                            (*STAFF_ID_ENTITIES, "US_SSN"))
    residents = distinct_people(rows("MA_PI", MA_PI_ENTITIES), MA_PI_ENTITIES, names_count=False)
    return {"students": len(students), "staff": len(staff), "ma_pi_residents": len(residents)}


def _check_reads(store: Store, run_id: int, groups: list[list[ItemResult]]) -> None:
    """Everything read from the store shows what the original findings showed."""
    original = {r.ref.uri: r for g in groups for r in g}
    listed = {r.ref.uri: r for r in store.run_results(run_id)}
    assert set(listed) == set(original)
    for uri, r in original.items():
        assert item_record(listed[uri])["findings"] == item_record(r)["findings"], uri
    copies = store.copy_judgement(store.judged_by_hash("c-roster", "v") or 0,
                                  ItemRef(source=SOURCE, item_id="copy.csv", uri="/srv/share/copy.csv"))
    assert item_record(copies[0])["findings"] == item_record(original["/srv/share/hr/roster.csv"])["findings"]
    assert current_findings(store) == _old_review(groups)
    counts = {i.uri: i.entity_counts for i in load_items(store)}
    for uri, r in original.items():
        expected: dict[str, int] = {}
        for f in r.findings:
            expected[f.entity] = expected.get(f.entity, 0) + 1
        assert counts[uri] == expected, uri
    people = people_affected(store, load_items(store))
    assert people == _old_people(store, groups)
    assert people["staff"] > 0 and people["students"] > 30  # the checks above compared something


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: an SQLite file, or a new database on the test PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'dlp.sqlite'}"
    else:
        make: Callable[[], str] = request.getfixturevalue("pg_url")
        yield make()


def _row_count(url: str) -> int:
    engine = create_engine(normalize_url(url))
    try:
        with engine.connect() as conn:
            return len(conn.execute(select(findings_table.c.id)).all())
    finally:
        engine.dispose()


def test_values_are_stored_once_and_read_back_as_every_output_showed_them(store_url: str) -> None:
    groups = _groups()
    store = Store(store_url)
    try:
        run = store.start_run([SOURCE], {}, "v")
        store.write(run, "v", groups)
        store.finish_run(run, "completed", {})
        _check_reads(store, run, groups)
    finally:
        store.close()
    distinct = sum(len(value_rows(r.findings, 0, 0)) for g in groups for r in g)
    assert _row_count(store_url) == distinct < sum(len(r.findings) for g in groups for r in g)


def test_a_store_of_one_row_per_occurrence_is_converted_on_open(store_url: str) -> None:
    groups = _groups()
    create_at(store_url, "0004_remediations")
    old_run = write_legacy(store_url, groups)
    assert _row_count(store_url) == sum(len(r.findings) for g in groups for r in g)
    store = Store(store_url)
    try:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one() == migrations.HEAD
        _check_reads(store, old_run, groups)
        # The converted store goes on like a new one: a rescan of the roster replaces its rows.
        run = store.start_run([SOURCE], {}, "v")
        store.write(run, "v", [groups[0]])
        store.finish_run(run, "completed", {})
        names = sum(f.entity == "PERSON" for f in groups[0][0].findings)
        assert {i.uri: i.entity_counts for i in load_items(store)}["/srv/share/hr/roster.csv"]["PERSON"] == names
    finally:
        store.close()
    assert _row_count(store_url) == sum(len(value_rows(r.findings, 0, 0)) for g in groups for r in g)


def test_the_conversion_goes_back_down_to_one_row_per_occurrence(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'dlp.sqlite'}"
    groups = _groups()
    create_at(url, "0004_remediations")
    write_legacy(url, groups)
    per_entity = "SELECT item, entity, count(*), max(score) FROM findings GROUP BY item, entity ORDER BY 1, 2"
    before = sqlite3.connect(tmp_path / "dlp.sqlite").execute(per_entity).fetchall()
    Store(url).close()
    from alembic import command
    from alembic.config import Config

    engine = create_engine(url)
    with engine.begin() as conn:
        config = Config()
        config.set_main_option("script_location", str(migrations.LOCATION))
        config.attributes["connection"] = conn
        command.downgrade(config, "0004_remediations")
    engine.dispose()
    con = sqlite3.connect(tmp_path / "dlp.sqlite")
    after = con.execute(per_entity).fetchall()
    assert after == before
    assert con.execute("SELECT 1 FROM sqlite_master WHERE name = 'ix_findings_hash'").fetchone()


def test_expand_gives_back_counts_scores_and_the_order_of_locations() -> None:
    roster = _roster()
    rows = [dict(zip(COLUMNS, v, strict=True)) for v in value_rows(roster, 1, 1)]
    again = expand(rows)
    assert len(again) == len(roster)
    result = ItemResult(ref=ItemRef(source=SOURCE, item_id="x", uri="x"), status=Status.SCANNED, findings=roster)
    assert item_record(result)["findings"] == item_record(
        ItemResult(ref=result.ref, status=Status.SCANNED, findings=again))["findings"]
    # Written again (a deduplicated copy), the rows are the same but for positions, which keep their order.

    def places(found: tuple[Finding, ...]) -> list[tuple[Any, ...]]:
        return [(*v[:10], [p.locator for p in decode_locations(v[10])]) for v in value_rows(found, 1, 1)]

    assert places(again) == places(roster)


def test_a_batch_naming_an_item_twice_and_a_rescanned_container(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'dlp.sqlite'}")
    try:
        groups = _groups()
        run = store.start_run([SOURCE], {}, "v")
        # The ZIP twice in one batch: the second replaces the first, as two batches would.
        store.write(run, "v", [groups[1], groups[0], groups[1]])
        zip_top, member = groups[1]
        fewer = ItemResult(ref=member.ref, status=Status.SCANNED, parent_uri=member.parent_uri,
                           findings=member.findings[:4])
        other = ItemResult(ref=ItemRef(source=SOURCE, item_id="hr/old.zip!/b.txt", uri="/srv/share/hr/old.zip!/b.txt"),
                           status=Status.SCANNED, parent_uri=zip_top.ref.uri)
        store.write(run, "v", [[zip_top, fewer, other], groups[2]])
        with store.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT id, item_id, parent_id FROM items ORDER BY id").all()
            counts = dict(conn.exec_driver_sql(
                "SELECT items.item_id, sum(occurrences) FROM findings JOIN items ON items.id = findings.item "
                "GROUP BY items.item_id").all())
    finally:
        store.close()
    by_id = {item_id: row_id for row_id, item_id, _ in rows}
    # Row ids follow the batch (containers before their members); members name their container.
    assert [item_id for _, item_id, _ in rows] == ["hr/old.zip", "hr/roster.csv", "hr/old.zip!/r.csv",
                                                   "hr/old.zip!/b.txt", "menu.txt"]
    assert {item_id: parent for _, item_id, parent in rows} == {
        "hr/old.zip": None, "hr/roster.csv": None, "hr/old.zip!/r.csv": by_id["hr/old.zip"], "menu.txt": None,
        "hr/old.zip!/b.txt": by_id["hr/old.zip"]}
    assert counts == {"hr/roster.csv": len(groups[0][0].findings), "hr/old.zip!/r.csv": 4}
