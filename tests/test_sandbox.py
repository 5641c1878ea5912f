"""End-to-end tests of the sandbox helpdesk over real sockets, through zenpy and requests."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from zenpy import Zenpy
from zenpy.lib.api_objects import Comment, Ticket, User
from zenpy.lib.exception import APIException

from plugin.sandbox import SandboxClient, SandboxConfig, SandboxHandle, start_in_thread
from tests.webhook_receiver import Receiver

TOKEN = "test-token"
SECRET = "whsec-çok-gizli"
BOT = ("bot@sandbox.test/token", TOKEN)
AYSE = ("ayse@sandbox.test/token", TOKEN)


def verify(secret: str, ts: str, raw: bytes, sig: str) -> bool:
    mac = hmac.new(secret.encode(), ts.encode() + raw, hashlib.sha256)
    return hmac.compare_digest(base64.b64encode(mac.digest()).decode(), sig or "")


@pytest.fixture
def sandbox(hook: Receiver) -> Iterator[SandboxHandle]:
    handle = start_in_thread(SandboxConfig(port=0, api_token=TOKEN, webhook_url=hook.url,
                                           webhook_secret=SECRET, webhook_retry_base=0.05))
    yield handle
    handle.stop()


@pytest.fixture
def zen(sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch) -> Zenpy:
    monkeypatch.setenv("ZENPY_FORCE_SCHEME", "http")
    monkeypatch.setenv("ZENPY_FORCE_NETLOC", sandbox.base_url.split("://", 1)[1])
    return Zenpy(subdomain="sandbox", email="bot@sandbox.test", token=TOKEN, disable_cache=True)


def api(sandbox: SandboxHandle, method: str, path: str, auth: tuple[str, str] = BOT,
        **kwargs: Any) -> requests.Response:
    return requests.request(method, f"{sandbox.base_url}/api/v2/{path}", auth=auth, timeout=5,
                            **kwargs)


def new_ticket(sandbox: SandboxHandle, **fields: Any) -> dict[str, Any]:
    payload = {"subject": "Kargo gecikti", "comment": {"body": "Siparişim nerede?",
                                                       "public": True}, **fields}
    response = api(sandbox, "POST", "tickets.json", json={"ticket": payload})
    assert response.status_code == 201, response.text
    return response.json()["ticket"]


def test_create_show_update_private_note_through_zenpy(zen: Zenpy,
                                                       sandbox: SandboxHandle) -> None:
    created = zen.tickets.create(Ticket(
        subject="Fatura hatası", type="question", group_id=11,
        comment=Comment(body="Faturamda iki kez ücret var", public=True),
        requester=User(name="Zeynep Kaya", email="zeynep@example.com", locale="tr")))
    ticket = zen.tickets(id=created.ticket.id)
    assert (ticket.status, ticket.group_id, ticket.type) == ("new", 11, "question")
    assert ticket.description == "Faturamda iki kez ücret var"
    requester = zen.users(id=ticket.requester_id)
    assert (requester.role, requester.iana_time_zone) == ("end-user", "Europe/Istanbul")
    assert ticket.url == f"{sandbox.base_url}/api/v2/tickets/{ticket.id}.json"

    ticket.comment = Comment(html_body="<p>Check <b>invoice</b> &amp; refund</p>", public=False)
    ticket.additional_tags = ["ft_note"]
    audit = zen.tickets.update(ticket)
    assert audit.ticket.tags == ["ft_note"]
    comments = list(zen.tickets.comments(ticket=ticket.id))
    assert [c.public for c in comments] == [True, False]
    assert comments[1].body == "Check invoice & refund"
    assert comments[1].html_body == "<p>Check <b>invoice</b> &amp; refund</p>"
    assert comments[1].author_id == 1
    stats = requests.get(f"{sandbox.base_url}/_sandbox/stats", timeout=5).json()
    assert stats["notes_by_ticket"] == {str(ticket.id): 1}
    assert zen.users.me().email == "bot@sandbox.test"


def test_tags_replace_versus_additional_and_tag_endpoints(sandbox: SandboxHandle) -> None:
    tid = new_ticket(sandbox, tags=["vip", "kargo"])["id"]
    put = api(sandbox, "PUT", f"tickets/{tid}.json", json={"ticket": {
        "additional_tags": ["ft_watch"], "remove_tags": ["kargo"]}})
    assert put.json()["ticket"]["tags"] == ["vip", "ft_watch"]
    put = api(sandbox, "PUT", f"tickets/{tid}", json={"ticket": {"tags": ["only"]}})
    assert put.json()["ticket"]["tags"] == ["only"]
    assert api(sandbox, "PUT", f"tickets/{tid}/tags.json",
               json={"tags": ["a"]}).json() == {"tags": ["only", "a"]}
    assert api(sandbox, "DELETE", f"tickets/{tid}/tags.json",
               json={"tags": ["only"]}).json() == {"tags": ["a"]}
    assert api(sandbox, "POST", f"tickets/{tid}/tags.json",
               json={"tags": ["x", "y"]}).json() == {"tags": ["x", "y"]}


def test_safe_update_conflict_and_strictly_increasing_updated_at(zen: Zenpy) -> None:
    created = zen.tickets.create(Ticket(subject="s", comment=Comment(body="b", public=True)))
    stale = zen.tickets(id=created.ticket.id)
    first = zen.tickets.update(Ticket(id=stale.id, priority="high"))
    second = zen.tickets.update(Ticket(id=stale.id, priority="low"))
    assert stale.updated_at < first.ticket.updated_at < second.ticket.updated_at
    outdated = Ticket(id=stale.id, status="pending")
    outdated.safe_update, outdated.updated_stamp = True, stale.updated_at
    with pytest.raises(APIException) as err:
        zen.tickets.update(outdated)
    assert err.value.response.status_code == 409
    assert err.value.response.json()["error"] == "UpdateConflict"
    fresh = Ticket(id=stale.id, status="pending")
    fresh.safe_update, fresh.updated_stamp = True, second.ticket.updated_at
    assert zen.tickets.update(fresh).ticket.status == "pending"


def test_closed_ticket_rejects_updates_and_allows_follow_up(sandbox: SandboxHandle) -> None:
    tid = new_ticket(sandbox, tags=["vip"])["id"]
    open_tid = new_ticket(sandbox)["id"]
    assert api(sandbox, "PUT", f"tickets/{tid}", json={"ticket": {"status": "closed"}}).ok
    rejected = api(sandbox, "PUT", f"tickets/{tid}", json={"ticket": {
        "comment": {"body": "late", "public": False}}})
    assert rejected.status_code == 422
    assert rejected.json()["details"]["status"][0]["description"] == \
        "Status: closed prevents ticket update"
    follow = new_ticket(sandbox, via_followup_source_id=tid)
    assert follow["tags"] == ["vip"] and follow["via"]["source"]["rel"] == "follow_up"
    bad = api(sandbox, "POST", "tickets", json={"ticket": {
        "comment": {"body": "x", "public": True}, "via_followup_source_id": open_tid}})
    assert bad.status_code == 422


def test_rate_limits_account_budget_and_per_ticket_updates(sandbox: SandboxHandle) -> None:
    tid = new_ticket(sandbox)["id"]
    for n in range(30):
        ok = api(sandbox, "PUT", f"tickets/{tid}", json={"ticket": {"subject": f"s{n}"}})
        assert ok.status_code == 200
    limited = api(sandbox, "PUT", f"tickets/{tid}", json={"ticket": {"subject": "31"}})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert api(sandbox, "PUT", f"tickets/{tid}", auth=AYSE,
               json={"ticket": {"subject": "other agent"}}).status_code == 200

    requests.post(f"{sandbox.base_url}/_sandbox/faults", json={"rate_limit_rpm": 1}, timeout=5)
    over = api(sandbox, "GET", "groups.json")
    assert over.status_code == 429
    assert 1 <= int(over.headers["Retry-After"]) <= 60
    assert over.headers["X-Rate-Limit"] == "1" and over.headers["ratelimit-remaining"] == "0"
    requests.post(f"{sandbox.base_url}/_sandbox/faults", json={"rate_limit_rpm": 700}, timeout=5)
    fine = api(sandbox, "GET", "groups.json")
    short = requests.post(f"{sandbox.base_url}/_sandbox/faults", json={
        "rate_limit_window": 2}, timeout=5).json()
    assert short["rate_limit_window"] == 2
    assert 1 <= int(api(sandbox, "GET", "groups").headers["ratelimit-reset"]) <= 2
    assert fine.status_code == 200 and int(fine.headers["X-Rate-Limit-Remaining"]) < 700
    assert [g["name"] for g in fine.json()["groups"]] == ["Destek", "Fatura", "Teknik", "Lojistik"]


def test_incremental_exports_page_through_all_tickets(sandbox: SandboxHandle, zen: Zenpy) -> None:
    ids = []
    for _ in range(5):
        ids.append(new_ticket(sandbox)["id"])
        requests.post(f"{sandbox.base_url}/_sandbox/time", json={"advance_seconds": 10},
                      timeout=5)
    url: str | None = f"{sandbox.base_url}/api/v2/incremental/tickets.json?start_time=0&per_page=2"
    seen, pages = [], 0
    while url:
        page = requests.get(url, auth=BOT, timeout=5).json()
        pages += 1
        seen += [t["id"] for t in page["tickets"] if t["id"] not in seen]
        url = None if page["end_of_stream"] else page["next_page"]
        assert pages < 10
    assert seen == ids and pages >= 3
    cursor_ids: list[int] = []
    url = f"{sandbox.base_url}/api/v2/incremental/tickets/cursor?start_time=0&per_page=2"
    while url:
        page = requests.get(url, auth=BOT, timeout=5).json()
        cursor_ids += [t["id"] for t in page["tickets"]]
        url = None if page["end_of_stream"] else page["after_url"]
    assert cursor_ids == ids
    assert [t.id for t in zen.tickets.incremental(start_time=0)] == ids

    same_second = [new_ticket(sandbox)["id"] for _ in range(3)]
    start = sandbox.state.tickets[same_second[-1]]["updated_ts"] + 100
    for tid in same_second:
        sandbox.state.tickets[tid]["updated_ts"] = start
    page = api(sandbox, "GET", f"incremental/tickets?start_time={start}&per_page=2").json()
    assert [t["id"] for t in page["tickets"]] == same_second
    assert page["end_time"] == start + 1 and not page["end_of_stream"]


def test_webhooks_are_signed_and_describe_each_change(sandbox: SandboxHandle,
                                                      hook: Receiver) -> None:
    tid = new_ticket(sandbox, group_id=10)["id"]
    api(sandbox, "PUT", f"tickets/{tid}", auth=AYSE, json={"ticket": {
        "status": "solved", "group_id": 11, "comment": {"body": "Çözüldü", "public": True}}})
    assert sandbox.sender.flush(5)
    events = hook.events(tid)
    assert [e["type"].rsplit(".", 1)[1] for e in events] == [
        "created", "comment_added", "status_changed", "group_assignment_changed",
        "agent_assignment_changed"]
    created, comment, status, group, assignee = events
    assert created["detail"]["description"] == "Siparişim nerede?"
    assert created["detail"]["id"] == str(tid) and created["detail"]["status"] == "NEW"
    assert comment["event"]["comment"]["author"] == {"id": "2", "name": "Ayşe Yılmaz",
                                                     "is_staff": True}
    assert status["event"] == {"previous": "NEW", "current": "SOLVED"}
    assert group["event"] == {"previous": "10", "current": "11"}
    assert assignee["event"] == {"previous": None, "current": "2"}
    assert status["detail"]["actor_id"] == "2" and status["zendesk_event_version"] == "2022-11-06"
    invocations = set()
    for received in hook.received:
        h = received["headers"]
        assert h["user-agent"] == "Zendesk Webhook" and h["content-type"] == "application/json"
        assert verify(SECRET, h["x-zendesk-webhook-signature-timestamp"], received["raw"],
                      h["x-zendesk-webhook-signature"])
        assert not verify("wrong", h["x-zendesk-webhook-signature-timestamp"], received["raw"],
                          h["x-zendesk-webhook-signature"])
        invocations.add(h["x-zendesk-webhook-invocation-id"])
    assert len(invocations) == 5


def test_webhook_retries_503_with_retry_after_but_not_other_failures(
        sandbox: SandboxHandle, hook: Receiver) -> None:
    hook.script += [(503, {"Retry-After": "0"}), (200, {})]
    first = new_ticket(sandbox)["id"]
    assert sandbox.sender.flush(5)
    attempts = [r["headers"] for r in hook.received]
    assert len(attempts) == 2
    assert attempts[0]["x-zendesk-webhook-invocation-id"] == \
        attempts[1]["x-zendesk-webhook-invocation-id"]
    hook.script += [(503, {}), (400, {})]
    new_ticket(sandbox)
    new_ticket(sandbox)
    assert sandbox.sender.flush(5)
    assert len(hook.received) == 4
    stats = requests.get(f"{sandbox.base_url}/_sandbox/stats", timeout=5).json()["webhooks"]
    assert (stats["sent"], stats["delivered"], stats["failed"], stats["pending"]) == (4, 1, 2, 0)
    log = requests.get(f"{sandbox.base_url}/_sandbox/webhooks/log", timeout=5).json()
    assert [d["status"] for d in log["deliveries"] if d["ticket_id"] == first] == [503, 200]


def test_webhooks_keep_order_per_ticket(sandbox: SandboxHandle, hook: Receiver) -> None:
    hook.max_delay = 0.03
    flow = ["open", "pending", "hold", "open", "solved"]
    tids = [new_ticket(sandbox, assignee_id=3)["id"] for _ in range(4)]
    for tid in tids:
        for status in flow:
            api(sandbox, "PUT", f"tickets/{tid}", json={"ticket": {"status": status}})
    assert sandbox.sender.flush(5)
    for tid in tids:
        currents = [e["event"]["current"] for e in hook.events(tid)
                    if e["type"].endswith("status_changed")]
        assert currents == ["PENDING", "HOLD", "OPEN", "SOLVED"]


def test_requests_api_as_end_user(sandbox: SandboxHandle) -> None:
    made = api(sandbox, "POST", "users.json", json={"user": {
        "name": "Leyla Əliyeva", "email": "leyla@example.az", "locale": "az"}})
    assert made.status_code == 201 and made.json()["user"]["role"] == "end-user"
    leyla = ("leyla@example.az/token", TOKEN)
    opened = api(sandbox, "POST", "requests.json", auth=leyla, json={"request": {
        "subject": "Sifariş", "comment": {"body": "Sifarişim gəlmədi"}}})
    assert opened.status_code == 201
    request = opened.json()["request"]
    assert request["via"]["channel"] == "web"
    assert request["requester_id"] == made.json()["user"]["id"]
    tid = request["id"]
    assert api(sandbox, "GET", f"tickets/{tid}", auth=leyla).status_code == 403
    api(sandbox, "PUT", f"tickets/{tid}", json={"ticket": {"status": "pending"}})
    reply = api(sandbox, "PUT", f"requests/{tid}.json", auth=leyla, json={"request": {
        "comment": {"body": "Hələ də gözləyirəm"}}})
    assert reply.json()["request"]["status"] == "open"
    api(sandbox, "PUT", f"tickets/{tid}", json={"ticket": {"status": "closed"}})
    assert api(sandbox, "PUT", f"requests/{tid}", auth=leyla, json={"request": {
        "comment": {"body": "?"}}}).status_code == 422
    assert api(sandbox, "GET", "users/me", auth=("nobody@x.test/token", TOKEN)).status_code == 401
    wrong = api(sandbox, "GET", "users/me", auth=("bot@sandbox.test/token", "nope"))
    assert wrong.status_code == 401 and wrong.json() == {"error": "Couldn't authenticate you"}


def test_fault_injection_errors_and_resets(sandbox: SandboxHandle) -> None:
    faults = f"{sandbox.base_url}/_sandbox/faults"
    requests.post(faults, json={"error_rate": 1, "seed": 7}, timeout=5)
    failed = api(sandbox, "GET", "users/me")
    assert failed.status_code in (500, 502, 503) and "error" in failed.json()
    requests.post(faults, json={"error_rate": 0, "reset_rate": 1}, timeout=5)
    with pytest.raises(requests.ConnectionError):
        api(sandbox, "GET", "users/me")
    requests.post(f"{sandbox.base_url}/_sandbox/reset", timeout=5)
    assert api(sandbox, "GET", "users/me").status_code == 200
    assert requests.get(faults, timeout=5).json()["reset_rate"] == 0


def test_comment_cap_and_persistence(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.json"
    config = SandboxConfig(port=0, api_token=TOKEN, persist_path=str(path),
                           persist_debounce_seconds=0.05)
    first = start_in_thread(config)
    tid = new_ticket(first)["id"]
    first.state.comments[tid] += [dict(first.state.comments[tid][0])] * 4999
    capped = api(first, "PUT", f"tickets/{tid}", json={"ticket": {
        "comment": {"body": "one more", "public": False}}})
    assert capped.status_code == 422
    first.stop()
    second = start_in_thread(config)
    try:
        assert api(second, "GET", f"tickets/{tid}").json()["ticket"]["subject"] == "Kargo gecikti"
    finally:
        second.stop()
    assert json.loads(path.read_text(encoding="utf-8"))["tickets"][0]["id"] == tid


def test_client_helpers_show_private_notes(sandbox: SandboxHandle) -> None:
    client = SandboxClient(sandbox.base_url, TOKEN)
    requests.post(f"{sandbox.base_url}/_sandbox/faults", json={"rate_limit_rpm": 1,
                                                               "error_rate": 1}, timeout=5)
    tid = client.create_customer_ticket("Kartım bloke oldu", email="musteri@example.com")
    client.agent_reply(tid, "Kontrol ediyorum", public=False)
    client.set_group(tid, 12, "elvin@sandbox.test")
    client.customer_comment(tid, "Teşekkürler", "musteri@example.com")
    text = client.show(tid)
    assert "Kartım bloke oldu" in text and "group=12" in text
    assert "Ayşe Yılmaz [PRIVATE]" in text and text.count("[PRIVATE]") == 1
    codes = [api(sandbox, "GET", "users/me").status_code for _ in range(2)]
    assert codes[-1] == 429  # the plugin's own API calls stay limited
