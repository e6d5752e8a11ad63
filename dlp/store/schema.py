"""The store's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

No column holds a raw value: findings keep the entity, score, where it was, a masked preview and the
keyed hash. ``items`` carries the incremental state (size, modified time, etag, content hash and the
engine version that judged the item) and which runs saw and examined it.
"""

from __future__ import annotations

from sqlalchemy import (
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
)

SCHEMA_VERSION = 1

metadata = MetaData()

store_meta = Table(
    "store_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

runs = Table(
    "runs",
    metadata,
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

items = Table(
    "items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(1024), nullable=False),
    Column("item_id", String(4096), nullable=False),
    Column("uri", Text, nullable=False),
    Column("parent_id", Integer, ForeignKey("items.id", ondelete="CASCADE")),
    Column("size", Integer),
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
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("item", Integer, ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    Column("entity", String(64), nullable=False),
    Column("score", Float, nullable=False),
    Column("locator", String(512), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
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
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
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
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
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

__all__ = ["SCHEMA_VERSION", "disclosures", "errors", "findings", "items", "metadata", "runs", "store_meta"]
