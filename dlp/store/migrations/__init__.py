"""Alembic migrations of the store, run by ``Store.__init__`` (``upgrade head``) on SQLite and PostgreSQL.

A new schema change is a new file in ``versions/`` (``alembic -c dlp/store/migrations/alembic.ini
revision -m "..."`` writes one) whose ``down_revision`` is the current head; ``HEAD`` below must name it,
so that opening a store that is already up to date costs one query instead of loading Alembic
(``tests/store/test_migrations.py`` checks that the two agree).
"""

from __future__ import annotations

from pathlib import Path

# The newest revision in versions/.
HEAD = "0005_findings_by_value"

LOCATION = Path(__file__).resolve().parent
