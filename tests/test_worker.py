"""The worker loop: every event once, a ticket's events in order, fewer claims under a backlog."""

from __future__ import annotations

import threading
import time

from plugin.worker import Worker


class RecordingProcessor:
    """Finishes each row after a short pause and notes which tickets were running at once."""

    def __init__(self, store) -> None:
        self.store = store
        self.done: list[str] = []
        self.running: set[str] = set()
        self.overlaps = 0
        self.lock = threading.Lock()

    def warm_up(self) -> None:
        pass

    def process(self, row) -> str:
        with self.lock:
            self.overlaps += row.ticket_id in self.running
            self.running.add(row.ticket_id)
        time.sleep(0.02)
        with self.lock:
            self.running.discard(row.ticket_id)
            self.done.append(row.delivery_key)
        self.store.finish(row.id, "done")
        return "done"


def test_a_backlog_is_claimed_two_rounds_at_a_time_in_ticket_order(services):
    store = services.store
    keys = [f"{ticket}-{n}" for n in range(3) for ticket in "abcdefgh"]
    for key in keys:
        store.enqueue("zendesk", key, "ticket.created", key.split("-")[0], "{}")
    asked: list[int] = []
    claim = store.claim

    def counting_claim(limit, lease_seconds=120):
        rows = claim(limit, lease_seconds)
        if rows:
            asked.append(len(rows))
        return rows

    store.claim = counting_claim
    processor = RecordingProcessor(store)
    stop = threading.Event()
    runner = threading.Thread(target=Worker(store, processor, threads=2).run, args=(stop,))
    runner.start()
    deadline = time.monotonic() + 20
    while len(processor.done) < len(keys) and time.monotonic() < deadline:
        time.sleep(0.02)
    stop.set()
    runner.join(10)
    assert sorted(processor.done) == sorted(keys)  # each once
    for ticket in "abcdefgh":
        assert [k for k in processor.done if k.startswith(ticket)] == \
            [f"{ticket}-{n}" for n in range(3)]
    assert processor.overlaps == 0
    assert asked[0] == 4  # two threads' worth running and two more queued behind them
    assert len(asked) < len(keys)
