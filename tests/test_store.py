"""The store on SQLite and PostgreSQL: migrations, dedupe, per-ticket order, leases, requeue."""

from datetime import timedelta

import pytest

from plugin.db import make_engine, migrate, session_factory, utcnow
from plugin.helpdesk.budget import Budget
from plugin.helpdesk.errors import RateLimited
from plugin.store import Store


def make_store(url, clock=utcnow) -> Store:
    engine = make_engine(url)
    migrate(engine)
    migrate(engine)  # idempotent: a second start finds the schema current
    return Store(session_factory(engine), clock=clock)


def test_enqueue_dedupes_on_the_delivery_key(database_url):
    store = make_store(database_url)
    first, duplicate = store.enqueue("zendesk", "event:a", "ticket.created", "1", "{}")
    assert first is not None and not duplicate
    again, duplicate = store.enqueue("zendesk", "event:a", "ticket.created", "1", "{}")
    assert again is None and duplicate
    assert store.enqueue("freshdesk", "event:a", "ticket.created", "1", "{}")[1] is False


def test_claim_keeps_one_tickets_events_in_order(database_url):
    store = make_store(database_url)
    for key, ticket in [("a", "1"), ("b", "1"), ("c", "2"), ("d", "1")]:
        store.enqueue("zendesk", key, "ticket.created", ticket, "{}")
    first = store.claim(10)
    # Only the oldest event of each ticket is claimable while it is unfinished.
    assert [(row.delivery_key, row.ticket_id) for row in first] == [("a", "1"), ("c", "2")]
    assert store.claim(10) == []
    store.finish(first[0].id, "done")
    assert [row.delivery_key for row in store.claim(10)] == ["b"]


def test_retry_later_blocks_the_ticket_until_due(database_url):
    now = [utcnow()]
    store = make_store(database_url, clock=lambda: now[0])
    store.enqueue("zendesk", "a", "ticket.created", "1", "{}")
    store.enqueue("zendesk", "b", "ticket.comment_added", "1", "{}")
    [row] = store.claim(10)
    store.retry_later(row.id, 60, "Zendesk answered 503")
    assert store.claim(10) == []  # "b" must not overtake "a"
    now[0] += timedelta(seconds=61)
    [again] = store.claim(10)
    assert again.delivery_key == "a" and again.attempts == 2


def test_expired_lease_is_claimed_again(database_url):
    now = [utcnow()]
    store = make_store(database_url, clock=lambda: now[0])
    store.enqueue("zendesk", "a", "ticket.created", "1", "{}")
    assert len(store.claim(1, lease_seconds=30)) == 1
    assert store.claim(1) == []
    now[0] += timedelta(seconds=31)
    assert [row.delivery_key for row in store.claim(1)] == ["a"]


def test_recover_and_requeue(database_url):
    store = make_store(database_url)
    store.enqueue("zendesk", "a", "ticket.created", "1", "{}")
    [row] = store.claim(1)
    assert store.recover_processing() == 1
    [row] = store.claim(1)
    assert store.requeue(row.id) is False  # still running: cannot be replayed
    store.finish(row.id, "failed", "boom")
    assert [e.id for e in store.events(status="failed")] == [row.id]
    assert store.requeue(row.id) is True
    assert store.event(row.id).status == "pending" and store.event(row.id).attempts == 0


def test_budget_is_shared_through_the_store(database_url):
    store = make_store(database_url)
    clock = [1_000_000.0]
    # Two "processes" with their own Budget objects share one counter: 60 rpm = 10 per window.
    budgets = [Budget(store.sessions, "zendesk", 60, max_wait=0, clock=lambda: clock[0])
               for _ in range(2)]
    for index in range(10):
        budgets[index % 2].acquire()
    with pytest.raises(RateLimited) as refused:
        budgets[0].acquire()  # the 11th call in one window
    assert 0 < refused.value.retry_after <= 10.5
    clock[0] += 10
    budgets[1].acquire()
