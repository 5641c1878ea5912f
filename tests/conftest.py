"""Shared fixtures: settings on a fresh database (SQLite, or PostgreSQL when it answers)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text

from plugin.config import Settings
from plugin.services import Services
from plugin.signatures import sign_zendesk_headers
from tests.webhook_receiver import Receiver

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SECRET = "test-webhook-secret"
ADMIN = "test-admin-token"


def postgres_available() -> bool:
    try:
        engine = create_engine(PG_SERVER, connect_args={"connect_timeout": 2})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


PG_UP = postgres_available()
PG_SKIP = pytest.mark.skipif(
    not PG_UP,
    reason="PostgreSQL is not answering on 127.0.0.1:5432; start it with "
    "'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start'",
)


def postgres_url() -> str:
    """A URL whose search_path is a fresh schema, so each test starts empty."""
    schema = f"ft_{uuid.uuid4().hex[:12]}"
    engine = create_engine(PG_SERVER)
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    return f"{PG_SERVER}?options=-csearch_path%3D{schema}"


def make_settings(tmp_path, database_url: str | None = None, **overrides) -> Settings:
    values = {
        "database_url": database_url or f"sqlite:///{tmp_path}/ft.db",
        "var_dir": str(tmp_path / "var"),
        "admin_token": ADMIN,
        "zendesk_webhook_secret": SECRET,
        "playbooks_dir": "playbooks",
        **overrides,
    }
    return Settings(**values)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=PG_SKIP)])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/ft.db"
    return postgres_url()


@pytest.fixture
def settings(tmp_path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def services(settings) -> Services:
    services = Services(settings)
    services.migrate()
    return services


def zendesk_event(kind: str, ticket_id: int, event_id: str | None = None, **detail) -> dict:
    """A Zendesk event-subscribed webhook body, shaped like the real ones (ids as strings)."""
    body = {
        "account_id": 1234567,
        "type": f"zen:event-type:ticket.{kind}",
        "id": event_id or str(uuid.uuid4()),
        "subject": f"zen:ticket:{ticket_id}",
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "zendesk_event_version": "2022-11-06",
        "detail": {
            "id": str(ticket_id), "actor_id": "2", "requester_id": "100", "status": "NEW",
            "priority": "NORMAL", "type": "QUESTION", "subject": "Sipariş", "group_id": "10",
            "description": "Siparişim hâlâ gelmedi", "tags": [], "via": {"channel": "web"},
            "created_at": "2026-11-22T10:00:00Z", "updated_at": "2026-11-22T10:00:00Z",
            **detail,
        },
        "event": {},
    }
    return body


def signed(body: dict | bytes, secret: str = SECRET, when: datetime | None = None):
    """(raw bytes, headers) signed exactly as Zendesk signs."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = sign_zendesk_headers(secret, raw, when or datetime.now(UTC))
    headers["Content-Type"] = "application/json"
    return raw, headers


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    """A local webhook target for the sandbox's own tests, one per test module."""
    rec = Receiver()
    yield rec
    rec.server.shutdown()


@pytest.fixture
def hook(receiver: Receiver) -> Receiver:
    """The receiver, emptied and answering 200 at once."""
    with receiver.lock:
        receiver.received.clear()
        receiver.script.clear()
        receiver.max_delay = 0.0
    return receiver
