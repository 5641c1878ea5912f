"""The worker: drains the inbox with a thread pool, one ticket's events in order."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from plugin.processing import Processor
from plugin.store import Store

log = logging.getLogger(__name__)
LEASE_SECONDS = 300


class Worker:
    """Claims due events (per-ticket FIFO is enforced by the claim query) and processes them."""

    def __init__(self, store: Store, processor: Processor, threads: int = 4,
                 poll_seconds: float = 0.1) -> None:
        self.store = store
        self.processor = processor
        self.threads = threads
        self.poll_seconds = poll_seconds

    def run(self, stop: threading.Event) -> None:
        """Process events until STOP is set."""
        self.processor.warm_up()
        recovered = self.store.recover_processing()
        if recovered:
            log.info("events taken back from a stopped worker", extra={"count": recovered})
        inflight: set[Future] = set()
        with ThreadPoolExecutor(self.threads, thread_name_prefix="ft-worker") as pool:
            while not stop.is_set():
                claimed = self._fill(pool, inflight)
                if inflight:
                    done, _ = wait(inflight, timeout=self.poll_seconds,
                                   return_when=FIRST_COMPLETED)
                    inflight -= done
                elif not claimed:
                    stop.wait(self.poll_seconds)
            wait(inflight)

    def _fill(self, pool: ThreadPoolExecutor, inflight: set[Future]) -> int:
        """Claim more work once a thread is free, up to a second round queued behind the
        running one: under a backlog one claim then serves several events, not one.

        Queued rows are claimed like running ones (a lease, taken back at the next start),
        and are all of different tickets: the claim never hands out a ticket's later event
        while an earlier one is unfinished.
        """
        if len(inflight) >= self.threads:
            return 0
        try:
            rows = self.store.claim(2 * self.threads - len(inflight), LEASE_SECONDS)
        except Exception:
            log.exception("could not claim events; will try again")
            return 0
        for row in rows:
            inflight.add(pool.submit(self.processor.process, row))
        return len(rows)

    def drain(self, max_rounds: int = 1000) -> int:
        """Process everything due now, synchronously (tests and `followthrough replay`)."""
        processed = 0
        for _ in range(max_rounds):
            rows = self.store.claim(self.threads, LEASE_SECONDS)
            if not rows:
                break
            for row in rows:
                self.processor.process(row)
                processed += 1
        return processed
