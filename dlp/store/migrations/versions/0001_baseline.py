"""Baseline: the store's schema as of the shared-store issue, created or completed in place.

On an empty database this creates every table and index. A store made before migrations existed (by
``create_all`` and the old add-missing-columns stopgap, so it has tables but no ``alembic_version``) is
completed instead: missing tables, nullable columns and indexes are added, and Alembic then records it at
this revision, so later revisions apply to old and new stores alike.

The tables are a frozen copy, not an import of ``dlp.store.schema``: a migration must keep describing the
schema of its own revision after the live metadata has moved on.

Revision ID: 0001_baseline
Revises:
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
)

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None

RowId = BigInteger().with_variant(Integer(), "sqlite")

baseline = MetaData()

store_meta = Table(
    "store_meta",
    baseline,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

runs = Table(
    "runs",
    baseline,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", Float, nullable=False),
    Column("finished_at", Float),
    # running | completed | interrupted | failed
    Column("status", String(16), nullable=False),
    Column("sources", Text, nullable=False),  # JSON list of source keys
    Column("options", Text, nullable=False),  # JSON of the command-line options that matter
    Column("engine_version", String(32), nullable=False),
    Column("pid", Integer),
    Column("host", String(255)),
    Column("summary", Text),  # JSON, written at the end
)
# Monitoring and --resume look runs up by status ("the last completed run", "runs still running").
Index("ix_runs_status", runs.c.status, runs.c.id)

items = Table(
    "items",
    baseline,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("source", String(1024), nullable=False),
    Column("item_id", String(4096), nullable=False),
    Column("uri", Text, nullable=False),
    Column("parent_id", RowId, ForeignKey("items.id", ondelete="CASCADE")),
    Column("size", BigInteger),  # bytes: mailboxes and archives pass 2 GiB
    Column("modified", Float),
    Column("etag", String(255)),
    Column("content_hash", String(64)),
    Column("media_type", String(255)),
    Column("status", String(16), nullable=False),
    Column("reason", String(32)),
    Column("detail", Text),
    Column("classifications", Text, nullable=False, default="[]"),  # JSON list
    Column("subjects", Integer, nullable=False, default=0),
    Column("data_categories", Text),  # JSON list (CONTRACT.md section 6)
    Column("verdict", String(8)),  # allow | block, for items shared or sent outside
    Column("verdict_reasons", Text),  # JSON list of "rule: message"
    Column("owner", String(255)),
    Column("exposure", Text, nullable=False, default="[]"),
    Column("recipients", Text, nullable=False, default="[]"),
    Column("encrypted", Boolean, nullable=False, default=False),
    Column("cipher", String(32)),
    Column("key_bits", Integer),
    Column("untexted_pages", Integer, nullable=False, default=0),
    Column("engine_version", String(32)),
    Column("first_seen_run", Integer, nullable=False),
    Column("last_seen_run", Integer, nullable=False),
    Column("last_scanned_run", Integer),
    Column("removed", Boolean, nullable=False, default=False),
    UniqueConstraint("source", "item_id", name="uq_items_source_item"),
)
Index("ix_items_content_hash", items.c.content_hash)
Index("ix_items_parent", items.c.parent_id)
Index("ix_items_last_seen", items.c.source, items.c.last_seen_run)

findings = Table(
    "findings",
    baseline,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("item", RowId, ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    Column("entity", String(64), nullable=False),
    Column("score", Float, nullable=False),
    Column("locator", String(512), nullable=False),
    # Character offsets: a streamed multi-GiB file passes 2**31. "end" is reserved in PostgreSQL;
    # SQLAlchemy quotes it, so raw SQL must too.
    Column("start", BigInteger, nullable=False),
    Column("end", BigInteger, nullable=False),
    Column("preview", String(255), nullable=False),
    Column("value_hash", String(64), nullable=False),
    Column("recognizer", String(128), nullable=False, default=""),
    Column("subject", String(64)),
    Column("run_id", Integer, nullable=False),
)
Index("ix_findings_item", findings.c.item)
Index("ix_findings_hash", findings.c.value_hash)

errors = Table(
    "errors",
    baseline,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    Column("uri", Text, nullable=False),
    Column("stage", String(32), nullable=False),
    Column("reason", String(32), nullable=False),
    Column("detail", Text),
    Column("at", Float, nullable=False),
)
Index("ix_errors_run", errors.c.run_id)

# FERPA 34 CFR 99.32 / 603 CMR 23.07 record of disclosure, written by the pre-send check
# (dlp/presend/disclosures.py): one row per student per allowed third-party transfer. The student is a
# keyed hash of the student ID (or the roster subject key when the message named no ID), never the ID.
disclosures = Table(
    "disclosures",
    baseline,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("student", String(64), nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("party", String(255)),
    Column("disclosed_on", String(10), nullable=False),  # ISO date
    Column("at", Float, nullable=False),
    Column("data_categories", Text, nullable=False),  # JSON list (CONTRACT.md section 6)
    Column("authorization", String(255)),
    Column("authorization_kind", String(32)),
    Column("message_id", String(998)),
    Column("verdict", String(8), nullable=False),
)
Index("ix_disclosures_student", disclosures.c.student)


def upgrade() -> None:
    """Create what is missing: tables, then (on an older store) nullable columns, then indexes."""
    bind = op.get_bind()
    existing_tables = set(inspect(bind).get_table_names())
    for table in baseline.sorted_tables:
        if table.name not in existing_tables:
            table.create(bind)
            continue
        present = {c["name"] for c in inspect(bind).get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            if not column.nullable:
                raise RuntimeError(
                    f"table {table.name} lacks column {column.name}, which cannot be added in place; "
                    "scan into a new store (--db)"
                )
            op.add_column(table.name, Column(column.name, column.type, nullable=True))
        for index in table.indexes:
            index.create(bind, checkfirst=True)


def downgrade() -> None:
    """Drop everything (the baseline has nothing below it)."""
    bind = op.get_bind()
    for table in reversed(baseline.sorted_tables):
        table.drop(bind, checkfirst=True)
