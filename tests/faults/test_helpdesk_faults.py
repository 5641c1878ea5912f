"""The helpdesk misbehaves under the worker: 5xx, 429 storms, stalls and connection resets.

Tickets are opened while the helpdesk is healthy (worker stopped, so every webhook is in the
inbox), then the sandbox's faults are switched on and the worker started. Every ticket must end
with exactly one guidance note — counted by the sandbox, which faults don't touch — and nothing
may be dead-lettered while the retry budget allows. With a budget of two attempts and every call
failing, an event is dead-lettered only once both are spent, and a replay writes one note.
"""

from __future__ import annotations

import random
import time

import pytest

from tests.faults.common import SCALE, ledger
from tests.stack import Stack, wait_until

ORDER_TR = "Merhaba, 48213977 numaralı siparişim gelmedi, kargo takip numarası çalışmıyor."
TICKETS = 4 * SCALE
STALL_SECONDS = 10.0  # slower than any healthy call, under the plugin's 15-s HTTP timeout
# The plugin's own client-side budget is not under test here: only the helpdesk's limits bite.
ROOMY_BUDGET = {"zendesk_rpm": 100_000, "freshdesk_rpm": 100_000}
HEALTHY = {"error_rate": 0.0, "stall_rate": 0.0, "reset_rate": 0.0,
           "rate_limit_rpm": 100_000, "rate_limit_window": 60}
RATE_LIMIT = {"rate_limit_rpm": 3, "rate_limit_window": 1}
VENDORS = pytest.mark.parametrize("vendor", ["zendesk", "freshdesk"])


def stall_faults(tickets: int, stalls: int) -> dict:
    """A seed and rate that stall exactly STALLS of the plugin's first ~12 calls per ticket,
    the first of them among its first TICKETS calls (so it is certainly reached).

    The sandbox draws three numbers per request from one seeded generator (stall, reset,
    error), so the Nth request's fate is fixed whatever thread sends it.
    """
    horizon = 12 * tickets + 20
    rate = stalls / horizon
    for seed in range(10_000):
        rng = random.Random(seed)
        hits = []
        for index in range(horizon):
            if rng.random() < rate:
                hits.append(index)
            rng.random()
            rng.random()
        if len(hits) == stalls and hits[0] < tickets:
            return {"stall_seconds": STALL_SECONDS, "stall_rate": rate, "seed": seed}
    raise AssertionError("no seed gives the wanted stalls")


SCENARIOS = {
    "5xx": lambda: {"error_rate": 0.3, "seed": 5},
    "429": lambda: dict(RATE_LIMIT),
    "stalls": lambda: stall_faults(TICKETS, SCALE),
    "resets": lambda: {"reset_rate": 0.2, "seed": 11},
}


def open_tickets(stack: Stack, count: int) -> tuple[list[int], int]:
    """COUNT tickets opened while all is healthy; (their ids, how many the intake stored)."""
    ids = [stack.client.create_customer_ticket(ORDER_TR, lang="tr") for _ in range(count)]

    def created() -> set[str]:
        return {row.ticket_id for row in stack.services.store.events(limit=10_000)
                if row.event_type == "ticket.created"}

    wait_until(lambda: len(created()) == count and not stack.stats()["webhooks"]["pending"],
               what="every ticket.created event in the inbox")
    stored = created()
    return ids, sum(1 for ticket_id in ids if str(ticket_id) in stored)


def account(stack: Stack, ids: list[int], acked: int, label: str) -> str:
    """Print and return the scenario's ledger line; assert one note per ticket."""
    notes = {ticket_id: stack.note_count(ticket_id) for ticket_id in ids}
    processed = sum(1 for n in notes.values() if n >= 1)
    lost = sorted(t for t, n in notes.items() if n == 0)
    doubled = sorted(t for t, n in notes.items() if n > 1)
    line = f"helpdesk faults {stack.vendor} {label}: " + ledger(
        len(ids), acked, processed, len(lost), len(doubled))
    print(f"{line}  (sandbox answers: {stack.stats()['requests_by_status']})")
    assert acked == len(ids)
    assert lost == [], f"tickets without their note: {lost}"
    assert doubled == [], f"tickets with more than one note: {doubled}"
    untagged = [t for t in ids
                if not any(tag.startswith("ft_playbook_") for tag in stack.ticket(t)["tags"])]
    assert untagged == [], f"noted but not tagged: {untagged}"
    return line


