"""Findings by value: one row per distinct value of an entity in an item, not one per occurrence (issue 15).

Each item's finding rows are read in the order they were written and grouped as a scan now writes them
(``dlp.store.findings.value_rows``): per entity, value hash and roster subject one row with the number of
occurrences, the highest score, the first occurrence's preview, recognizer and offsets, and every
distinct locator with the position of its first occurrence. Counts, scores and locations read the same
afterwards (reports, review, ``--all-items``, deduplicated copies).

The index on the value hash goes: no query used it, and at millions of rows its random inserts were
most of the store's time (3 million rows: 193 s with it, 23 s without, on this project's test machine).

The new table is built beside the old one and renamed over it, in the migration's transaction, so a
store is converted whole or not at all. The conversion calls the grouping of ``dlp.store.findings`` rather
than a copy of it: the stored format is that module's, and a later change of format comes with its own
revision (which must then keep a copy of what this one called).

Revision ID: 0005_findings_by_value
Revises: 0004_remediations
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from alembic import op
from sqlalchemy import BigInteger, Column, Float, ForeignKey, Integer, MetaData, String, Table, Text, insert, select

from dlp.store.findings import COLUMNS, expand, value_rows
from dlp.types import Finding

revision = "0005_findings_by_value"
down_revision = "0004_remediations"
branch_labels = None
depends_on = None

RowId = BigInteger().with_variant(Integer(), "sqlite")
ITEMS_PER_STEP = 1000  # items converted per read, so that a store of millions of rows is never all in memory

def _by_occurrence(name: str) -> Table:
    """A frozen copy of the table before (see 0001_baseline for why tables are not imported), named ``name``;
    the items table is there only for the foreign key."""
    meta = MetaData()
    Table("items", meta, Column("id", RowId, primary_key=True))
    return Table(
        name,
        meta,
        Column("id", RowId, primary_key=True, autoincrement=True),
        Column("item", RowId, ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
        Column("entity", String(64), nullable=False),
        Column("score", Float, nullable=False),
        Column("locator", String(512), nullable=False),
        Column("start", BigInteger, nullable=False),
        Column("end", BigInteger, nullable=False),
        Column("preview", String(255), nullable=False),
        Column("value_hash", String(64), nullable=False),
        Column("recognizer", String(128), nullable=False, default=""),
        Column("subject", String(64)),
        Column("run_id", Integer, nullable=False),
    )


def _by_value(name: str) -> Table:
    """A frozen copy of the table after, named ``name``."""
    meta = MetaData()
    Table("items", meta, Column("id", RowId, primary_key=True))
    return Table(
        name,
        meta,
        Column("id", RowId, primary_key=True, autoincrement=True),
        Column("item", RowId, ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
        Column("entity", String(64), nullable=False),
        Column("value_hash", String(64), nullable=False),
        Column("subject", String(64)),
        Column("occurrences", Integer, nullable=False),
        Column("score", Float, nullable=False),
        Column("preview", String(255), nullable=False),
        Column("recognizer", String(128), nullable=False, default=""),
        Column("start", BigInteger, nullable=False),
        Column("end", BigInteger, nullable=False),
        Column("locations", Text, nullable=False),
        Column("run_id", Integer, nullable=False),
    )


def _steps(table: Table) -> Any:
    """The rows of ``table`` by item, ITEMS_PER_STEP items at a time, each item's rows in id order."""
    bind = op.get_bind()
    last = None
    while True:
        query = select(table.c.item).group_by(table.c.item).order_by(table.c.item).limit(ITEMS_PER_STEP)
        ids = bind.execute(query if last is None else query.where(table.c.item > last)).scalars().all()
        if not ids:
            return
        rows = bind.execute(select(table).where(table.c.item >= ids[0], table.c.item <= ids[-1])
                            .order_by(table.c.item, table.c.id)).mappings()
        yield groupby(rows, key=lambda row: row["item"])
        last = ids[-1]


def _replace(old: str, new: Table, name: str) -> None:
    """Drop table ``old``, give ``new`` its name, and on PostgreSQL the names its own objects had."""
    op.drop_table(old)
    op.rename_table(new.name, name)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f'ALTER SEQUENCE "{new.name}_id_seq" RENAME TO "{name}_id_seq"')
        op.execute(f'ALTER INDEX "{new.name}_pkey" RENAME TO "{name}_pkey"')
        op.execute(f'ALTER TABLE "{name}" RENAME CONSTRAINT "{new.name}_item_fkey" TO "{name}_item_fkey"')


def upgrade() -> None:
    """Group every item's occurrences into value rows, then put the new table in the old one's place."""
    bind = op.get_bind()
    by_value = _by_value("findings_by_value")  # renamed to findings once filled
    by_value.create(bind)
    for step in _steps(_by_occurrence("findings")):
        rows: list[dict[str, Any]] = []
        for item, group in step:
            found = list(group)
            occurrences = [Finding(entity=r["entity"], score=r["score"], locator=r["locator"], start=r["start"],
                                   end=r["end"], preview=r["preview"], value_hash=r["value_hash"],
                                   recognizer=r["recognizer"] or "", subject=r["subject"]) for r in found]
            rows += [dict(zip(COLUMNS, row, strict=True))
                     for row in value_rows(occurrences, item, found[0]["run_id"])]
        if rows:
            bind.execute(insert(by_value), rows)
    _replace("findings", by_value, "findings")
    op.create_index("ix_findings_item", "findings", ["item"])


def downgrade() -> None:
    """One row per occurrence again: each distinct locator at its place, repeats at the value's first."""
    bind = op.get_bind()
    old = _by_occurrence("findings_by_occurrence")
    old.create(bind)
    for step in _steps(_by_value("findings")):
        rows: list[dict[str, Any]] = []
        for item, group in step:
            found = list(group)
            rows += [{"item": item, "entity": f.entity, "score": f.score, "locator": f.locator, "start": f.start,
                      "end": f.end, "preview": f.preview, "value_hash": f.value_hash, "recognizer": f.recognizer,
                      "subject": f.subject, "run_id": found[0]["run_id"]} for f in expand(found)]
        if rows:
            bind.execute(insert(old), rows)
    _replace("findings", old, "findings")
    op.create_index("ix_findings_item", "findings", ["item"])
    op.create_index("ix_findings_hash", "findings", ["value_hash"])
