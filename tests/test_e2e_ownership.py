"""Ownership end to end: deflection coaching, transfer flags, handoff note, repeat contact."""

from __future__ import annotations

import html
import json
import shutil

import pytest
import requests
import yaml

from plugin.playbooks import load_playbooks
from tests.conftest import ADMIN, signed
from tests.stack import Stack, wait_until

AGENT = "ayse@sandbox.test"
OTHER = "elvin@sandbox.test"
CUSTOMER = "musteri@example.test"
FIRST = "Merhaba, 48213977 numaralı siparişim gelmedi, kargo takip etmiyor."
HANDOFF = load_playbooks("playbooks").playbooks["handoff"]


@pytest.fixture
def stack(tmp_path):
    stack = Stack(tmp_path)
    yield stack
    stack.close()


def open_ticket(stack: Stack, text: str = FIRST, email: str = CUSTOMER) -> int:
    """A customer's ticket, routed to the first-line group (a first assignment, no transfer)."""
    ticket_id = stack.client.create_customer_ticket(text, lang="tr", email=email)
    wait_until(lambda: stack.notes(ticket_id), what="the guidance note")
    stack.client.set_group(ticket_id, 10, OTHER)
    wait_until(stack.settled, what="the stack to settle")
    return ticket_id


def flags(stack: Stack, ticket_id: int) -> list[str]:
    return [flag["kind"] for flag in stack.report(ticket_id)["flags"]]


def bodies(stack: Stack, ticket_id: int) -> list[str]:
    return [html.unescape(note["html_body"]) for note in stack.notes(ticket_id)]


def handoff_note(stack: Stack, ticket_id: int) -> str | None:
    return next((b for b in bodies(stack, ticket_id) if HANDOFF.title["tr"] in b), None)


def test_a_deflecting_reply_is_coached_once(stack):
    ticket_id = open_ticket(stack)
    stack.client.agent_reply(ticket_id, "Bu benim departmanım değil, lütfen muhasebe ile "
                             "kendiniz görüşün.", agent_email=AGENT)
    wait_until(lambda: "deflection" in flags(stack, ticket_id), what="the deflection flag")
    wait_until(stack.settled, what="the stack to settle")
    assert "ft_deflection" in stack.ticket(ticket_id)["tags"]
    coaching = [b for b in bodies(stack, ticket_id) if "departmanım değil" in b]
    assert len(coaching) == 1
    [flag] = [f for f in stack.report(ticket_id)["flags"] if f["kind"] == "deflection"]
    assert flag["agent"] == "2"


def test_a_warm_handoff_reply_is_not_flagged(stack):
    ticket_id = open_ticket(stack)
    stack.client.agent_reply(ticket_id, "Konunuzu fatura ekibimize ilettim, çözülene kadar "
                             "ben de takipteyim; yarın size dönüş yapacağım.", agent_email=AGENT)
    wait_until(stack.settled, what="the stack to settle")
    assert "deflection" not in flags(stack, ticket_id)
    assert len(stack.notes(ticket_id)) == 1  # only the guidance note


def test_a_silent_transfer_is_cold_and_the_handoff_note_tells_the_story(stack):
    ticket_id = open_ticket(stack)
    stack.client.customer_comment(ticket_id, "Kargo takip no TRK-2026-00991, hâlâ yolda "
                                  "görünüyor.", CUSTOMER)
    stack.client.set_group(ticket_id, 11, AGENT)
    handoff = wait_until(lambda: handoff_note(stack, ticket_id), what="the handoff note")
    assert "Destek → Fatura" in handoff
    assert "48213977" in handoff and "00991" in handoff
    assert FIRST[:40] in handoff and "Kargo takip no TRK-2026" in handoff
    assert "Europe/Istanbul" in handoff and "Türkçe" in handoff
    assert HANDOFF.guidance["tr"].steps[0] in handoff
    wait_until(stack.settled, what="the stack to settle")
    assert "cold_transfer" not in flags(stack, ticket_id)  # not yet: the check waits 10 min
    stack.advance(11)
    wait_until(lambda: "cold_transfer" in flags(stack, ticket_id), what="the cold flag")
    assert "ft_cold_transfer" in stack.ticket(ticket_id)["tags"]


def test_a_transfer_with_a_note_is_warm(stack):
    ticket_id = open_ticket(stack)
    stack.client._update(ticket_id, AGENT, {
        "group_id": 11, "comment": {"body": "Fatura ekibi: müşteri iki kez ödeme yapmış, "
                                            "iadeyi siz yapabilir misiniz?", "public": False}})
    wait_until(lambda: handoff_note(stack, ticket_id), what="the handoff note")
    stack.advance(11)
    wait_until(lambda: stack.services.store.count_by_status().get("scheduled") is None
               and stack.settled(), what="the transfer check")
    assert "cold_transfer" not in flags(stack, ticket_id)


