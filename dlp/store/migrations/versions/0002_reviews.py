"""Review decisions (``reviews``, for dlp/review.py).

Created if missing: a working store may already hold it from before migrations existed.

Revision ID: 0002_reviews
Revises: 0001_baseline
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text

revision = "0002_reviews"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None

# A frozen copy of the table at this revision (see 0001_baseline for why it is not imported).
_meta = MetaData()
reviews = Table(
    "reviews",
    _meta,
    Column("key", String(32), primary_key=True),
    Column("decision", String(16)),
    Column("by", String(255)),
    Column("at", Float),
    Column("why", Text),
    Column("basis", Text),
    Column("closed_run", Integer),
    Column("uri", Text),
    Column("entity", String(64)),
    Column("preview", String(255)),
    Column("listed_at", Float),
)


def upgrade() -> None:
    """Create the table unless it is there."""
    reviews.create(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    """Drop it."""
    reviews.drop(op.get_bind(), checkfirst=True)