def fault_seen(stack: Stack, scenario: str, elapsed: float) -> bool:
    answers = stack.stats()["requests_by_status"]
    return {
        "5xx": lambda: any(answers.get(code) for code in ("500", "502", "503")),
        "429": lambda: bool(answers.get("429")),
        "stalls": lambda: elapsed >= STALL_SECONDS,
        "resets": lambda: bool(answers.get("reset")),
    }[scenario]()


@VENDORS
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_every_ticket_gets_one_note_through_the_faults(tmp_path, vendor, scenario):
    stack = Stack(tmp_path, vendor=vendor, worker=False, **ROOMY_BUDGET)
    try:
        ids, acked = open_tickets(stack, TICKETS)
        stack.faults(**SCENARIOS[scenario]())
        started = time.monotonic()
        stack.start_worker()
        wait_until(lambda: all(stack.note_count(t) for t in ids), timeout=60 + 30 * SCALE,
                   what="a note on every ticket")
        elapsed = time.monotonic() - started
        assert fault_seen(stack, scenario, elapsed), f"the {scenario} never happened"
        if scenario == "429":
            # Retry-After is honoured: a client that hammered would collect far more refusals.
            windows = elapsed / RATE_LIMIT["rate_limit_window"] + 1
            refused = stack.stats()["requests_by_status"].get("429", 0)
            assert refused <= 4 * windows, f"{refused} 429s in {elapsed:.1f} s"
        stack.faults(**HEALTHY)
        wait_until(stack.settled, timeout=60, what="the stack to settle")
        failed = stack.services.store.events(status="failed")
        assert failed == [], [(e.id, e.event_type, e.attempts, e.last_error) for e in failed]
        account(stack, ids, acked, scenario)
    finally:
        stack.close()


@VENDORS
def test_dead_lettered_only_after_the_attempts_are_spent_then_replayed(tmp_path, vendor):
    stack = Stack(tmp_path, vendor=vendor, worker=False, max_attempts=2, **ROOMY_BUDGET)
    budget = stack.settings.max_attempts
    try:
        ids, acked = open_tickets(stack, 2 * SCALE)
        stack.faults(error_rate=1.0, seed=3)
        stack.start_worker()
        seen: dict[int, set[tuple[str, int]]] = {}

        def all_failed() -> bool:
            rows = [e for e in stack.services.store.events(limit=10_000)
                    if e.event_type == "ticket.created"]
            for row in rows:
                seen.setdefault(row.id, set()).add((row.status, row.attempts))
            return len(rows) == len(ids) and all(row.status == "failed" for row in rows)

        wait_until(all_failed, timeout=60 + 20 * SCALE, what="every event dead-lettered")
        failed = stack.services.store.events(status="failed", limit=10_000)
        assert sorted(e.id for e in failed) == sorted(seen)
        for row in failed:
            assert row.attempts == budget, (row.id, row.attempts)
            assert row.last_error.startswith("retry budget spent"), row.last_error
            # Dead-lettered at the last attempt, never before: earlier ones went back in line.
            assert all(attempts == budget for status, attempts in seen[row.id]
                       if status == "failed"), seen[row.id]
            assert ("pending", 1) in seen[row.id], seen[row.id]
        assert [stack.note_count(t) for t in ids] == [0] * len(ids)

        stack.faults(**HEALTHY)
        for row in failed:
            assert stack.services.store.requeue(row.id)
        wait_until(lambda: all(stack.note_count(t) for t in ids), timeout=60,
                   what="a note on every ticket after the replay")
        wait_until(stack.settled, timeout=60, what="the stack to settle")
        assert stack.services.store.events(status="failed") == []
        account(stack, ids, acked, "dead-letter+replay")
    finally:
        stack.close()
