"""The store fails under the intake: it answers 503 with Retry-After, never a 2xx for an event it
did not store, and once the store is back every acknowledged event is in the inbox exactly once.

A Zendesk-like sender posts signed events throughout, retrying each until it gets a 2xx.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from tests.conftest import PG_SERVER, PG_SKIP, PG_UP, postgres_url
from tests.faults.common import SCALE, ZendeskSender, check_intake
from tests.stack import Stack, wait_until

BUSY_TIMEOUT = 2.0  # plugin/db.py: connect timeout and PRAGMA busy_timeout
HOLD_SECONDS = BUSY_TIMEOUT + 2.0
PG_RESTART = os.environ.get("FT_FAULTS_PG_RESTART") == "1"


@pytest.fixture
def intake(tmp_path):
    """The plugin's intake on a real socket, no worker, no sandbox webhooks: only our sender."""
    stacks: list[Stack] = []

    def start(database_url: str | None = None) -> Stack:
        stack = Stack(tmp_path, database_url=database_url, webhooks=False, worker=False)
        stacks.append(stack)
        return stack

    yield start
    for stack in stacks:
        stack.close()


def sqlite_path(stack: Stack) -> Path:
    return Path(make_url(stack.settings.database_url).database)


def acked_soon(sender: ZendeskSender, more: int, timeout: float = 30.0) -> None:
    """Wait until MORE events beyond those acknowledged so far have been acknowledged."""
    target = len(sender.acked) + more
    wait_until(lambda: len(sender.acked) >= target, timeout=timeout,
               what=f"{target} acknowledged events")


def test_sqlite_locked_beyond_the_busy_timeout(intake, caplog):
    caplog.set_level(logging.ERROR, logger="plugin.webhooks")
    stack = intake()
    sender = ZendeskSender(stack.url).start()
    try:
        acked_soon(sender, 3)
        for _ in range(SCALE):
            # Another process holds the write lock longer than the plugin will wait for it.
            holder = sqlite3.connect(sqlite_path(stack), timeout=10, isolation_level=None)
            try:
                holder.execute("BEGIN IMMEDIATE")
                refused = sender.count(503)
                wait_until(lambda r=refused: sender.count(503) > r, timeout=HOLD_SECONDS + 10,
                           what="a 503 while the database is locked")
                time.sleep(max(0.0, HOLD_SECONDS - BUSY_TIMEOUT))
            finally:
                holder.execute("ROLLBACK")
                holder.close()
            acked_soon(sender, 3)
    finally:
        sender.stop()
    check_intake(sender, stack.services.engine, "sqlite-locked")
    assert "database is locked" in caplog.text


def test_sqlite_disk_full_then_space_freed(intake, caplog):
    caplog.set_level(logging.ERROR, logger="plugin.webhooks")
    stack = intake()
    engine = stack.services.engine
    cap = {"pages": None, "default": None}

    # max_page_count is per connection and plugin/db.py's connect pragmas don't set it, so it
    # is applied at every checkout of the plugin's own pool: "the disk" is full for the intake.
    @event.listens_for(engine, "checkout")
    def _cap(dbapi_connection, _record, _proxy):
        cursor = dbapi_connection.cursor()
        if cap["default"] is None:
            cap["default"] = cursor.execute("PRAGMA max_page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {cap['pages'] or cap['default']}")
        cursor.close()

    # Rows bigger than a page: each insert needs fresh pages, which the cap refuses.
    sender = ZendeskSender(stack.url, padding=6000).start()
    try:
        acked_soon(sender, 3)
        for _ in range(SCALE):
            cap["pages"] = 1  # SQLite raises it to the current size: no room to grow
            refused = sender.count(503)
            wait_until(lambda r=refused: sender.count(503) >= r + 3, timeout=30,
                       what="503s while the disk is full")
            cap["pages"] = None  # space freed
            acked_soon(sender, 3)
    finally:
        cap["pages"] = None
        sender.stop()
    check_intake(sender, engine, "sqlite-disk-full")
    assert "database or disk is full" in caplog.text


def _pg_case(stack: Stack, fault, case: str) -> None:
    sender = ZendeskSender(stack.url, threads=3, pause=0.1).start()
    try:
        acked_soon(sender, 5)
        for _ in range(SCALE):
            refused = sender.count(503)
            fault()
            wait_until(lambda r=refused: sender.count(503) > r, timeout=30,
                       what="a 503 while PostgreSQL is away")
            acked_soon(sender, 5, timeout=60)
    finally:
        sender.stop()
    check_intake(sender, stack.services.engine, case)


def _named_postgres_url() -> tuple[str, str]:
    name = f"ft_faults_{uuid.uuid4().hex[:10]}"
    return f"{postgres_url()}&application_name={name}", name


@PG_SKIP
def test_postgres_connections_killed(intake):
    """The plugin's own server connections are terminated under it, again and again: the same
    failure a restart causes, without disturbing anyone else's connections."""
    url, name = _named_postgres_url()
    stack = intake(url)
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")

    def kill() -> None:
        # Keep killing for a moment so requests in flight meet a dead connection too.
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            with admin.connect() as connection:
                connection.execute(text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = :name"), {"name": name})
            time.sleep(0.05)

    try:
        _pg_case(stack, kill, "postgres-connections-killed")
    finally:
        admin.dispose()


@pytest.mark.skipif(not (PG_UP and PG_RESTART),
                    reason="restarts the shared PostgreSQL server: needs it on 127.0.0.1:5432 "
                    "and FT_FAULTS_PG_RESTART=1")
def test_postgres_restarted_mid_run(intake):
    stack = intake(postgres_url())

    def restart() -> None:
        [version] = os.listdir("/etc/postgresql")
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main",
                        "restart"], check=True, timeout=120)

    _pg_case(stack, restart, "postgres-restart")
