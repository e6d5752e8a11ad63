"""Source claims (``source_claims``): the run that owns each source, so that two scans of one source
cannot both write it.

Revision ID: 0003_source_claims
Revises: 0002_reviews
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import Column, Float, ForeignKey, Integer, MetaData, String, Table

revision = "0003_source_claims"
down_revision = "0002_reviews"
branch_labels = None
depends_on = None

# A frozen copy of the table at this revision (see 0001_baseline for why it is not imported); the
# foreign key needs the runs table in the same MetaData, so a stub of its key column stands in.
_meta = MetaData()
Table("runs", _meta, Column("id", Integer, primary_key=True))
source_claims = Table(
    "source_claims",
    _meta,
    Column("source", String(1024), primary_key=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    Column("pid", Integer),
    Column("host", String(255)),
    Column("claimed_at", Float, nullable=False),
    Column("heartbeat", Float, nullable=False),
)


def upgrade() -> None:
    """Create the table unless it is there."""
    source_claims.create(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    """Drop it."""
    source_claims.drop(op.get_bind(), checkfirst=True)
