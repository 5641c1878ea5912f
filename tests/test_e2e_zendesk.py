"""End to end over real sockets: sandbox Zendesk → signed webhook → plugin → zenpy → sandbox."""

from __future__ import annotations

import json
import logging
import re

import pytest
import requests

from plugin.logs import JsonFormatter
from plugin.reconcile import reconcile_once
from tests.conftest import signed
from tests.stack import Stack, wait_until

ORDER_TR = "Merhaba, siparişim bir haftadır gelmedi, kargo takip numarası da çalışmıyor."
MARKER = re.compile(r"followthrough · ref (ft-[0-9a-f]{16})")


@pytest.fixture
def stack(tmp_path):
    stack = Stack(tmp_path)
    yield stack
    stack.close()


def test_a_new_ticket_gets_one_private_note_and_a_report(stack):
    ticket_id = stack.client.create_customer_ticket(ORDER_TR, lang="tr")
    [note] = wait_until(lambda: stack.notes(ticket_id), what="the guidance note")
    assert MARKER.search(note["html_body"])
    wait_until(stack.settled, what="the stack to settle")
    assert len(stack.notes(ticket_id)) == 1
    report = stack.report(ticket_id)
    assert report["language"] == "tr"
    assert report["playbooks"][0]["id"] == "order_problem"
    assert report["playbooks"][0]["why"]
    assert any(action["kind"] == "update" and action["status"] == "done"
               for action in report["actions"])


def test_the_whole_path_on_each_store(tmp_path, database_url):
    stack = Stack(tmp_path, database_url)
    try:
        ids = [stack.client.create_customer_ticket(ORDER_TR, lang="tr") for _ in range(3)]
        wait_until(lambda: all(stack.notes(i) for i in ids), what="every note")
        wait_until(stack.settled, what="the stack to settle")
        assert [len(stack.notes(i)) for i in ids] == [1, 1, 1]
        assert stack.services.engine.dialect.name == database_url.split(":")[0].split("+")[0]
    finally:
        stack.close()


def test_the_plugins_own_changes_are_recorded_and_skipped(stack):
    ticket_id = stack.client.create_customer_ticket(ORDER_TR, lang="tr")
    wait_until(lambda: stack.notes(ticket_id), what="the guidance note")
    # The sandbox sends a comment_added webhook for the bot's own note: the loop guard skips it.
    wait_until(lambda: any(row.status == "skipped" and row.ticket_id == str(ticket_id)
                           for row in stack.services.store.events()), what="a skipped event")
    wait_until(stack.settled, what="the stack to settle")
    assert len(stack.notes(ticket_id)) == 1


def test_a_redelivered_event_is_not_processed_twice(stack):
    ticket_id = stack.client.create_customer_ticket(ORDER_TR, lang="tr")
    wait_until(lambda: stack.notes(ticket_id), what="the guidance note")
    created = next(row for row in stack.services.store.events()
                   if row.event_type == "ticket.created" and row.ticket_id == str(ticket_id))
    raw, headers = signed(json.loads(created.payload))
    again = requests.post(f"{stack.url}/webhooks/zendesk", data=raw, headers=headers, timeout=5)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    # A different delivery of the same ticket.created (new event id) still writes no second note.
    body = json.loads(created.payload) | {"id": "another-delivery"}
    raw, headers = signed(body)
    assert requests.post(f"{stack.url}/webhooks/zendesk", data=raw, headers=headers,
                         timeout=5).status_code == 202
    wait_until(stack.settled, what="the stack to settle")
    assert len(stack.notes(ticket_id)) == 1


def open_tickets_then_fault(tmp_path, count: int, settings: dict | None = None,
                            **faults) -> tuple[Stack, list[int]]:
    """Tickets are opened while the helpdesk is healthy; the faults hit the plugin's calls."""
    stack = Stack(tmp_path, worker=False, **(settings or {}))
    ids = [stack.client.create_customer_ticket(ORDER_TR, lang="tr") for _ in range(count)]
    wait_until(lambda: stack.services.store.count_by_status().get("pending") == count,
               what="the events in the inbox")
    stack.faults(**faults)
    stack.start_worker()
    return stack, ids


def test_rate_limited_helpdesk_delays_but_loses_and_doubles_nothing(tmp_path):
    stack, ids = open_tickets_then_fault(tmp_path, 3, rate_limit_rpm=2, rate_limit_window=2)
    try:
        wait_until(lambda: stack.stats()["requests_by_status"].get("429"), what="a 429")
        wait_until(lambda: all(stack.note_count(i) for i in ids), timeout=60, what="every note")
        wait_until(stack.settled, timeout=30, what="the stack to settle")
        assert [stack.note_count(i) for i in ids] == [1, 1, 1]
    finally:
        stack.close()


def test_server_errors_are_retried_and_each_note_lands_once(tmp_path):
    stack, ids = open_tickets_then_fault(tmp_path, 4, error_rate=0.4, seed=7)
    try:
        wait_until(lambda: any(stack.stats()["requests_by_status"].get(code)
                               for code in ("500", "502", "503")), what="a 5xx")
        wait_until(lambda: all(stack.note_count(i) for i in ids), timeout=90, what="every note")
        wait_until(stack.settled, timeout=60, what="the stack to settle")
        assert [stack.note_count(i) for i in ids] == [1, 1, 1, 1]
    finally:
        stack.close()


