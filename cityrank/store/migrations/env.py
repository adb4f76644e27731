"""Alembic environment of cityrank's store: always run with a connection handed over by
:func:`cityrank.store.engine.migrate` (no alembic.ini, no URL of its own)."""

from alembic import context

from cityrank.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("cityrank's migrations run through cityrank.store.engine.migrate()")
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
with context.begin_transaction():
    context.run_migrations()
