"""Admin API, health and metrics."""

import pytest

from plugin import create_app
from plugin.services import Services
from tests.conftest import ADMIN, make_settings, signed, zendesk_event
from tests.stack import free_port

AUTH = {"Authorization": f"Bearer {ADMIN}"}


@pytest.fixture
def client(tmp_path):
    # A helpdesk URL where nothing listens, so readiness has something to report.
    settings = make_settings(tmp_path, zendesk_api_url=f"http://127.0.0.1:{free_port()}")
    services = Services(settings)
    services.migrate()
    client = create_app(settings, services).test_client()
    client.services = services
    return client


@pytest.mark.parametrize("path, method", [("/api/tickets/zendesk/1", "get"),
                                          ("/api/events", "get"),
                                          ("/api/jobs/survey:zendesk:1/run", "post"),
                                          ("/api/events/1/replay", "post")])
def test_admin_endpoints_refuse_without_the_token(client, path, method):
    assert getattr(client, method)(path).status_code == 401
    bad = {"Authorization": "Bearer nope"}
    assert getattr(client, method)(path, headers=bad).status_code == 401


def test_ticket_report_has_the_documented_shape(client):
    body = client.get("/api/tickets/zendesk/42", headers=AUTH).json
    assert body == {"vendor": "zendesk", "ticket_id": "42", "language": None, "playbooks": [],
                    "flags": [], "scheduled": [], "surveys": [], "actions": []}
    assert client.get("/api/tickets/other/42", headers=AUTH).status_code == 404


def test_events_listing_and_replay(client):
    services = client.services
    raw, headers = signed(zendesk_event("created", 3))
    client.post("/webhooks/zendesk", data=raw, headers=headers)
    [event] = client.get("/api/events", headers=AUTH).json["events"]
    assert (event["type"], event["status"]) == ("ticket.created", "pending")
    assert client.post(f"/api/events/{event['id']}/replay", headers=AUTH).status_code == 404
    services.store.finish(event["id"], "failed", "boom")
    assert client.get("/api/events?status=failed", headers=AUTH).json["events"][0]["error"] == \
        "boom"
    assert client.post(f"/api/events/{event['id']}/replay", headers=AUTH).status_code == 202


def test_healthz_and_readyz_report_what_is_missing(client):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    # No helpdesk answers on the test settings: not ready, and it says which part.
    assert ready.status_code == 503
    assert "helpdesk" in ready.json["problems"] and "store" not in ready.json["problems"]
    assert "order_problem" in ready.json["playbooks"]["loaded"]


def test_metrics_count_received_events_and_inbox_depth(client):
    raw, headers = signed(zendesk_event("created", 3))
    client.post("/webhooks/zendesk", data=raw, headers=headers)
    text = client.get("/metrics").data.decode()
    assert 'followthrough_events_received_total{type="ticket.created",vendor="zendesk"}' in text
    assert 'followthrough_inbox_events{status="pending"} 1.0' in text