def test_a_stale_update_is_refetched_and_keeps_the_agents_tags(tmp_path):
    stack = Stack(tmp_path, worker=False)
    try:
        ticket_id = stack.client.create_customer_ticket(ORDER_TR, lang="tr")
        wait_until(lambda: stack.services.store.count_by_status().get("pending"),
                   what="the event in the inbox")
        # An agent tags the ticket after the event was sent: the event's stamp is now stale.
        stack.client._update(ticket_id, "ayse@sandbox.test", {"tags": ["vip"]})
        stack.start_worker()
        wait_until(lambda: stack.notes(ticket_id), what="the guidance note")
        wait_until(stack.settled, what="the stack to settle")
        assert "vip" in stack.ticket(ticket_id)["tags"]
        assert stack.stats()["requests_by_status"].get("409")
        assert len(stack.notes(ticket_id)) == 1
    finally:
        stack.close()


def test_a_closed_ticket_is_skipped_with_the_reason(tmp_path):
    stack = Stack(tmp_path, worker=False)
    try:
        ticket_id = stack.client.create_customer_ticket(ORDER_TR, lang="tr")
        stack.client.set_status(ticket_id, "closed", "ayse@sandbox.test")
        wait_until(lambda: not stack.stats()["webhooks"]["pending"], what="deliveries")
        stack.start_worker()
        wait_until(stack.settled, what="the stack to settle")
        created = next(row for row in stack.services.store.events()
                       if row.event_type == "ticket.created")
        assert created.status == "skipped"
        assert created.last_error == "ticket is closed"
        assert stack.notes(ticket_id) == []
        assert stack.stats()["requests_by_status"].get("422")
    finally:
        stack.close()


def test_dead_letter_then_replay(tmp_path, monkeypatch):
    monkeypatch.setattr("plugin.processing.MAX_BACKOFF_SECONDS", 0.2)
    stack, [ticket_id] = open_tickets_then_fault(tmp_path, 1, {"max_attempts": 2},
                                                 error_rate=1.0)
    try:
        failed = wait_until(lambda: stack.services.store.events(status="failed"), timeout=90,
                            what="a dead-lettered event")
        assert "retry budget spent" in failed[0].last_error
        assert failed[0].attempts == stack.settings.max_attempts
        stack.faults(error_rate=0.0)
        assert stack.services.store.requeue(failed[0].id)
        wait_until(lambda: stack.notes(ticket_id), what="the note after replay")
        assert len(stack.notes(ticket_id)) == 1
    finally:
        stack.close()


def test_reconciliation_catches_tickets_whose_webhooks_never_came(tmp_path):
    from datetime import UTC, datetime, timedelta

    stack = Stack(tmp_path, webhooks=False)
    try:
        store, helpdesk = stack.services.store, stack.services.helpdesk
        start = datetime.now(UTC) - timedelta(seconds=200)
        assert reconcile_once(store, helpdesk, now=start) == 0  # first run sets the cursor
        ticket_id = stack.client.create_customer_ticket(ORDER_TR, lang="tr")
        later = datetime.now(UTC) + timedelta(seconds=300)
        assert reconcile_once(store, helpdesk, now=later) == 1
        assert reconcile_once(store, helpdesk, now=later) == 0  # nothing new, nothing doubled
        wait_until(lambda: stack.notes(ticket_id), what="the note from reconciliation")
        wait_until(stack.settled, what="the stack to settle")
        stack.client.set_status(ticket_id, "solved", "ayse@sandbox.test")
        much_later = later + timedelta(seconds=300)
        assert reconcile_once(store, helpdesk, now=much_later) == 1  # the missed status change
        [missed] = [row for row in store.events() if row.event_type == "ticket.status_changed"]
        assert json.loads(missed.payload)["change"] == {"previous": "NEW", "current": "SOLVED"}
    finally:
        stack.close()


def test_a_ticket_that_fits_no_playbook_gets_no_note(stack):
    ticket_id = stack.client.create_customer_ticket("test", lang="en")
    wait_until(lambda: stack.services.store.events(), what="the event")
    wait_until(stack.settled, what="the stack to settle")
    assert stack.notes(ticket_id) == []
    assert stack.report(ticket_id)["playbooks"] == []


def test_no_customer_text_or_address_reaches_the_logs(stack, caplog):
    caplog.set_level(logging.DEBUG)
    email = "gizli.musteri@example.test"
    ticket_id = stack.client.create_customer_ticket(ORDER_TR + " +90 555 111 22 33", lang="tr",
                                                    email=email)
    wait_until(lambda: stack.notes(ticket_id), what="the note")
    stack.client.agent_reply(ticket_id, "Merhaba, kontrol ediyorum.")
    wait_until(stack.settled, what="the stack to settle")
    formatter = JsonFormatter()
    lines = "\n".join(formatter.format(record) for record in caplog.records)
    assert "event finished" in lines  # the log is there ...
    for secret in ("siparişim", "kargo", "555 111", email, "kontrol ediyorum"):
        assert secret not in lines.lower()  # ... without the customer's words