def test_ping_pong_and_late_transfers(stack):
    ticket_id = open_ticket(stack)
    for reply in ("Kontrol ediyorum.", "Sipariş numaranızı alabilir miyim?",
                  "Teşekkürler, yarın öğleden önce size bilgi vereceğim."):
        stack.client.agent_reply(ticket_id, reply, agent_email=AGENT)
    stack.client.set_group(ticket_id, 11, AGENT)
    wait_until(lambda: "late_transfer" in flags(stack, ticket_id), what="the late flag")
    assert "yarın öğleden önce" in handoff_note(stack, ticket_id)  # the promise travels along
    stack.client.set_group(ticket_id, 10, OTHER)
    wait_until(lambda: "ping_pong" in flags(stack, ticket_id), what="the ping-pong flag")
    wait_until(stack.settled, what="the stack to settle")
    tags = stack.ticket(ticket_id)["tags"]
    assert {"ft_late_transfer", "ft_ping_pong"} <= set(tags)
    [ping] = [f for f in stack.report(ticket_id)["flags"] if f["kind"] == "ping_pong"]
    assert ping["detail"] == "Destek → Fatura → Destek"
    report = requests.get(f"{stack.url}/api/reports/transfers?since=1d", timeout=5,
                          headers={"Authorization": f"Bearer {ADMIN}"}).json()
    assert report["matrix"] == {"Destek": {"Fatura": 1}, "Fatura": {"Destek": 1}}
    assert report["flags_by_group"]["Fatura"]["late_transfer"] == 1
    assert report["flags_by_group"]["Destek"]["ping_pong"] == 1
    assert report["flags_by_agent"]["3"]["ping_pong"] == 1
    assert report["median_minutes_to_first_transfer"] is not None


def test_redelivered_and_reordered_transfers_write_nothing_twice(stack):
    ticket_id = open_ticket(stack)
    stack.client.set_group(ticket_id, 11, AGENT)
    stack.client.set_group(ticket_id, 12, AGENT)
    wait_until(lambda: len(stack.notes(ticket_id)) == 3, what="two handoff notes")
    wait_until(stack.settled, what="the stack to settle")
    changes = [row for row in stack.services.store.events()
               if row.event_type == "ticket.group_assignment_changed"]
    # Zendesk sends them again, newest first, with new delivery ids.
    for row in changes:
        body = json.loads(row.payload) | {"id": f"again-{row.id}"}
        raw, headers = signed(body)
        assert requests.post(f"{stack.url}/webhooks/zendesk", data=raw, headers=headers,
                             timeout=5).status_code == 202
    wait_until(stack.settled, what="the stack to settle")
    assert len(stack.notes(ticket_id)) == 3
    transfers = stack.services.store.ticket_state("zendesk", str(ticket_id)).memory["transfers"]
    assert [(t["from"], t["to"]) for t in transfers] == [("10", "11"), ("11", "12")]


def test_the_third_ticket_in_30_days_is_a_repeat_contact(stack):
    first = open_ticket(stack, "Siparişim gelmedi.")
    second = open_ticket(stack, "Siparişim hâlâ gelmedi, kimse dönmedi.")
    third = open_ticket(stack, "Üçüncü kez yazıyorum, siparişim nerede?")
    assert "repeat_contact" not in flags(stack, second)
    assert "repeat_contact" in flags(stack, third)
    note = next(b for b in bodies(stack, third) if f"#{first}" in b)
    assert f"#{second}" in note
    assert "ft_repeat_contact" in stack.ticket(third)["tags"]


def test_language_mismatch_when_groups_list_their_languages(tmp_path):
    playbooks = tmp_path / "playbooks"
    shutil.copytree("playbooks", playbooks)
    path = playbooks / "ownership.yaml"
    data = yaml.safe_load(path.read_text())
    data["transfers"]["group_languages"] = {"12": ["en"]}
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    stack = Stack(tmp_path, playbooks_dir=str(playbooks))
    try:
        ticket_id = open_ticket(stack)
        stack.client.set_group(ticket_id, 12, AGENT)
        wait_until(lambda: "language_mismatch" in flags(stack, ticket_id), what="the flag")
        stack.client.set_group(ticket_id, 11, AGENT)  # Fatura lists no languages: no flag
        wait_until(stack.settled, what="the stack to settle")
        assert flags(stack, ticket_id).count("language_mismatch") == 1
    finally:
        stack.close()
