"""The store's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

No column holds a raw value: findings keep, per distinct value in an item, the entity, its count, score,
where it was, a masked preview and the keyed hash. ``items`` carries the incremental state (size,
modified time, etag, content hash and the engine version that judged the item) and which runs saw and
examined it.
"""

from __future__ import annotations

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
)

SCHEMA_VERSION = 1

# Row ids: 64-bit on PostgreSQL (a district's findings can pass 2**31 rows); on SQLite an INTEGER PRIMARY
# KEY is already 64-bit and must stay spelled INTEGER to remain the rowid alias (autoincrement).
RowId = BigInteger().with_variant(Integer(), "sqlite")

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
# Monitoring and --resume look runs up by status ("the last completed run", "runs still running").
Index("ix_runs_status", runs.c.status, runs.c.id)

# Which run owns each source. A scan claims its sources in the transaction that records the run, and
# every write of items, unchanged marks and removals checks that the run still holds the claim, so two
# scans of one source can never both write it (the second is refused; a claim whose process is gone or
# whose heartbeat stopped is taken over). The row is deleted when the run ends.
source_claims = Table(
    "source_claims",
    metadata,
    Column("source", String(1024), primary_key=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    Column("pid", Integer),
    Column("host", String(255)),
    Column("claimed_at", Float, nullable=False),
    Column("heartbeat", Float, nullable=False),
)

items = Table(
    "items",
    metadata,
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

# One row per distinct value of an entity in an item (and roster subject), not one per occurrence: its
# number of occurrences, highest score, the first occurrence's preview, recognizer and offsets, and every
# distinct locator with the position of its first occurrence among the item's findings (JSON; see
# dlp/store/findings.py, which also says why every locator is kept).
findings = Table(
    "findings",
    metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("item", RowId, ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    Column("entity", String(64), nullable=False),
    Column("value_hash", String(64), nullable=False),
    Column("subject", String(64)),
    Column("occurrences", Integer, nullable=False),
    Column("score", Float, nullable=False),  # the highest
    Column("preview", String(255), nullable=False),
    Column("recognizer", String(128), nullable=False, default=""),
    # Character offsets of the first occurrence: a streamed multi-GiB file passes 2**31. "end" is
    # reserved in PostgreSQL; SQLAlchemy quotes it, so raw SQL must too.
    Column("start", BigInteger, nullable=False),
    Column("end", BigInteger, nullable=False),
    Column("locations", Text, nullable=False),  # JSON [[position, locator], ...]
    Column("run_id", Integer, nullable=False),
)
Index("ix_findings_item", findings.c.item)
# No index on value_hash: no query looks findings up by value (reports read them by item), and its
# random inserts were most of the store's time at millions of rows (migration 0005 says how much).

errors = Table(
    "errors",
    metadata,
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
    metadata,
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

# Review decisions (dlp/review.py), keyed by a finding identity that does not depend on where in the
# item the value was found: a short hash of (source, item id, entity, value hash), so that a rescan
# that moves a row keeps the decision. ``decision`` is NULL for a finding that was only listed (so that
# its disappearance can be shown as "closed by rescan"). uri/entity/preview (masked) are kept so that
# a closed finding can still be named after its item or value is gone.
reviews = Table(
    "reviews",
    metadata,
    Column("key", String(32), primary_key=True),
    Column("decision", String(16)),  # false_positive | remediated | accepted | NULL (listed, undecided)
    Column("by", String(255)),
    Column("at", Float),
    Column("why", Text),
    Column("basis", Text),  # for accepted: the legal basis, e.g. "FERPA school-official exception"
    Column("closed_run", Integer),  # the first run after which the finding was no longer present
    Column("uri", Text),
    Column("entity", String(64)),
    Column("preview", String(255)),
    Column("listed_at", Float),
)

# Remediation (dlp/remediate/): one row per run of ``remediate`` (mode dry_run | apply | undo; status
# running | completed | failed, where failed means some action failed) and one row per action: the
# item, the rule that flagged it, the action (remove_permission, quarantine, report_only...), its target
# (a permission, a path), the state before and after as JSON (permissions, paths; never content) and its
# outcome (planned | done | failed | skipped | undone). An undo's rows name the row they reverse.
remediation_runs = Table(
    "remediation_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("mode", String(16), nullable=False),
    Column("rule", String(64)),
    Column("source", String(1024)),
    Column("undoes", Integer),
    Column("by", String(255), nullable=False),
    Column("host", String(255)),
    Column("started_at", Float, nullable=False),
    Column("finished_at", Float),
    Column("status", String(16), nullable=False),
)

remediations = Table(
    "remediations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("remediation_runs.id"), nullable=False),
    Column("source", String(1024), nullable=False),
    Column("item_id", String(4096), nullable=False),
    Column("uri", Text, nullable=False),
    Column("rule", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("target", Text),
    Column("before", Text),  # JSON
    Column("after", Text),  # JSON
    Column("status", String(16), nullable=False),
    Column("detail", Text),
    Column("reverses", Integer),  # the row an undo reverses
    Column("by", String(255), nullable=False),
    Column("at", Float, nullable=False),
)
Index("ix_remediations_item", remediations.c.source, remediations.c.item_id)

__all__ = ["SCHEMA_VERSION", "disclosures", "errors", "findings", "items", "metadata", "remediation_runs",
           "remediations", "reviews", "runs", "source_claims", "store_meta"]
