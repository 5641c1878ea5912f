"""The same product on both helpdesks: each behaviour end to end through the sandbox, once for
Zendesk (signed event webhooks, zenpy) and once for Freshdesk (id-only automation webhooks with
a shared secret, requests)."""

from __future__ import annotations

import html
import re

import pytest
import requests

from plugin.playbooks import load_playbooks
from tests.conftest import ADMIN
from tests.stack import Stack, wait_until

PLAYBOOKS = load_playbooks("playbooks").playbooks
AGENT = "ayse@sandbox.test"
AUTH = {"Authorization": f"Bearer {ADMIN}"}
ORDER_TR = "Merhaba, 48213977 numaralı siparişim gelmedi, kargo takip numarası çalışmıyor."
LINK = re.compile(r'href="http[^"]+/s/([^"?]+)\?csat=(\d)"')


@pytest.fixture(params=["zendesk", "freshdesk"])
def stack(request, tmp_path):
    stack = Stack(tmp_path, vendor=request.param)
    yield stack
    stack.close()


def bodies(stack: Stack, ticket_id: int) -> list[str]:
    return [html.unescape(n["html_body"]) for n in stack.notes(ticket_id)]


def flags(stack: Stack, ticket_id: int) -> list[str]:
    return [flag["kind"] for flag in stack.report(ticket_id)["flags"]]


def open_ticket(stack: Stack, email: str = "musteri@example.test") -> int:
    ticket_id = stack.client.create_customer_ticket(ORDER_TR, lang="tr", email=email)
    wait_until(lambda: stack.notes(ticket_id), what="the guidance note")
    wait_until(stack.settled, what="the stack to settle")
    return ticket_id


def test_guidance(stack):
    ticket_id = open_ticket(stack)
    [note] = bodies(stack, ticket_id)
    assert PLAYBOOKS["order_problem"].title["tr"] in note
    assert "ft_playbook_order_problem" in stack.ticket(ticket_id)["tags"]
    assert stack.report(ticket_id)["playbooks"][0]["id"] == "order_problem"


def test_deflection_coaching(stack):
    ticket_id = open_ticket(stack)
    stack.client.agent_reply(ticket_id, "Bu benim departmanım değil, kargo firmasını kendiniz "
                             "arayın.", agent_email=AGENT)
    wait_until(lambda: "deflection" in flags(stack, ticket_id), what="the deflection flag")
    wait_until(stack.settled, what="the stack to settle")
    assert len([b for b in bodies(stack, ticket_id) if "departmanım değil" in b]) == 1
    assert "ft_deflection" in stack.ticket(ticket_id)["tags"]


def test_transfer_handoff_and_late_flag(stack):
    ticket_id = open_ticket(stack)
    stack.client.set_group(ticket_id, 10, "elvin@sandbox.test")
    wait_until(stack.settled, what="the first assignment")
    for reply in ("Kontrol ediyorum.", "Sipariş numaranızı aldım.", "Yarın size dönüş "
                  "yapacağım."):
        stack.client.agent_reply(ticket_id, reply, agent_email=AGENT)
    wait_until(stack.settled, what="the replies")
    stack.client.set_group(ticket_id, 11, AGENT)
    title = PLAYBOOKS["handoff"].title["tr"]
    handoff = wait_until(lambda: next((b for b in bodies(stack, ticket_id) if title in b), None),
                         what="the handoff note")
    assert "Destek → Fatura" in handoff and "48213977" in handoff
    wait_until(lambda: "late_transfer" in flags(stack, ticket_id), what="the late flag")


