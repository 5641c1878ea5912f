"""The processor against a scripted Helpdesk (our own seam): loop guard, failures, exactly once."""

from __future__ import annotations

import json

import pytest

from plugin.decisions import Note, Tags
from plugin.helpdesk.errors import Conflict, Permanent, RateLimited, TicketClosed, Transient
from plugin.processing import Processor, marker_for
from plugin.routing import Router
from plugin.tickets import Ticket
from tests.conftest import zendesk_event


class ScriptedHelpdesk:
    """Answers like a helpdesk would; `failures` are raised by apply() one by one."""

    vendor = "zendesk"

    def __init__(self, failures=()):
        self.failures = list(failures)
        self.applied: list[tuple[Ticket, object]] = []
        self.notes: dict[str, list[str]] = {}
        self.fetched = 0

    def me(self):
        return "1"

    def ticket(self, ticket_id):
        self.fetched += 1
        return Ticket(id=ticket_id, status="open", updated_at="2026-11-22T11:00:00Z",
                      tags=("vip",))

    def apply(self, ticket, update):
        if self.failures:
            raise self.failures.pop(0)
        self.applied.append((ticket, update))
        self.notes.setdefault(ticket.id, []).extend(update.notes)

    def has_marker(self, ticket_id, marker):
        return any(marker in note for note in self.notes.get(ticket_id, []))


def build(services, helpdesk):
    router = Router()

    @router.register("ticket.created")
    def note(context):
        yield Note(html="<p>hello</p>", key="hello")
        yield Tags(add=frozenset({"ft_seen"}))

    return Processor(services.store, helpdesk, router, services.settings)


def enqueue(services, body):
    key = f"event:{body['id']}"
    services.store.enqueue("zendesk", key, body["type"].split(":")[-1],
                           body["subject"].split(":")[-1], json.dumps(body))
    return services.store.claim(1)[0]


def test_one_update_carries_note_tags_and_marker(services):
    helpdesk = ScriptedHelpdesk()
    processor = build(services, helpdesk)
    row = enqueue(services, zendesk_event("created", 5, tags=["agent_tag"]))
    assert processor.process(row) == "done"
    [(ticket, update)] = helpdesk.applied
    assert update.merged_tags(ticket.tags) == ["agent_tag", "ft_seen"]
    assert marker_for("zendesk", row.delivery_key) in update.notes[0]
    assert services.store.event(row.id).status == "done"
    [action] = services.store.actions("zendesk", "5")
    assert action.status == "done"


def test_note_is_not_written_twice_for_the_same_key(services):
    helpdesk = ScriptedHelpdesk()
    processor = build(services, helpdesk)
    processor.process(enqueue(services, zendesk_event("created", 5)))
    processor.process(enqueue(services, zendesk_event("created", 5)))
    assert len(helpdesk.notes["5"]) == 1


def test_events_of_the_plugins_own_user_are_skipped(services):
    helpdesk = ScriptedHelpdesk()
    processor = build(services, helpdesk)
    row = enqueue(services, zendesk_event("created", 5, actor_id="1"))
    assert processor.process(row) == "skipped"
    assert helpdesk.applied == []
    assert "own API user" in services.store.event(row.id).last_error


def test_conflict_refetches_and_retries(services):
    helpdesk = ScriptedHelpdesk([Conflict("409", 409)])
    processor = build(services, helpdesk)
    assert processor.process(enqueue(services, zendesk_event("created", 5))) == "done"
    assert helpdesk.fetched == 1
    [(ticket, update)] = helpdesk.applied
    assert ticket.updated_at == "2026-11-22T11:00:00Z"  # the fresh stamp, not the stale one
    assert "vip" in update.merged_tags(ticket.tags)


def test_closed_ticket_is_skipped_with_the_reason(services):
    processor = build(services, ScriptedHelpdesk([TicketClosed("closed", 422)]))
    row = enqueue(services, zendesk_event("created", 5))
    assert processor.process(row) == "skipped"
    assert services.store.event(row.id).last_error == "ticket is closed"
    assert services.store.actions("zendesk", "5")[0].status == "skipped"


def test_rate_limit_puts_the_event_back_without_spending_a_note(services):
    processor = build(services, ScriptedHelpdesk([RateLimited(45.0)]))
    row = enqueue(services, zendesk_event("created", 5))
    assert processor.process(row) == "retry"
    stored = services.store.event(row.id)
    assert stored.status == "pending"
    assert (stored.next_attempt_at - stored.received_at).total_seconds() >= 45
    assert stored.attempts == 0  # waiting on the vendor's 429 spends no retry budget


def test_permanent_error_dead_letters_at_once(services):
    processor = build(services, ScriptedHelpdesk([Permanent("403 forbidden", 403)]))
    row = enqueue(services, zendesk_event("created", 5))
    assert processor.process(row) == "failed"
    assert services.store.event(row.id).status == "failed"


def test_transient_errors_dead_letter_only_after_the_retry_budget(services, monkeypatch):
    monkeypatch.setattr("plugin.helpdesk.retry.MAX_IN_CALL_WAIT", 0)
    monkeypatch.setattr("time.sleep", lambda _s: None)
    failures = [Transient("503", 503)] * 100
    helpdesk = ScriptedHelpdesk(failures)
    processor = build(services, helpdesk)
    processor.settings = services.settings.with_overrides(max_attempts=3)
    row = enqueue(services, zendesk_event("created", 5))
    outcomes = []
    for _ in range(3):
        outcomes.append(processor.process(row))
        if outcomes[-1] == "retry":
            services.store.retry_later(row.id, 0, "due again now")
            row = services.store.claim(1)[0]
    assert outcomes == ["retry", "retry", "failed"]
    assert services.store.event(row.id).status == "failed"
    assert "retry budget spent" in services.store.event(row.id).last_error


def test_crash_after_the_write_does_not_write_again(services):
    """The vendor wrote the note, then the process died before recording it."""
    helpdesk = ScriptedHelpdesk()
    processor = build(services, helpdesk)
    row = enqueue(services, zendesk_event("created", 5))
    original_commit = processor._commit
    processor._commit = lambda *a, **k: (_ for _ in ()).throw(SystemExit("killed"))
    with pytest.raises(SystemExit):
        processor.process(row)
    processor._commit = original_commit
    assert services.store.recover_processing() == 1
    [again] = services.store.claim(1)
    assert processor.process(again) == "done"
    assert len(helpdesk.notes["5"]) == 1
