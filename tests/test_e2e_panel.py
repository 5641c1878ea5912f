"""The side panel end to end: signed in through the sandbox's agent view, fed by real events."""

from __future__ import annotations

import re

import pytest
import requests

from tests.stack import Stack, wait_until

AGENT = "ayse@sandbox.test"
OTHER = "elvin@sandbox.test"
COMPLAINT = ("Merhaba, müşteri hizmetleriniz telefonu yüzüme kapattı, çok kaba davrandılar. "
             "Bu kabul edilemez, şikayetçiyim.")


@pytest.fixture
def stack(tmp_path):
    stack = Stack(tmp_path, zendesk_app_id="1", panel_action_agents="2")
    yield stack
    stack.close()


def open_panel(stack: Stack, ticket_id: int, agent: str = AGENT) -> dict:
    """What Zendesk does: the agent view POSTs the signed token to the plugin's panel page."""
    page = requests.get(f"{stack.sandbox.base_url}/agent/tickets/{ticket_id}",
                        params={"agent": agent}, timeout=5)
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    panel = requests.post(f"{stack.url}/panel/zendesk", data={"token": token}, timeout=5)
    assert panel.status_code == 200
    session = re.search(r'name="ft-session" content="([^"]+)"', panel.text).group(1)
    return {"Authorization": f"Bearer {session}"}


def panel(stack: Stack, headers: dict, ticket_id: int, **params) -> dict:
    response = requests.get(f"{stack.url}/panel/api/tickets/{ticket_id}", headers=headers,
                            params=params, timeout=5)
    response.raise_for_status()
    return response.json()


def test_the_panel_shows_guidance_flags_and_the_transfer_path(stack):
    ticket_id = stack.client.create_customer_ticket(COMPLAINT, lang="tr")
    wait_until(lambda: stack.notes(ticket_id), what="the guidance note")
    stack.client.set_group(ticket_id, 10, OTHER)
    stack.client.agent_reply(ticket_id, "Bu benim departmanım değil, faturayla kendiniz "
                             "görüşün.", agent_email=AGENT)
    stack.client.set_group(ticket_id, 11, OTHER)
    wait_until(lambda: {"deflection"} <= {f["kind"] for f in stack.report(ticket_id)["flags"]}
               and stack.settled(), what="the deflection flag")
    headers = open_panel(stack, ticket_id)
    data = panel(stack, headers, ticket_id, lang="en-US", agent_tz="Asia/Baku")
    [playbook] = [p for p in data["playbooks"] if p["id"] == "complaint"]
    assert playbook["title"] == "Complaint about service or staff"  # the agent's language
    assert all(not step["done"] for step in playbook["steps"])
    assert playbook["say_instead"][0]["avoid"].startswith("Politikamız")  # the customer's
    [flag] = [f for f in data["flags"] if f["kind"] == "deflection"]
    assert "departmanım değil" in flag["detail"] and "another team" in flag["explain"]
    assert data["transfers"] == ["Destek", "Fatura"]
    assert data["zones"] == {"customer": "Europe/Istanbul", "agent": "Asia/Baku"}
    turkish = panel(stack, headers, ticket_id, lang="tr")
    assert turkish["texts"]["playbook"] == "Uygulanacak adımlar"
    assert turkish["playbooks"][0]["title"] != playbook["title"]


def test_ticks_are_kept_per_ticket_and_checked(stack):
    first = stack.client.create_customer_ticket(COMPLAINT, lang="tr")
    second = stack.client.create_customer_ticket(COMPLAINT, lang="tr")
    wait_until(lambda: stack.notes(first) and stack.notes(second), what="guidance notes")
    wait_until(lambda: stack.report(second)["playbooks"], what="the playbook state")
    headers = open_panel(stack, first)
    url = f"{stack.url}/panel/api/tickets/{first}/steps"
    assert requests.post(url, headers=headers, json={"playbook": "complaint", "step": 3,
                                                     "done": True}, timeout=5).status_code == 200
    steps = panel(stack, headers, first)["playbooks"][0]["steps"]
    assert [s["index"] for s in steps if s["done"]] == [3]
    assert not any(s["done"] for s in panel(stack, headers, second)["playbooks"][0]["steps"])
    requests.post(url, headers=headers, json={"playbook": "complaint", "step": 3, "done": False},
                  timeout=5).raise_for_status()
    assert not any(s["done"] for s in panel(stack, headers, first)["playbooks"][0]["steps"])
    for bad in ({"playbook": "complaint", "step": 99, "done": True},
                {"playbook": "complaint", "step": "3", "done": True},
                {"playbook": "complaint", "step": True, "done": True},
                {"playbook": "nope", "step": 0, "done": True},
                {"playbook": "complaint", "step": 0, "done": "yes"}):
        assert requests.post(url, headers=headers, json=bad, timeout=5).status_code == 400