def test_survey_after_solve(stack):
    ticket_id = open_ticket(stack)
    stack.client.agent_reply(ticket_id, "Kargonuzu yeniden gönderdik.", agent_email=AGENT)
    stack.client.set_status(ticket_id, "solved", AGENT)
    wait_until(lambda: any(s["kind"] == "survey" for s in stack.report(ticket_id)["scheduled"]),
               what="the survey booking")
    [survey] = [s for s in stack.report(ticket_id)["scheduled"] if s["kind"] == "survey"]
    assert requests.post(f"{stack.url}/api/jobs/{survey['job_id']}/run", headers=AUTH,
                         timeout=5).status_code == 202
    wait_until(lambda: any(LINK.search(html.unescape(c["html_body"]))
                           for c in stack.comments(ticket_id) if c["public"]),
               what="the survey comment")
    assert stack.ticket(ticket_id)["status"] == "solved"
    comment = next(html.unescape(c["html_body"]) for c in stack.comments(ticket_id)
                   if c["public"] and LINK.search(html.unescape(c["html_body"])))
    token = LINK.search(comment).group(1)
    browser = requests.Session()
    page = browser.get(f"{stack.url}/s/{token}?csat=2", timeout=5)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    assert browser.post(f"{stack.url}/s/{token}", data={"csrf": csrf, "csat": "2"},
                        timeout=5).status_code == 200
    wait_until(lambda: "ft_csat_bad" in stack.ticket(ticket_id)["tags"], what="the answer")
    call = wait_until(lambda: next((s for s in stack.report(ticket_id)["scheduled"]
                                    if s["kind"] == "followup_call"), None), what="the call")
    assert requests.post(f"{stack.url}/api/jobs/{call['job_id']}/run", headers=AUTH,
                         timeout=5).status_code == 202
    wait_until(stack.settled, what="the call to run")
    if stack.vendor == "zendesk":
        # A task ticket for the agent who solved it; the customer is sent nothing.
        tasks = [t for t in stack._get("tickets.json").json()["tickets"] if t["type"] == "task"]
        assert [t["assignee_id"] for t in tasks] == [2]
    else:
        # Freshdesk has no task API: a private note e-mailed to the agent, and a tag.
        assert "ft_followup_call" in stack.ticket(ticket_id)["tags"]
        assert any("#" + str(ticket_id) in b for b in bodies(stack, ticket_id))


def test_promise_at_risk(stack):
    ticket_id = open_ticket(stack)
    stack.client.agent_reply(ticket_id, "Yarın öğleden önce size dönüş yapacağım.",
                             agent_email=AGENT)
    check = wait_until(lambda: next((s for s in stack.report(ticket_id)["scheduled"]
                                     if s["kind"] == "promise_check"), None),
                       what="the promise")
    assert requests.post(f"{stack.url}/api/jobs/{check['job_id']}/run", headers=AUTH,
                         timeout=5).status_code == 202
    wait_until(lambda: "ft_promise_at_risk" in stack.ticket(ticket_id)["tags"],
               what="the at-risk tag")
    assert any("öğleden önce" in b for b in bodies(stack, ticket_id))


@pytest.fixture
def freshdesk(tmp_path):
    stack = Stack(tmp_path, vendor="freshdesk")
    yield stack
    stack.close()


def test_freshdesk_redeliveries_without_an_id_are_processed_once(freshdesk):
    ticket_id = open_ticket(freshdesk)
    # Freshdesk retries at +5/+30/+60 min with the same id-only body and no delivery id.
    for _ in range(3):
        response = requests.post(f"{freshdesk.url}/webhooks/freshdesk", timeout=5,
                                 json={"ft_event": "ticket.created", "ticket_id": str(ticket_id)},
                                 headers={"X-Followthrough-Secret": freshdesk.settings
                                          .freshdesk_webhook_secret})
        assert response.status_code == 202
    wait_until(freshdesk.settled, what="the stack to settle")
    skipped = [e for e in freshdesk.services.store.events()
               if e.last_error == "the same change was delivered before"]
    # The first retry sees the ticket as the plugin's own note left it (a newer updated_at)
    # and runs again, changing nothing; the others match it and are skipped outright.
    assert len(skipped) >= 2
    assert len(freshdesk.notes(ticket_id)) == 1


def test_freshdesk_rate_limits_delay_but_lose_and_double_nothing(tmp_path):
    stack = Stack(tmp_path, vendor="freshdesk", worker=False)
    try:
        ids = [stack.client.create_customer_ticket(ORDER_TR, lang="tr") for _ in range(3)]
        wait_until(lambda: stack.services.store.count_by_status().get("pending") == 3,
                   what="the events in the inbox")
        stack.faults(rate_limit_rpm=6, rate_limit_window=2)
        stack.start_worker()
        wait_until(lambda: stack.stats()["requests_by_status"].get("429"), what="a 429")
        wait_until(lambda: all(stack.note_count(i) for i in ids), timeout=120, what="the notes")
        wait_until(stack.settled, timeout=60, what="the stack to settle")
        assert [stack.note_count(i) for i in ids] == [1, 1, 1]
    finally:
        stack.close()
