"""Scheduler benchmark: start-up with 100,000 pending follow-ups, firing delay, memory.

Prepares N pending follow-up rows (and their APScheduler jobs, armed by a first start), then
measures a fresh start (reconcile included), how late jobs due a few seconds later reach the
inbox, and the process's RSS. Usage: python benchmarks/scheduler.py [--jobs 100000]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from plugin.db import make_engine, migrate, session_factory, utcnow
from plugin.models import FollowUp
from plugin.scheduler import Scheduler
from plugin.store import Store


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='ft-sched-')}/bench.db"
    engine = make_engine(url)
    migrate(engine)
    store = Store(session_factory(engine))
    now = utcnow()
    rows = [{"job_id": f"survey:zendesk:{n}", "kind": "survey", "vendor": "zendesk",
             "ticket_id": str(n), "requester_id": str(n), "tz": "Europe/Istanbul",
             "run_at": now + timedelta(hours=24, seconds=n % 86400), "status": "pending",
             "payload": {}, "created_at": now, "updated_at": now} for n in range(args.jobs)]
    with engine.begin() as connection:
        for start in range(0, len(rows), 10_000):
            connection.execute(insert(FollowUp), rows[start:start + 10_000])
    began = time.perf_counter()
    first = Scheduler(store)
    armed = first.start()
    first.shutdown()
    print(f"prepared {args.jobs} pending follow-ups; first start armed {armed} jobs in "
          f"{time.perf_counter() - began:.1f} s (a one-off: an upgrade from no scheduler)")

    baseline = rss_mb()
    began = time.perf_counter()
    scheduler = Scheduler(store)
    rearmed = scheduler.start()
    started = time.perf_counter() - began
    print(f"start with {args.jobs} pending: {started:.2f} s (re-armed {rearmed}); "
          f"RSS {rss_mb():.0f} MB (before start {baseline:.0f} MB)")
    due = utcnow() + timedelta(seconds=3)
    soon = [f"promise_check:zendesk:{n}" for n in range(20)]
    with store.sessions() as session:
        for job_id in soon:
            store.upsert_followup(session, job_id, kind="promise_check", vendor="zendesk",
                                  ticket_id=job_id.rsplit(":", 1)[1], requester_id=None,
                                  run_at=due, tz="UTC", payload={})
        session.commit()
    for job_id in soon:
        scheduler.arm(job_id, due)
    delays = []
    deadline = time.time() + 30
    seen: set[str] = set()
    while len(seen) < len(soon) and time.time() < deadline:
        for row in store.events(limit=100):
            if row.event_type == "due.promise_check" and row.delivery_key not in seen:
                seen.add(row.delivery_key)
                delays.append((row.received_at - due).total_seconds())
        time.sleep(0.05)
    scheduler.shutdown()
    delays.sort()
    print(f"due jobs reached the inbox: {len(delays)}/{len(soon)}; delay after due time "
          f"median {delays[len(delays) // 2]:.2f} s, max {delays[-1]:.2f} s")
    print(f"peak RSS {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
