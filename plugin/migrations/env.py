"""Alembic environment: runs on the connection handed over by plugin.db.migrate."""

from alembic import context

from plugin.models import Base

connection = context.config.attributes["connection"]


def ours(obj, name, type_, reflected, compare_to) -> bool:
    """APScheduler creates and owns its job table; migrations leave it alone."""
    return not (type_ == "table" and name == "apscheduler_jobs")


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    include_object=ours,
)
with context.begin_transaction():
    context.run_migrations()
