"""The store on SQLite and PostgreSQL: migrations, dedupe, per-ticket order, leases, requeue."""

import time
from datetime import timedelta

import pytest
from sqlalchemy import text

from plugin.db import make_engine, migrate, session_factory, utcnow
from plugin.helpdesk.budget import Budget
from plugin.helpdesk.errors import RateLimited
from plugin.models import RateWindow
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


def test_budget_reserves_a_batch_per_transaction_and_never_more_than_the_window(database_url):
    store = make_store(database_url)
    clock = [1_000_000.0]
    # 1,200 rpm = 200 calls per window, reserved 10 at a time (a twentieth of the window).
    budgets = [Budget(store.sessions, "zendesk", 1200, max_wait=0, clock=lambda: clock[0])
               for _ in range(2)]
    assert budgets[0].batch == 10
    budgets[0].acquire()
    assert shared_count(store, clock[0]) == 10  # one transaction reserved ten calls
    for _ in range(9):
        budgets[0].acquire()
    assert shared_count(store, clock[0]) == 10  # the next nine came from the reservation
    for index in range(180):
        budgets[index % 2].acquire()
    for _ in range(10):
        budgets[1].acquire()
    assert shared_count(store, clock[0]) == 200
    with pytest.raises(RateLimited):
        budgets[0].acquire()  # together the two processes spent the window exactly


def test_an_unused_reservation_expires_with_its_window(database_url):
    store = make_store(database_url)
    clock = [1_000_000.0]
    budget = Budget(store.sessions, "zendesk", 1200, max_wait=0, clock=lambda: clock[0])
    budget.acquire()
    clock[0] += 10
    budget.acquire()  # nine calls of the old window are left, but this is a new window
    assert shared_count(store, clock[0]) == 10


def shared_count(store: Store, now: float) -> int:
    with store.sessions() as session:
        return session.get(RateWindow, ("zendesk", int(now // 10))).count


def test_reads_do_not_wait_for_a_writer(tmp_path):
    store = make_store(f"sqlite:///{tmp_path}/ft.db")
    store.enqueue("zendesk", "a", "ticket.created", "1", "{}")
    with store.transaction() as writer:
        writer.execute(text("UPDATE inbox SET attempts = 5"))  # holds SQLite's write lock
        started = time.monotonic()
        assert [row.delivery_key for row in store.events()] == ["a"]
        assert store.get_value("missing") is None
        assert time.monotonic() - started < 0.5  # the busy timeout is 2 s
        writer.rollback()
