"""POST /webhooks/zendesk: what is stored, what is refused, and with which status."""

import json

import pytest
from sqlalchemy.exc import OperationalError

from plugin import create_app
from tests.conftest import signed, zendesk_event


@pytest.fixture
def client(services):
    return create_app(services.settings, services).test_client()


def post(client, body, **kwargs):
    raw, headers = signed(body, **kwargs)
    return client.post("/webhooks/zendesk", data=raw, headers=headers)


def stored(services):
    return services.store.events(limit=1000)


def test_signed_event_is_stored_before_the_202(client, services):
    response = post(client, zendesk_event("created", 5))
    assert response.status_code == 202
    assert response.json["status"] == "queued"
    [row] = stored(services)
    assert (row.event_type, row.ticket_id, row.status) == ("ticket.created", "5", "pending")


def test_duplicate_delivery_is_acknowledged_once(client, services):
    body = zendesk_event("created", 5, event_id="same-id")
    assert post(client, body).status_code == 202
    again = post(client, body)
    assert again.status_code == 200 and again.json["status"] == "duplicate"
    assert len(stored(services)) == 1


def test_trigger_body_dedupes_on_invocation_id(client, services):
    body = {"ft_event": "ticket.created", "ticket_id": "7", "actor_id": "2",
            "updated_at": "2026-11-22T10:00:00Z"}
    raw, headers = signed(body)
    headers["X-Zendesk-Webhook-Invocation-Id"] = "inv-1"
    assert client.post("/webhooks/zendesk", data=raw, headers=headers).status_code == 202
    raw, headers = signed(body)
    headers["X-Zendesk-Webhook-Invocation-Id"] = "inv-1"
    assert client.post("/webhooks/zendesk", data=raw, headers=headers).status_code == 200
    assert len(stored(services)) == 1


def test_unhandled_event_type_is_recorded_as_ignored(client, services):
    response = post(client, zendesk_event("brand_changed", 5))
    assert response.status_code == 202 and response.json["status"] == "ignored"
    assert stored(services)[0].status == "ignored"


@pytest.mark.parametrize("raw", [b"not json", b"\xff\xfe\x00garbage", b"[1, 2]", b'"text"',
                                 b'{"type": "zen:event-type:ticket.created"}',
                                 b'{"type": "x", "id": "1", "subject": "zen:ticket:1"}'])
def test_bad_bodies_get_400_and_nothing_is_stored(client, services, raw):
    response = post(client, raw)
    assert response.status_code == 400
    assert "error" in response.json
    assert stored(services) == []


def test_wrong_shapes_inside_a_real_envelope_get_400(client, services):
    for detail in ({"tags": "a,b"}, {"id": "abc"}, {"id": "6"}, {"requester_id": {"x": 1}}):
        assert post(client, zendesk_event("created", 5, **detail)).status_code == 400
    assert stored(services) == []


def test_deep_nesting_is_refused_without_a_5xx(client, services):
    raw = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
    response = post(client, raw[: 250 * 1024])
    assert response.status_code == 400
    assert stored(services) == []


def test_oversized_body_gets_413(client, services):
    body = zendesk_event("created", 5, description="x" * (300 * 1024))
    assert post(client, body).status_code == 413
    assert stored(services) == []


def test_wrong_method_gets_405_json(client):
    response = client.get("/webhooks/zendesk")
    assert response.status_code == 405
    assert response.json["error"]
    assert "POST" in response.headers["Allow"]


@pytest.mark.parametrize("headers", [{}, {"X-Zendesk-Webhook-Signature": "x",
                                          "X-Zendesk-Webhook-Signature-Timestamp": "y"}])
def test_unsigned_requests_get_401_and_nothing_is_stored(client, services, headers):
    raw = json.dumps(zendesk_event("created", 5)).encode()
    assert client.post("/webhooks/zendesk", data=raw, headers=headers).status_code == 401
    assert stored(services) == []


def test_forged_signature_gets_401(client, services):
    assert post(client, zendesk_event("created", 5), secret="guessed").status_code == 401
    assert stored(services) == []


def test_store_failure_answers_503_so_the_sender_retries(client, services, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(services.store, "enqueue", broken)
    response = post(client, zendesk_event("created", 5))
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "10"


def test_locked_sqlite_answers_503(client, services):
    # Another connection holds the write lock longer than the busy timeout.
    connection = services.engine.raw_connection()
    cursor = connection.cursor()
    cursor.execute("BEGIN IMMEDIATE")
    try:
        response = post(client, zendesk_event("created", 5))
    finally:
        connection.rollback()
        connection.close()
    assert response.status_code == 503
    assert stored(services) == []
