"""End-to-end tests of the sandbox helpdesk speaking Freshdesk API v2, over real sockets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from plugin.sandbox import SandboxClient, SandboxConfig, SandboxHandle, start_in_thread
from tests.webhook_receiver import Receiver

SECRET = "fd-gizli-anahtar"
BOT = ("bot-key", "X")
AYSE = ("ayse-key", "X")


@pytest.fixture
def fd(hook: Receiver) -> Iterator[SandboxHandle]:
    handle = start_in_thread(SandboxConfig(port=0, vendor="freshdesk", webhook_url=hook.url,
                                           webhook_secret=SECRET, webhook_retry_base=0.05))
    yield handle
    handle.stop()


@pytest.fixture
def client(fd: SandboxHandle) -> SandboxClient:
    return SandboxClient(fd.base_url, "unused-zendesk-token")


def api(fd: SandboxHandle, method: str, path: str, auth: tuple[str, str] = BOT,
        **kwargs: Any) -> requests.Response:
    return requests.request(method, f"{fd.base_url}/api/v2/{path}", auth=auth, timeout=5,
                            **kwargs)


def new_ticket(fd: SandboxHandle, **fields: Any) -> dict[str, Any]:
    payload = {"email": "musteri@example.com", "subject": "Kargo gecikti",
               "description": "Siparişim nerede?", **fields}
    response = api(fd, "POST", "tickets", json=payload)
    assert response.status_code == 201, response.text
    return response.json()


def stats(fd: SandboxHandle) -> dict[str, Any]:
    return requests.get(f"{fd.base_url}/_sandbox/stats", timeout=5).json()


def test_api_key_auth_and_agents_me(fd: SandboxHandle) -> None:
    for auth in (("wrong-key", "X"), ("bot@sandbox.test/token", "sandbox-token")):
        denied = api(fd, "GET", "agents/me", auth=auth)
        assert denied.status_code == 401
        assert denied.json() == {"code": "invalid_credentials",
                                 "message": "You have to be logged in to perform this action."}
    assert requests.get(f"{fd.base_url}/api/v2/groups", timeout=5).status_code == 401
    me = api(fd, "GET", "agents/me").json()
    assert me["id"] == 1 and me["contact"]["name"] == "followthrough bot"
    assert me["contact"]["email"] == "bot@sandbox.test"
    assert api(fd, "GET", "agents/me", auth=("ayse-key", "anything")).json()["id"] == 2
    assert [g["name"] for g in api(fd, "GET", "groups").json()] == [
        "Destek", "Fatura", "Teknik", "Lojistik"]
    fields = {f["name"]: f for f in api(fd, "GET", "ticket_fields").json()}
    assert fields["cf_nps_score"]["label"] == "NPS" and "cf_ces_score" in fields
    assert fields["cf_follow_up_at"]["type"] == "custom_date_time"
    assert api(fd, "GET", "tickets/999").status_code == 404


def test_create_show_update_with_freshdesk_rules(fd: SandboxHandle) -> None:
    created = api(fd, "POST", "tickets", json={"email": "a@example.com", "subject": "Fatura",
                                                "description": "İade <b>lütfen</b>"})
    assert created.status_code == 201
    ticket = created.json()
    assert created.headers["Location"].endswith(f"/api/v2/tickets/{ticket['id']}")
    assert (ticket["status"], ticket["priority"], ticket["source"]) == (2, 1, 2)
    assert ticket["description_text"] == "İade lütfen" and ticket["spam"] is False
    assert ticket["custom_fields"] == {"cf_nps_score": None, "cf_ces_score": None,
                                       "cf_follow_up_at": None}
    tid = ticket["id"]
    first = api(fd, "PUT", f"tickets/{tid}", json={
        "tags": ["vip", "iade"], "custom_fields": {"cf_nps_score": 9}, "group_id": 11}).json()
    second = api(fd, "PUT", f"tickets/{tid}", json={
        "tags": ["kargo"], "custom_fields": {"cf_ces_score": 4}, "responder_id": 2}).json()
    assert second["tags"] == ["kargo"]
    assert second["custom_fields"]["cf_nps_score"] == 9
    assert second["custom_fields"]["cf_ces_score"] == 4
    assert (second["group_id"], second["responder_id"]) == (11, 2)
    assert ticket["updated_at"] < first["updated_at"] < second["updated_at"]
    for status in (3, 4, 5, 2):
        assert api(fd, "PUT", f"tickets/{tid}", json={"status": status}).json()["status"] == status
    bad = api(fd, "PUT", f"tickets/{tid}", json={"status": 6})
    assert bad.status_code == 400
    assert bad.json()["description"] == "Validation failed"
    assert bad.json()["errors"][0]["field"] == "status"
    assert bad.json()["errors"][0]["code"] == "invalid_value"
    unknown = api(fd, "PUT", f"tickets/{tid}", json={"custom_fields": {"cf_x": 1}})
    assert unknown.status_code == 400
    assert unknown.json() == {"description": "Validation failed", "errors": [{
        "field": "cf_x", "message": "Unexpected/invalid field in request",
        "code": "invalid_field"}]}
    assert api(fd, "GET", f"tickets/{tid}").json()["status"] == 2
    missing = api(fd, "POST", "tickets", json={"subject": "x", "description": "y"})
    assert missing.json()["errors"][0]["code"] == "missing_field"


def test_notes_private_by_default_reply_public_and_conversation_paging(
        fd: SandboxHandle) -> None:
    tid = new_ticket(fd, status=4)["id"]
    note = api(fd, "POST", f"tickets/{tid}/notes", json={
        "body": "İç not", "notify_emails": ["ayse@sandbox.test"]})
    assert note.status_code == 201
    assert note.json()["private"] is True and note.json()["source"] == 2
    assert note.json()["notified_to"] == ["ayse@sandbox.test"]
    reply = api(fd, "POST", f"tickets/{tid}/reply", auth=AYSE, json={"body": "<p>Merhaba</p>"})
    assert reply.status_code == 201
    body = reply.json()
    assert (body["private"], body["incoming"], body["source"], body["user_id"]) == (
        False, False, 0, 2)
    assert body["body"] == "<p>Merhaba</p>" and body["body_text"] == "Merhaba"
    assert api(fd, "GET", f"tickets/{tid}").json()["status"] == 4
    for n in range(3):
        api(fd, "POST", f"tickets/{tid}/notes", json={"body": f"not {n}", "private": False})
    url: str | None = f"{fd.base_url}/api/v2/tickets/{tid}/conversations?per_page=2"
    pages, seen = 0, []
    while url:
        page = requests.get(url, auth=BOT, timeout=5)
        pages += 1
        seen += [c["body_text"] for c in page.json()]
        url = page.links.get("next", {}).get("url")
    assert pages == 3
    assert seen == ["İç not", "Merhaba", "not 0", "not 1", "not 2"]
    too_big = api(fd, "GET", f"tickets/{tid}/conversations?per_page=101")
    assert too_big.status_code == 400


def test_contacts_with_rails_time_zones(fd: SandboxHandle, client: SandboxClient) -> None:
    zones = {}
    for lang in ("tr", "az", "en"):
        tid = client.create_customer_ticket("Yardım", lang=lang, email=f"{lang}@example.com")
        ticket = api(fd, "GET", f"tickets/{tid}").json()
        assert ticket["source"] == 2
        contact = api(fd, "GET", f"contacts/{ticket['requester_id']}").json()
        zones[lang] = (contact["time_zone"], contact["language"], contact["email"])
    assert zones == {"tr": ("Istanbul", "tr", "tr@example.com"),
                     "az": ("Baku", "az", "az@example.com"),
                     "en": ("Eastern Time (US & Canada)", "en", "en@example.com")}
    made = api(fd, "POST", "contacts", json={"name": "Nigar", "email": "nigar@example.com",
                                             "time_zone": "Baku", "mobile": "+994501234567"})
    assert made.status_code == 201 and made.json()["mobile"] == "+994501234567"
    dup = api(fd, "POST", "contacts", json={"name": "Nigar", "email": "nigar@example.com"})
    assert dup.status_code == 409 and dup.json()["errors"][0]["code"] == "duplicate_value"


def test_rate_limit_429_with_headers(fd: SandboxHandle) -> None:
    ok = api(fd, "GET", "groups")
    assert ok.headers["X-RateLimit-Total"] == "700"
    assert ok.headers["X-RateLimit-Used-CurrentRequest"] == "1"
    assert int(ok.headers["X-RateLimit-Remaining"]) < 700
    requests.post(f"{fd.base_url}/_sandbox/faults", json={"rate_limit_rpm": 1}, timeout=5)
    first = api(fd, "GET", "groups")
    over = api(fd, "GET", "groups")
    assert over.status_code == 429
    assert 1 <= int(over.headers["Retry-After"]) <= 60
    assert over.json()["message"] == "You have exceeded the limit of requests per minute"
    assert (over.headers["X-RateLimit-Total"], over.headers["X-RateLimit-Remaining"]) == (
        "1", "0")
    simulated = api(fd, "GET", "groups", headers={"X-Sandbox-Simulated": "1"})
    assert simulated.status_code == 200
    assert stats(fd)["requests_by_status"]["429"] == [first.status_code, 429].count(429)


def test_webhooks_carry_secret_header_and_id_only_body(fd: SandboxHandle,
                                                       hook: Receiver) -> None:
    tid = new_ticket(fd)["id"]
    api(fd, "PUT", f"tickets/{tid}", json={"tags": ["only-tags"]})
    api(fd, "PUT", f"tickets/{tid}", json={"group_id": 12})
    api(fd, "POST", f"tickets/{tid}/notes", json={"body": "not"})
    assert fd.sender.flush(5)
    assert [r["json"] for r in hook.received] == [
        {"ft_event": "ticket.created", "ticket_id": str(tid)},
        {"ft_event": "ticket.updated", "ticket_id": str(tid)},
        {"ft_event": "ticket.updated", "ticket_id": str(tid)}]
    for received in hook.received:
        headers = received["headers"]
        assert headers["x-followthrough-secret"] == SECRET
        assert headers["content-type"] == "application/json"
        assert not any("signature" in name for name in headers)


def test_webhook_retries_then_gives_up(fd: SandboxHandle, hook: Receiver) -> None:
    hook.script += [(500, {}), (200, {})]
    new_ticket(fd)
    assert fd.sender.flush(5)
    hook.script += [(503, {})] * 4
    new_ticket(fd)
    assert fd.sender.flush(5)
    assert len(hook.received) == 6
    webhooks = stats(fd)["webhooks"]
    assert (webhooks["delivered"], webhooks["failed"], webhooks["retried"]) == (1, 1, 4)


def test_customer_comment_reopens_resolved_ticket(fd: SandboxHandle,
                                                  client: SandboxClient) -> None:
    tid = client.create_customer_ticket("Kargom gelmedi", email="zeynep@example.com")
    assert client.set_group(tid, 13, "elvin@sandbox.test")["group_id"] == 13
    assert client.set_status(tid, "solved", "ayse@sandbox.test")["status"] == 4
    assert client.agent_reply(tid, "Kargo yolda", "ayse@sandbox.test")["status"] == 4
    reopened = client.customer_comment(tid, "Hâlâ gelmedi", "zeynep@example.com")
    assert reopened["status"] == 2
    last = api(fd, "GET", f"tickets/{tid}/conversations").json()[-1]
    assert (last["incoming"], last["private"], last["source"]) == (True, False, 0)
    assert last["user_id"] == reopened["requester_id"]
    assert "[PRIVATE]" not in client.show(tid) and "Hâlâ gelmedi" in client.show(tid)
    with pytest.raises(requests.HTTPError):
        client.customer_comment(tid, "başkası", "someone@example.com")


def test_notes_by_ticket_counts_private_bot_notes(fd: SandboxHandle,
                                                  client: SandboxClient) -> None:
    tid = new_ticket(fd)["id"]
    other = new_ticket(fd)["id"]
    api(fd, "POST", f"tickets/{tid}/notes", json={"body": "bir"})
    api(fd, "POST", f"tickets/{tid}/notes", json={"body": "iki", "private": True})
    api(fd, "POST", f"tickets/{tid}/notes", json={"body": "açık", "private": False})
    api(fd, "POST", f"tickets/{other}/reply", json={"body": "yanıt"})
    client.agent_reply(other, "Ayşe'nin notu", "ayse@sandbox.test", public=False)
    assert stats(fd)["notes_by_ticket"] == {str(tid): 2}
    assert "[PRIVATE]" in client.show(other)


def test_ticket_list_filters_orders_and_pages(fd: SandboxHandle) -> None:
    first = new_ticket(fd, email="liste@example.com")
    ids = [first["id"]] + [new_ticket(fd, requester_id=first["requester_id"])["id"]
                           for _ in range(2)]
    new_ticket(fd, email="baska@example.com")
    api(fd, "PUT", f"tickets/{ids[0]}", json={"priority": 3})
    url: str | None = (f"{fd.base_url}/api/v2/tickets?requester_id={first['requester_id']}"
                       f"&updated_since=2000-01-01T00:00:00Z&order_by=updated_at"
                       f"&order_type=asc&per_page=2")
    seen: list[int] = []
    while url:
        page = requests.get(url, auth=BOT, timeout=5)
        assert all("description" not in t for t in page.json())
        seen += [t["id"] for t in page.json()]
        url = page.links.get("next", {}).get("url")
    assert seen == [ids[1], ids[2], ids[0]]
    by_email = api(fd, "GET", "tickets?email=baska@example.com&include=description").json()
    assert len(by_email) == 1 and by_email[0]["description_text"] == "Siparişim nerede?"
