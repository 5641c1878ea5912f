"""The plugin's durable store: inbox operations, ticket state, audit actions, key/values."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, sessionmaker

from plugin.db import one_statement, reader, session_factory, utcnow, write_lock
from plugin.models import Action, FollowUp, InboxEvent, KeyValue, SurveyAnswer, TicketState

UNFINISHED = ("pending", "processing")
# Core, compiled once: the intake's one statement, without ORM bookkeeping on the hot path.
INSERT_EVENT = insert(InboxEvent.__table__).returning(InboxEvent.__table__.c.id)


def _due():
    """Rows the worker may take at :now: pending or scheduled and due, or their lease expired."""
    now = bindparam("now")
    return or_(
        and_(InboxEvent.status.in_(("pending", "scheduled")), InboxEvent.next_attempt_at <= now),
        and_(InboxEvent.status == "processing", InboxEvent.lease_until < now),
    )


def _blocked():
    """True for a row whose ticket has an earlier unfinished event (per-ticket FIFO)."""
    earlier = aliased(InboxEvent)
    return exists().where(
        and_(
            earlier.vendor == InboxEvent.vendor,
            earlier.ticket_id == InboxEvent.ticket_id,
            earlier.id < InboxEvent.id,
            earlier.status.in_(UNFINISHED),
        )
    )


# The worker's statements are built once: building a SQLAlchemy expression costs more CPU
# than running it (~1.5 ms for the claim query), and a prebuilt one hits the compiled cache.
CLAIMABLE = (select(InboxEvent.id).where(_due(), ~_blocked()).order_by(InboxEvent.id)
             .limit(bindparam("limit")))
CLAIM = (update(InboxEvent)
         .where(InboxEvent.id.in_(bindparam("ids", expanding=True)), _due())
         .values(status="processing", lease_until=bindparam("lease_until"),
                 attempts=InboxEvent.attempts + 1)
         .returning(InboxEvent))
FINISH = (update(InboxEvent.__table__).where(InboxEvent.__table__.c.id == bindparam("event_id"))
          .values(status=bindparam("status"), processed_at=bindparam("now"), lease_until=None,
                  last_error=bindparam("error")))
ACTION_BY_MARKER = select(Action).where(Action.marker == bindparam("marker"))
ACTION_COLUMNS = ("event_id", "vendor", "ticket_id", "kind", "status", "marker", "detail",
                  "created_at", "updated_at")
INSERT_ACTION = insert(Action.__table__).returning(Action.__table__.c.id)
ACTION_STATUS = (update(Action.__table__).where(Action.__table__.c.id == bindparam("action_id"))
                 .values(status=bindparam("status"), updated_at=bindparam("now")))


class Store:
    """All reads and writes of the plugin's own tables go through here."""

    def __init__(self, sessions: sessionmaker[Session], clock=utcnow) -> None:
        self.sessions = sessions
        self.clock = clock
        self.engine = sessions.kw["bind"]
        self.reads = session_factory(reader(self.engine))
        self._inserts = one_statement(self.engine)
        self._write_lock = write_lock(self.engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session for one write transaction, holding this process's write lock (SQLite)."""
        with self._write_lock, self.sessions() as session:
            yield session

    # -- inbox -----------------------------------------------------------------------------

    def enqueue(
        self,
        vendor: str,
        delivery_key: str,
        event_type: str,
        ticket_id: str,
        payload: str,
        status: str = "pending",
    ) -> tuple[int | None, bool]:
        """Commit one delivery; returns (row id, False) or (None, True) for a duplicate."""
        now = self.clock()
        row = {
            "vendor": vendor, "delivery_key": delivery_key, "event_type": event_type,
            "ticket_id": ticket_id, "payload": payload, "status": status, "attempts": 0,
            "received_at": now, "next_attempt_at": now,
            "processed_at": now if status != "pending" else None,
        }
        # One writer at a time inside a process (see db.write_lock), held only from BEGIN to
        # COMMIT; Core, not the ORM; on PostgreSQL the INSERT is the whole transaction
        # (db.one_statement), committed before the sender hears 2xx all the same.
        with self._inserts.connect() as connection:
            with self._write_lock:
                try:
                    event_id = connection.execute(INSERT_EVENT, row).scalar_one()
                    connection.commit()
                except IntegrityError:
                    connection.rollback()
                    return None, True
            return event_id, False

    def claim(self, limit: int, lease_seconds: int = 120) -> list[InboxEvent]:
        """Claim up to LIMIT due events whose ticket has no earlier unfinished event."""
        now = self.clock()
        with self.reads() as session:
            ids = session.scalars(CLAIMABLE, {"now": now, "limit": limit}).all()
        if not ids:
            return []
        # All of them in one statement and one transaction. The UPDATE checks again that each
        # row is still due, so a row another worker claimed since the read is left out; a
        # crash before the commit claims none of them, after it their leases run as before.
        with self.transaction() as session:
            claimed = session.scalars(
                CLAIM, {"ids": ids, "now": now,
                        "lease_until": now + timedelta(seconds=lease_seconds)},
                execution_options={"synchronize_session": False},
            ).all()
            session.commit()
        return sorted(claimed, key=lambda row: row.id)

    def finish(self, event_id: int, status: str, error: str | None = None) -> None:
        with self.transaction() as session:
            session.execute(FINISH, {"event_id": event_id, "status": status,
                                     "now": self.clock(), "error": error})
            session.commit()

    def schedule(self, session: Session, vendor: str, delivery_key: str, event_type: str,
                 ticket_id: str, payload: str, due: datetime) -> None:
        """Queue an internal event due later, inside the caller's transaction (an outbox).

        A scheduled event does not hold up the ticket's other events while it waits.
        """
        exists_already = session.scalar(select(InboxEvent.id).where(
            InboxEvent.vendor == vendor, InboxEvent.delivery_key == delivery_key))
        if exists_already is None:
            session.add(InboxEvent(vendor=vendor, delivery_key=delivery_key,
                                   event_type=event_type, ticket_id=ticket_id, payload=payload,
                                   status="scheduled", attempts=0, received_at=self.clock(),
                                   next_attempt_at=due))

    def mark_done(self, session: Session, event_id: int) -> None:
        """Complete an event inside the caller's transaction (with its effects)."""
        session.execute(FINISH, {"event_id": event_id, "status": "done", "now": self.clock(),
                                 "error": None})

    def recover_processing(self) -> int:
        """At worker start: events a dead worker held go back in line at once."""
        with self.transaction() as session:
            result = session.execute(
                update(InboxEvent)
                .where(InboxEvent.status == "processing")
                .values(status="pending", lease_until=None, next_attempt_at=self.clock())
            )
            session.commit()
            return result.rowcount

    def retry_later(self, event_id: int, delay_seconds: float, error: str,
                    refund_attempt: bool = False) -> None:
        """Back in line after DELAY_SECONDS. REFUND_ATTEMPT: the vendor asked us to wait (429),
        which spends none of the event's retry budget."""
        values = {"status": "pending", "lease_until": None, "last_error": error,
                  "next_attempt_at": self.clock() + timedelta(seconds=delay_seconds)}
        if refund_attempt:
            values["attempts"] = InboxEvent.attempts - 1
        with self.transaction() as session:
            session.execute(update(InboxEvent).where(InboxEvent.id == event_id).values(**values))
            session.commit()

    def requeue(self, event_id: int) -> bool:
        """Put a failed (dead-lettered) event back in line; False when there is no such event."""
        with self.transaction() as session:
            result = session.execute(
                update(InboxEvent)
                .where(InboxEvent.id == event_id, ~InboxEvent.status.in_(UNFINISHED))
                .values(status="pending", attempts=0, next_attempt_at=self.clock(), last_error=None)
            )
            session.commit()
            return result.rowcount == 1

    def events(self, status: str | None = None, limit: int = 100) -> list[InboxEvent]:
        with self.reads() as session:
            query = select(InboxEvent).order_by(InboxEvent.id.desc()).limit(limit)
            if status:
                query = query.where(InboxEvent.status == status)
            return list(session.scalars(query))

    def event(self, event_id: int) -> InboxEvent | None:
        with self.reads() as session:
            return session.get(InboxEvent, event_id)

    def count_by_status(self) -> dict[str, int]:
        with self.reads() as session:
            rows = session.execute(
                select(InboxEvent.status, func.count()).group_by(InboxEvent.status)
            )
            return {status: count for status, count in rows}

    # -- ticket state ----------------------------------------------------------------------

    def ticket_state(self, vendor: str, ticket_id: str,
                     session: Session | None = None) -> TicketState | None:
        """The ticket's state row; inside the caller's transaction when SESSION is given."""
        if session is not None:
            return session.get(TicketState, (vendor, ticket_id))
        with self.reads() as own:
            return own.get(TicketState, (vendor, ticket_id))

    def ticket_states(self, vendor: str) -> dict[str, TicketState]:
        with self.reads() as session:
            rows = session.scalars(select(TicketState).where(TicketState.vendor == vendor))
            return {row.ticket_id: row for row in rows}

    def save_ticket_state(self, session: Session, vendor: str, ticket_id: str, **values) -> None:
        """Create or update the state row inside the caller's transaction."""
        row = session.get(TicketState, (vendor, ticket_id))
        now = self.clock()
        if row is None:
            row = TicketState(
                vendor=vendor,
                ticket_id=ticket_id,
                playbooks=[],
                flags=[],
                memory={},
                first_seen_at=now,
                updated_at=now,
            )
            session.add(row)
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_at = now

    # -- actions ---------------------------------------------------------------------------

    def actions(self, vendor: str, ticket_id: str) -> list[Action]:
        with self.reads() as session:
            query = (
                select(Action)
                .where(Action.vendor == vendor, Action.ticket_id == ticket_id)
                .order_by(Action.id)
            )
            return list(session.scalars(query))

    def action_by_marker(self, marker: str) -> Action | None:
        with self.reads() as session:
            return session.scalars(ACTION_BY_MARKER, {"marker": marker}).first()

    def begin_action(self, event_id: int | None, vendor: str, ticket_id: str, kind: str,
                     marker: str | None, detail: dict) -> Action:
        """Record the intent before calling the vendor; a crash leaves it 'sending'."""
        now = self.clock()
        with self.transaction() as session:
            existing = (
                session.scalars(ACTION_BY_MARKER, {"marker": marker}).first() if marker else None
            )
            if existing is not None:
                return existing
            action = Action(event_id=event_id, vendor=vendor, ticket_id=ticket_id, kind=kind,
                            status="sending", marker=marker, detail=detail,
                            created_at=now, updated_at=now)
            # Core, not the unit of work: the caller only reads the returned row.
            action.id = session.execute(INSERT_ACTION, {
                column: getattr(action, column) for column in ACTION_COLUMNS}).scalar_one()
            session.commit()
            return action

    def record_action(self, session: Session, event_id: int | None, vendor: str, ticket_id: str,
                      kind: str, status: str, detail: dict) -> None:
        now = self.clock()
        session.add(Action(event_id=event_id, vendor=vendor, ticket_id=ticket_id, kind=kind,
                           status=status, detail=detail, created_at=now, updated_at=now))

    def set_action_status(self, session: Session, action_id: int, status: str,
                          detail: dict | None = None) -> None:
        if detail is None:
            session.execute(ACTION_STATUS, {"action_id": action_id, "status": status,
                                            "now": self.clock()})
            return
        action = session.get(Action, action_id)
        action.status = status
        action.updated_at = self.clock()
        if detail is not None:
            action.detail = {**action.detail, **detail}

    # -- follow-ups ------------------------------------------------------------------------

    def upsert_followup(self, session: Session, job_id: str, **values) -> None:
        """Create or re-arm the follow-up JOB_ID as pending (a newer promise replaces the older)."""
        row = session.get(FollowUp, job_id)
        now = self.clock()
        if row is None:
            row = FollowUp(job_id=job_id, created_at=now)
            session.add(row)
        for key, value in values.items():
            setattr(row, key, value)
        row.status, row.reason, row.updated_at = "pending", None, now

    def settle_followup(self, session: Session, job_id: str, status: str,
                        reason: str | None = None) -> bool:
        """Mark a pending follow-up done, skipped or cancelled; False if it was not pending."""
        result = session.execute(
            update(FollowUp).where(FollowUp.job_id == job_id, FollowUp.status == "pending")
            .values(status=status, reason=reason, updated_at=self.clock()))
        return result.rowcount == 1

    def followup(self, job_id: str) -> FollowUp | None:
        with self.reads() as session:
            return session.get(FollowUp, job_id)

    def followups(self, vendor: str | None = None, ticket_id: str | None = None,
                  status: str | None = None, limit: int = 200) -> list[FollowUp]:
        query = select(FollowUp).order_by(FollowUp.run_at).limit(limit)
        if vendor:
            query = query.where(FollowUp.vendor == vendor)
        if ticket_id:
            query = query.where(FollowUp.ticket_id == ticket_id)
        if status:
            query = query.where(FollowUp.status == status)
        with self.reads() as session:
            return list(session.scalars(query))

    def pending_followups(self) -> dict[str, datetime]:
        with self.reads() as session:
            rows = session.execute(select(FollowUp.job_id, FollowUp.run_at)
                                   .where(FollowUp.status == "pending"))
            return {job_id: run_at for job_id, run_at in rows}

    def surveyed_since(self, vendor: str, requester_id: str, since: datetime) -> bool:
        """True when REQUESTER_ID was sent a survey after SINCE (the cooldown)."""
        with self.reads() as session:
            return session.scalar(
                select(FollowUp.job_id).where(
                    FollowUp.vendor == vendor, FollowUp.requester_id == requester_id,
                    FollowUp.kind == "survey", FollowUp.status == "done",
                    FollowUp.updated_at >= since).limit(1)) is not None

    def save_survey_answer(self, token_id: str, vendor: str, ticket_id: str,
                           scores: dict[str, int | None], comment: str | None) -> bool:
        """Store one answer and queue its write-back, atomically; False if the link was used."""
        payload = {"internal": "survey.answered", "change": {
            "token_id": token_id, **scores, "comment": comment}}
        now = self.clock()
        with self.transaction() as session:
            session.add(SurveyAnswer(token_id=token_id, vendor=vendor, ticket_id=ticket_id,
                                     csat=scores.get("csat"), nps=scores.get("nps"),
                                     ces=scores.get("ces"), comment=comment, answered_at=now))
            session.add(InboxEvent(vendor=vendor, delivery_key=f"survey:{token_id}",
                                   event_type="survey.answered", ticket_id=ticket_id,
                                   payload=json.dumps(payload), status="pending", attempts=0,
                                   received_at=now, next_attempt_at=now))
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                return False
            return True

    def survey_answers(self, vendor: str, ticket_id: str) -> list[SurveyAnswer]:
        with self.reads() as session:
            return list(session.scalars(select(SurveyAnswer).where(
                SurveyAnswer.vendor == vendor, SurveyAnswer.ticket_id == ticket_id)))

    def run_now(self, job_id: str) -> bool:
        """Make a pending follow-up due now and hand it to the worker."""
        with self.transaction() as session:
            result = session.execute(
                update(FollowUp).where(FollowUp.job_id == job_id, FollowUp.status == "pending")
                .values(run_at=self.clock(), updated_at=self.clock()))
            session.commit()
        return result.rowcount == 1 and self.enqueue_due(job_id)

    def cancel_followup(self, job_id: str, reason: str) -> bool:
        with self.transaction() as session:
            done = self.settle_followup(session, job_id, "cancelled", reason)
            session.commit()
            return done

    def enqueue_due(self, job_id: str) -> bool:
        """Hand a due follow-up to the inbox (deduped per job and due time)."""
        row = self.followup(job_id)
        if row is None or row.status != "pending":
            return False
        payload = {"internal": f"due.{row.kind}", "change": {
            "job_id": row.job_id, "kind": row.kind, "run_at": row.run_at.isoformat() + "Z",
            "tz": row.tz, **(row.payload or {})}}
        _, duplicate = self.enqueue(row.vendor, f"due:{job_id}:{row.run_at.isoformat()}",
                                    f"due.{row.kind}", row.ticket_id, json.dumps(payload))
        return not duplicate

    # -- key/values ------------------------------------------------------------------------

    def get_value(self, key: str) -> str | None:
        with self.reads() as session:
            row = session.get(KeyValue, key)
            return row.value if row else None

    def remember_once(self, session: Session, key: str) -> None:
        """Note KEY as seen, inside the caller's transaction (no-op when already there)."""
        if session.get(KeyValue, key) is None:
            session.add(KeyValue(key=key, value=self.clock().isoformat()))

    def set_value(self, key: str, value: str) -> None:
        with self.transaction() as session:
            session.merge(KeyValue(key=key, value=value))
            session.commit()

    def now(self) -> datetime:
        return self.clock()
