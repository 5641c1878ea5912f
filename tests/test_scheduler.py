"""The scheduler is only the clock: rows are the truth, restarts lose and double nothing."""

from __future__ import annotations

import socket
from datetime import timedelta

from plugin.db import utcnow
from plugin.leader import Lease
from plugin.models import KeyValue
from plugin.scheduler import Scheduler, fire
from tests.stack import wait_until


def add_followup(services, job_id: str, due, kind: str = "survey") -> None:
    with services.store.sessions() as session:
        services.store.upsert_followup(session, job_id, kind=kind, vendor="zendesk",
                                       ticket_id="7", requester_id="100", run_at=due,
                                       tz="Europe/Istanbul", payload={})
        session.commit()


def due_events(services) -> list:
    return [row for row in services.store.events(limit=1000) if row.event_type.startswith("due.")]


def test_a_due_followup_reaches_the_inbox_once(services):
    add_followup(services, "survey:zendesk:7", utcnow() + timedelta(seconds=0.5))
    scheduler = Scheduler(services.store)
    try:
        assert scheduler.start() == 1  # armed from the row
        wait_until(lambda: due_events(services), timeout=10, what="the due event")
    finally:
        scheduler.shutdown()
    fire("survey:zendesk:7")  # fired again (a duplicate run): the inbox dedupes it
    [event] = due_events(services)
    assert event.event_type == "due.survey" and event.ticket_id == "7"


def test_a_job_lost_in_a_crash_is_rearmed_and_late_jobs_still_run(services):
    # APScheduler deletes a one-shot job before running it: a crash there leaves the row
    # pending with no job. The next start re-arms it; an hour late, it still runs.
    add_followup(services, "followup_call:zendesk:7", utcnow() - timedelta(hours=1),
                 kind="followup_call")
    scheduler = Scheduler(services.store)
    try:
        scheduler.start()
        wait_until(lambda: due_events(services), timeout=10, what="the late job")
    finally:
        scheduler.shutdown()
    again = Scheduler(services.store)
    try:
        again.start()  # the row is still pending until the worker settles it
        wait_until(lambda: not again.scheduler.get_jobs(), timeout=10, what="the second run")
    finally:
        again.shutdown()
    assert len(due_events(services)) == 1


def test_reconcile_drops_jobs_whose_rows_are_settled(services):
    add_followup(services, "survey:zendesk:7", utcnow() + timedelta(days=1))
    scheduler = Scheduler(services.store)
    try:
        scheduler.start()
        assert [job.id for job in scheduler.scheduler.get_jobs()] == ["survey:zendesk:7"]
        assert services.store.cancel_followup("survey:zendesk:7", "test")
        scheduler.reconcile()
        assert scheduler.scheduler.get_jobs() == []
    finally:
        scheduler.shutdown()


def test_run_now_moves_the_row_and_queues_it(services):
    add_followup(services, "survey:zendesk:7", utcnow() + timedelta(days=1))
    assert services.store.run_now("survey:zendesk:7")
    assert len(due_events(services)) == 1
    assert services.store.run_now("nope:zendesk:1") is False


def test_one_lease_holder_and_a_standby(services):
    first, second = Lease(services.store, "worker"), Lease(services.store, "worker")
    assert first.acquire() and first.acquire()  # renewing is fine
    assert not second.acquire()
    assert second.holder() == first.owner
    first.release()
    assert second.acquire()


def test_a_dead_holder_on_this_host_is_taken_over_at_once(services):
    far_future = (utcnow() + timedelta(hours=1)).isoformat()
    with services.store.sessions() as session:
        # pid 2**22+1 cannot exist (above pid_max on Linux).
        session.add(KeyValue(key="lease:worker",
                             value=f"{socket.gethostname()}|4194305|dead|{far_future}"))
        session.commit()
    assert Lease(services.store, "worker").acquire()


def test_a_live_holder_elsewhere_is_respected_until_expiry(services):
    soon = (utcnow() + timedelta(seconds=30)).isoformat()
    with services.store.sessions() as session:
        session.add(KeyValue(key="lease:worker", value=f"other-host|1|x|{soon}"))
        session.commit()
    assert not Lease(services.store, "worker").acquire()
