"""The one APScheduler instance: follow-up rows are the truth, the scheduler is only the clock.

Each pending follow-up row has a one-shot APScheduler job with the same deterministic id
(`<kind>:<vendor>:<ticket>`). When it fires, the job only hands the follow-up to the inbox under
a delivery key that includes its due time, and the worker runs it like any event. APScheduler
deletes a one-shot job before running it (at-most-once); the row stays pending until the worker
settles it, and `reconcile()` at every start re-arms pending rows whose job is missing, so a
crash at any point neither loses a follow-up nor, thanks to the inbox's dedupe, doubles it.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from datetime import UTC, datetime

from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from plugin.store import Store

log = logging.getLogger(__name__)
_STORE: Store | None = None  # the store of the process that runs the scheduler


def fire(job_id: str) -> None:
    """The job APScheduler runs (referenced by name, so jobs survive code reloads)."""
    if _STORE is not None:
        _STORE.enqueue_due(job_id)


class Scheduler:
    """Arms, disarms and reconciles jobs in an SQLAlchemyJobStore in the plugin's database."""

    def __init__(self, store: Store) -> None:
        self.store = store
        # Reference: https://apscheduler.readthedocs.io/en/3.x/userguide.html#missed-job-executions-and-coalescing
        # The default misfire_grace_time (1 s) silently drops jobs that are late after an
        # outage; None runs them however late, coalesced to one run.
        self.scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=store.engine,
                                                     tablename="apscheduler_jobs")},
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
            timezone=UTC,
        )

    def start(self) -> int:
        global _STORE
        _STORE = self.store
        self.scheduler.start()
        return self.reconcile()

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def arm(self, job_id: str, run_at: datetime) -> None:
        when = run_at if run_at.tzinfo else run_at.replace(tzinfo=UTC)
        self.scheduler.add_job("plugin.scheduler:fire", "date", run_date=when, id=job_id,
                               args=[job_id], replace_existing=True)

    def disarm(self, job_id: str) -> None:
        with suppress(JobLookupError):
            self.scheduler.remove_job(job_id)

    def reconcile(self) -> int:
        """Give every pending row a job at its time, and drop jobs without a pending row."""
        pending = self.store.pending_followups()
        jobs = {job.id: job.next_run_time for job in self.scheduler.get_jobs()}
        armed = 0
        for job_id, run_at in pending.items():
            when = run_at.replace(tzinfo=UTC)
            current = jobs.get(job_id)
            # The job store keeps times as floats: compare to the millisecond, not exactly.
            if current is None or abs((current - when).total_seconds()) > 0.001:
                self.arm(job_id, when)
                armed += 1
        for job_id in set(jobs) - set(pending):
            self.disarm(job_id)
        if armed:
            log.info("follow-ups re-armed", extra={"count": armed})
        return armed
