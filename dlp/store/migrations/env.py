"""Alembic environment: migrates the connection ``Store`` hands over, against the package's metadata."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from dlp.store.schema import metadata

config = context.config


def _run(connection: object) -> None:
    # render_as_batch: SQLite cannot ALTER most things in place; batch mode copies the table instead.
    context.configure(connection=connection, target_metadata=metadata,  # type: ignore[arg-type]
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():  # pragma: no cover - only for `alembic upgrade --sql`
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    shared = config.attributes.get("connection")
    if shared is not None:
        # Store.__init__ passes its connection, inside its transaction (and, on PostgreSQL, its advisory lock).
        _run(shared)
    else:  # pragma: no cover - the alembic command line, when writing revisions
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
        with engine.begin() as conn:
            _run(conn)
