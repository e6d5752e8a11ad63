"""Remediation records (``remediation_runs``, ``remediations``, for dlp/remediate/).

One row per remediation run (a dry run, an apply or an undo: who, when, which rule and source) and one
row per action of it (the item, the rule, the action, the state before and after, the outcome). An undo
run's rows name the row they reverse.

Revision ID: 0004_remediations
Revises: 0003_source_claims
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import Column, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text

revision = "0004_remediations"
down_revision = "0003_source_claims"
branch_labels = None
depends_on = None

# A frozen copy of the tables at this revision (see 0001_baseline for why they are not imported).
_meta = MetaData()
remediation_runs = Table(
    "remediation_runs",
    _meta,
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
    _meta,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("remediation_runs.id"), nullable=False),
    Column("source", String(1024), nullable=False),
    Column("item_id", String(4096), nullable=False),
    Column("uri", Text, nullable=False),
    Column("rule", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("target", Text),
    Column("before", Text),
    Column("after", Text),
    Column("status", String(16), nullable=False),
    Column("detail", Text),
    Column("reverses", Integer),
    Column("by", String(255), nullable=False),
    Column("at", Float, nullable=False),
)
_index = Index("ix_remediations_item", remediations.c.source, remediations.c.item_id)


def upgrade() -> None:
    """Create the tables unless they are there."""
    bind = op.get_bind()
    remediation_runs.create(bind, checkfirst=True)
    remediations.create(bind, checkfirst=True)


def downgrade() -> None:
    """Drop them."""
    bind = op.get_bind()
    remediations.drop(bind, checkfirst=True)
    remediation_runs.drop(bind, checkfirst=True)
