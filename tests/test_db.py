"""PostgreSQL connections: pinged after being idle, renewed after a break; inserts autocommit."""

import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from plugin import db
from plugin.db import make_engine, migrate, one_statement, session_factory
from plugin.store import Store
from tests.conftest import PG_SERVER, PG_SKIP, postgres_url

pytestmark = PG_SKIP


@pytest.fixture
def named_store():
    """A store on a fresh schema whose connections carry a name of their own, and a killer."""
    name = f"ft_db_{uuid.uuid4().hex[:10]}"
    engine = make_engine(f"{postgres_url()}&application_name={name}")
    migrate(engine)
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")

    def kill() -> int:
        with admin.connect() as connection:
            return len(connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = :name"), {"name": name}).all())

    yield Store(session_factory(engine)), kill
    admin.dispose()
    engine.dispose()


def test_a_connection_broken_while_idle_is_replaced_before_use(named_store, monkeypatch):
    store, kill = named_store
    store.enqueue("zendesk", "a", "ticket.created", "1", "{}")
    assert store.event(1) is not None
    assert kill() >= 2  # the inserts' connection and the reads' one
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)  # both have been idle long enough
    assert store.enqueue("zendesk", "b", "ticket.created", "1", "{}")[1] is False
    assert [row.delivery_key for row in store.events()] == ["b", "a"]


def test_a_connection_broken_in_use_fails_once_then_the_pool_is_renewed(named_store):
    store, kill = named_store
    store.enqueue("zendesk", "a", "ticket.created", "1", "{}")
    kill()  # just used: not pinged, so the next statement meets the break
    with pytest.raises(SQLAlchemyError):  # the intake answers 503; the sender retries
        store.enqueue("zendesk", "b", "ticket.created", "1", "{}")
    assert store.enqueue("zendesk", "b", "ticket.created", "1", "{}")[1] is False


def test_the_inbox_insert_is_its_own_transaction(named_store):
    store, _ = named_store
    engine = store.engine
    assert one_statement(engine) is one_statement(engine)  # one extra pool per engine
    with one_statement(engine).connect() as connection:
        connection.execute(text("INSERT INTO key_value (key, value) VALUES ('k', 'v')"))
        # No commit: autocommit already made it visible to everyone else.
        assert store.get_value("k") == "v"