def test_followups_show_local_times_and_only_allowed_agents_act(stack):
    ticket_id = stack.client.create_customer_ticket("Siparişim gelmedi.", lang="tr")
    wait_until(lambda: stack.notes(ticket_id), what="the guidance note")
    stack.client.agent_reply(ticket_id, "Siparişiniz yeniden gönderildi, yarın elinizde.",
                             agent_email=AGENT)
    stack.client.set_status(ticket_id, "solved", AGENT)
    wait_until(lambda: any(j["kind"] == "survey" for j in stack.report(ticket_id)["scheduled"]),
               what="the survey to be scheduled")
    allowed = open_panel(stack, ticket_id, AGENT)  # user 2 is in FT_PANEL_ACTION_AGENTS
    other = open_panel(stack, ticket_id, OTHER)
    data = panel(stack, allowed, ticket_id, lang="az", agent_tz="Asia/Baku")
    [survey] = [f for f in data["followups"] if f["kind"] == "survey"]
    assert survey["label"] == "Məmnunluq sorğusu" and survey["status"] == "pending"
    assert survey["customer"]["zone"] == "Europe/Istanbul"
    assert survey["agent"]["zone"] == "Asia/Baku"
    customer_hour = int(survey["customer"]["local"][11:13])
    assert (int(survey["agent"]["local"][11:13]) - customer_hour) % 24 == 1
    assert survey["can_act"] is True
    assert panel(stack, other, ticket_id)["followups"][0]["can_act"] is False
    base = f"{stack.url}/panel/api/tickets/{ticket_id}/followups/{survey['job_id']}"
    assert requests.post(f"{base}/run", headers=other, timeout=5).status_code == 403
    assert requests.post(f"{stack.url}/panel/api/tickets/{ticket_id + 1}/followups/"
                         f"{survey['job_id']}/run", headers=allowed, timeout=5).status_code == 404
    assert requests.post(f"{base}/run", headers=allowed, timeout=5).status_code == 202
    wait_until(lambda: stack.report(ticket_id)["scheduled"][0]["status"] != "pending",
               what="the survey to run")
    assert requests.post(f"{base}/cancel", headers=allowed, timeout=5).status_code == 404


def test_freshdesk_app_sessions_need_the_installation_secret(tmp_path):
    stack = Stack(tmp_path, vendor="freshdesk", freshdesk_app_secret="app-secret-123")
    try:
        url = f"{stack.url}/panel/freshdesk/session"
        body = {"ticket_id": "7", "agent_id": "42", "locale": "az"}
        for headers in ({}, {"X-Followthrough-App-Secret": "wrong"}):
            assert requests.post(url, json=body, headers=headers, timeout=5).status_code == 401
        good = {"X-Followthrough-App-Secret": "app-secret-123"}
        assert requests.post(url, json={"ticket_id": "7 OR 1"}, headers=good,
                             timeout=5).status_code == 400
        answer = requests.post(url, json=body, headers=good, timeout=5).json()
        assert answer["panel_url"].startswith(f"{stack.settings.public_url}/panel/app?lang=az#")
        session = re.search(r"session=([^&]+)", answer["panel_url"]).group(1)
        data = requests.get(f"{stack.url}/panel/api/tickets/7",
                            headers={"Authorization": f"Bearer {requests.utils.unquote(session)}"},
                            timeout=5)
        assert data.status_code == 200 and data.json()["playbooks"] == []
        page = requests.get(f"{stack.url}/panel/app?lang=tr", timeout=5)
        assert "ft-session" not in page.text  # the page itself holds no session and no data
        assert "frame-ancestors https://*.freshdesk.com" in \
            page.headers["Content-Security-Policy"]
    finally:
        stack.close()


def test_check_my_reply_answers_and_stores_nothing(stack):
    ticket_id = stack.client.create_customer_ticket(COMPLAINT, lang="tr")
    wait_until(lambda: stack.report(ticket_id)["playbooks"], what="the playbook state")
    wait_until(stack.settled, what="the stack to settle")
    headers = open_panel(stack, ticket_id)
    before = stack.report(ticket_id)
    url = f"{stack.url}/api/lint"
    draft = "Bu konu bizim departmanımızı ilgilendirmiyor, muhasebeye kendiniz yazın."
    found = requests.post(url, headers=headers, timeout=10, json={
        "ticket_id": str(ticket_id), "text": draft}).json()
    [hit] = found["deflections"]
    assert "departmanımızı ilgilendirmiyor" in hit["phrase"] and hit["better"]
    assert [m["step"] for m in found["missing"]] == [
        "Özür dileyin", "Sorunu üstlenin", "Tercih ettiği çözümü sorun", "Bir tarih verin"]
    promise = requests.post(url, headers=headers, timeout=10, json={
        "ticket_id": str(ticket_id), "text": "Sabah saat 15:00-a qədər sizə geri dönəcəm.",
        "agent_tz": "Europe/Istanbul", "customer_tz": "Asia/Baku"}).json()
    [kept] = promise["promises"]
    assert kept["customer"]["zone"] == "Asia/Baku" and kept["agent"]["zone"] == "Europe/Istanbul"
    assert kept["customer"]["local"][11:] == "16:00" and kept["agent"]["local"][11:] == "15:00"
    for bad, status in (({"ticket_id": "x", "text": "a"}, 400), ({"ticket_id": "1"}, 400),
                        ({"ticket_id": "1", "text": "a" * 20_001}, 413)):
        assert requests.post(url, headers=headers, json=bad, timeout=10).status_code == status
    after = stack.report(ticket_id)
    assert after["actions"] == before["actions"] and after["flags"] == before["flags"]
    assert stack.note_count(ticket_id) == len(stack.notes(ticket_id)) == 1  # guidance only
