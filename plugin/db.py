"""Database engine and migrations: SQLite in WAL mode by default, PostgreSQL by URL."""

from __future__ import annotations

import threading
import time
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from weakref import WeakKeyDictionary

from alembic import command
from alembic.config import Config
from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
READ_ONLY = "ft_read_only"  # execution option of the engine that reader() returns
IDLE_SINCE = "ft_idle_since"  # in a pooled connection's info: when it was checked in
IDLE_PING_SECONDS = 1.0
_WRITE_LOCKS: WeakKeyDictionary = WeakKeyDictionary()
_ONE_STATEMENT: WeakKeyDictionary = WeakKeyDictionary()
_LOCKS_LOCK = threading.Lock()


def utcnow() -> datetime:
    """Naive UTC now, the form every timestamp is stored in."""
    return datetime.now(UTC).replace(tzinfo=None)


def make_engine(url: str, synchronous: str = "NORMAL") -> Engine:
    """An engine for URL; SQLite gets WAL, a busy timeout and the chosen fsync level."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return _server_engine(url)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 2.0, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):  # pragma: no cover - exercised by every test
        # Autocommit while setting pragmas; SQLAlchemy's own transaction handling follows.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA busy_timeout=2000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn):  # pragma: no cover - exercised by every test
        # Take the write lock at BEGIN so two writers never deadlock on lock upgrade; a
        # read-only session begins DEFERRED: in WAL it reads a snapshot and never waits.
        read_only = conn.get_execution_options().get(READ_ONLY)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def write_lock(engine: Engine) -> AbstractContextManager:
    """What this process's writers to ENGINE hold around a transaction.

    SQLite takes one writer at a time, and a writer that finds the file locked sleeps in its
    busy handler's 1-100 ms steps: threads of one process queue on a lock instead, and are woken
    the moment it is free. PostgreSQL locks rows, so its writers need nothing.
    """
    if engine.dialect.name != "sqlite":
        return nullcontext()
    with _LOCKS_LOCK:
        return _WRITE_LOCKS.setdefault(engine, threading.RLock())


def _server_engine(url: str | URL, **options) -> Engine:
    """A pooled engine for a database server whose connections are pinged after being idle.

    A ping at every checkout (pool_pre_ping) is one more round trip per transaction, for a
    break that mostly happens while a connection is idle (a restart, a firewall's timeout).
    A connection that does break in use fails its statement, and SQLAlchemy then replaces
    every pooled connection; the intake answers that request 503 and the sender retries.
    """
    engine = create_engine(url, pool_size=5, max_overflow=10, **options)
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection, record):
        record.info[IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy):
        idle_since = record.info.get(IDLE_SINCE)
        if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError("the pooled connection is gone") from exc  # a fresh one

    return engine


def one_statement(engine: Engine) -> Engine:
    """ENGINE for transactions of one statement: on PostgreSQL an engine of its own whose
    connections autocommit, so the statement is its transaction: one round trip instead of
    BEGIN, statement, COMMIT (and no isolation switch per checkout, as an execution option
    would cost; no rollback at checkin, as no transaction can be left open). SQLite is left
    as it is: its BEGIN IMMEDIATE costs no round trip."""
    if engine.dialect.name == "sqlite":
        return engine
    with _LOCKS_LOCK:
        if engine not in _ONE_STATEMENT:
            _ONE_STATEMENT[engine] = _server_engine(engine.url, isolation_level="AUTOCOMMIT",
                                                    pool_reset_on_return=None)
        return _ONE_STATEMENT[engine]


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def reader(engine: Engine) -> Engine:
    """ENGINE for sessions that only read: on SQLite they skip the write lock (BEGIN IMMEDIATE
    would queue every read behind the writers of all processes)."""
    return engine.execution_options(**{READ_ONLY: True})


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
