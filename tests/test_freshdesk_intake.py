"""POST /webhooks/freshdesk and the Freshdesk adapter's reading of real recorded shapes."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
import requests

from plugin import create_app
from plugin.helpdesk.freshdesk import describe_error, freshdesk_ticket
from plugin.services import Services
from tests.conftest import make_settings

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "data"
SECRET = "fd-shared-secret"
BODY = json.dumps({"ft_event": "ticket.updated", "ticket_id": "11"}).encode()


@pytest.fixture
def client(tmp_path):
    settings = make_settings(tmp_path, freshdesk_webhook_secret=SECRET)
    services = Services(settings)
    services.migrate()
    client = create_app(settings, services).test_client()
    client.services = services
    return client


def post(client, body=BODY, **headers):
    return client.post("/webhooks/freshdesk", data=body,
                       headers={"Content-Type": "application/json", **headers})


def basic(password: str) -> str:
    return "Basic " + base64.b64encode(f"freshdesk:{password}".encode()).decode()


def test_the_secret_header_or_basic_auth_lets_it_in(client):
    assert post(client, **{"X-Followthrough-Secret": SECRET}).status_code == 202
    assert post(client, Authorization=basic(SECRET)).status_code == 202
    # Freshdesk retries carry no id: both deliveries are kept; the worker dedupes them on
    # (event, ticket, updated_at) after re-reading the ticket.
    assert [e.delivery_key.startswith("unkeyed:") for e in client.services.store.events()] \
        == [True, True]


@pytest.mark.parametrize("headers", [{}, {"X-Followthrough-Secret": "guess"},
                                     {"Authorization": basic("guess")},
                                     {"Authorization": "Basic !!!"}])
def test_anything_else_is_refused(client, headers):
    assert post(client, **headers).status_code == 401
    assert client.services.store.events() == []


@pytest.mark.parametrize("body", [b"{", b'{"ft_event": "ticket.deleted", "ticket_id": "1"}',
                                  b'{"ft_event": "ticket.updated", "ticket_id": "abc"}',
                                  b'{"ft_event": "ticket.updated"}'])
def test_bad_bodies_get_400(client, body):
    assert post(client, body, **{"X-Followthrough-Secret": SECRET}).status_code == 400
    assert client.services.store.events() == []


def test_a_real_freshdesk_without_a_secret_does_not_start():
    from plugin.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="FRESHDESK_WEBHOOK_SECRET"):
        load_settings({"FT_HELPDESK": "freshdesk", "FRESHDESK_DOMAIN": "acme",
                       "FRESHDESK_API_KEY": "k"})


needs_fixtures = pytest.mark.skipif(not FIXTURES.exists(),
                                    reason="../shared/data (the recorded samples) is not beside "
                                    "the checkout")


@needs_fixtures
def test_a_recorded_freshdesk_ticket_reads_as_a_ticket():
    data = json.loads((FIXTURES / "python-freshdesk-fixtures/v2/ticket_1.json").read_text())
    ticket = freshdesk_ticket(data)
    assert (ticket.id, ticket.status, ticket.priority, ticket.channel) == \
        ("1", "open", "low", "web")
    assert ticket.assignee_id == str(data["responder_id"])
    assert ticket.tags == ("foo", "bar")


@needs_fixtures
def test_recorded_webhook_bodies_are_not_our_template_and_get_400(client):
    # Zulip's recorded Freshdesk bodies use placeholders rendered as labels; our rules send ids.
    for path in (FIXTURES / "zulip-webhook-fixtures/freshdesk").glob("*.json"):
        response = post(client, path.read_bytes(), **{"X-Followthrough-Secret": SECRET})
        assert response.status_code == 400, path.name


def test_freshdesk_error_bodies_become_one_line():
    response = requests.Response()
    response.status_code = 400
    response._content = json.dumps({"description": "Validation failed", "errors": [
        {"field": "status", "message": "It should be one of these values: '2,3,4,5'",
         "code": "invalid_value"}]}).encode()
    assert describe_error(response) == ("Validation failed; status: It should be one of "
                                        "these values: '2,3,4,5' (invalid_value)")
