"""The plugin's durable store: inbox operations, ticket state, audit actions, key/values."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, sessionmaker

from plugin.db import utcnow
from plugin.models import Action, FollowUp, InboxEvent, KeyValue, SurveyAnswer, TicketState

UNFINISHED = ("pending", "processing")
# Core, compiled once: the intake's one statement, without ORM bookkeeping on the hot path.
INSERT_EVENT = insert(InboxEvent.__table__).returning(InboxEvent.__table__.c.id)


class Store:
    """All reads and writes of the plugin's own tables go through here."""

    def __init__(self, sessions: sessionmaker[Session], clock=utcnow) -> None:
        self.sessions = sessions
        self.clock = clock
        self.engine = sessions.kw["bind"]
        self._write_lock = threading.Lock()

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
        # One writer at a time inside a process: SQLite's busy handler would otherwise sleep
        # in 1-100 ms steps under contention (a latency cliff), and the lock costs nothing.
        with self._write_lock, self.engine.connect() as connection:
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
        earlier = aliased(InboxEvent)
        blocked = exists().where(
            and_(
                earlier.vendor == InboxEvent.vendor,
                earlier.ticket_id == InboxEvent.ticket_id,
                earlier.id < InboxEvent.id,
                earlier.status.in_(UNFINISHED),
            )
        )
        due = or_(
            and_(InboxEvent.status.in_(("pending", "scheduled")),
                 InboxEvent.next_attempt_at <= now),
            and_(InboxEvent.status == "processing", InboxEvent.lease_until < now),
        )
        claimed: list[InboxEvent] = []
        with self.sessions() as session:
            ids = session.scalars(
                select(InboxEvent.id).where(due, ~blocked).order_by(InboxEvent.id).limit(limit)
            ).all()
            session.rollback()
            for event_id in ids:
                result = session.execute(
                    update(InboxEvent)
                    .where(InboxEvent.id == event_id, due)
                    .values(
                        status="processing",
                        lease_until=now + timedelta(seconds=lease_seconds),
                        attempts=InboxEvent.attempts + 1,
                    )
                )
                session.commit()
                if result.rowcount == 1:
                    claimed.append(session.get(InboxEvent, event_id))
        return claimed

    def finish(self, event_id: int, status: str, error: str | None = None) -> None:
        with self.sessions() as session:
            session.execute(
                update(InboxEvent)
                .where(InboxEvent.id == event_id)
                .values(status=status, processed_at=self.clock(), lease_until=None,
                        last_error=error)
            )
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
        session.execute(
            update(InboxEvent)
            .where(InboxEvent.id == event_id)
            .values(status="done", processed_at=self.clock(), lease_until=None, last_error=None)
        )

    def recover_processing(self) -> int:
        """At worker start: events a dead worker held go back in line at once."""
        with self.sessions() as session:
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
        with self.sessions() as session:
            session.execute(update(InboxEvent).where(InboxEvent.id == event_id).values(**values))
            session.commit()

    def requeue(self, event_id: int) -> bool:
        """Put a failed (dead-lettered) event back in line; False when there is no such event."""
        with self.sessions() as session:
            result = session.execute(
                update(InboxEvent)
                .where(InboxEvent.id == event_id, ~InboxEvent.status.in_(UNFINISHED))
                .values(status="pending", attempts=0, next_attempt_at=self.clock(), last_error=None)
            )
            session.commit()
            return result.rowcount == 1

    def events(self, status: str | None = None, limit: int = 100) -> list[InboxEvent]:
        with self.sessions() as session:
            query = select(InboxEvent).order_by(InboxEvent.id.desc()).limit(limit)
            if status:
                query = query.where(InboxEvent.status == status)
            return list(session.scalars(query))

    def event(self, event_id: int) -> InboxEvent | None:
        with self.sessions() as session:
            return session.get(InboxEvent, event_id)

    def count_by_status(self) -> dict[str, int]:
        with self.sessions() as session:
            rows = session.execute(
                select(InboxEvent.status, func.count()).group_by(InboxEvent.status)
            )
            return {status: count for status, count in rows}

    # -- ticket state ----------------------------------------------------------------------

    def ticket_state(self, vendor: str, ticket_id: str) -> TicketState | None:
        with self.sessions() as session:
            return session.get(TicketState, (vendor, ticket_id))

    def ticket_states(self, vendor: str) -> dict[str, TicketState]:
        with self.sessions() as session:
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
        with self.sessions() as session:
            query = (
                select(Action)
                .where(Action.vendor == vendor, Action.ticket_id == ticket_id)
                .order_by(Action.id)
            )
            return list(session.scalars(query))

    def action_by_marker(self, marker: str) -> Action | None:
        with self.sessions() as session:
            return session.scalars(select(Action).where(Action.marker == marker)).first()

    def begin_action(self, event_id: int | None, vendor: str, ticket_id: str, kind: str,
                     marker: str | None, detail: dict) -> Action:
        """Record the intent before calling the vendor; a crash leaves it 'sending'."""
        now = self.clock()
        with self.sessions() as session:
            existing = (
                session.scalars(select(Action).where(Action.marker == marker)).first()
                if marker
                else None
            )
            if existing is not None:
                return existing
            action = Action(event_id=event_id, vendor=vendor, ticket_id=ticket_id, kind=kind,
                            status="sending", marker=marker, detail=detail,
                            created_at=now, updated_at=now)
            session.add(action)
            session.commit()
            return action

    def record_action(self, session: Session, event_id: int | None, vendor: str, ticket_id: str,
                      kind: str, status: str, detail: dict) -> None:
        now = self.clock()
        session.add(Action(event_id=event_id, vendor=vendor, ticket_id=ticket_id, kind=kind,
                           status=status, detail=detail, created_at=now, updated_at=now))

    def set_action_status(self, session: Session, action_id: int, status: str,
                          detail: dict | None = None) -> None:
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
        with self.sessions() as session:
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
        with self.sessions() as session:
            return list(session.scalars(query))

    def pending_followups(self) -> dict[str, datetime]:
        with self.sessions() as session:
            rows = session.execute(select(FollowUp.job_id, FollowUp.run_at)
                                   .where(FollowUp.status == "pending"))
            return {job_id: run_at for job_id, run_at in rows}

    def surveyed_since(self, vendor: str, requester_id: str, since: datetime) -> bool:
        """True when REQUESTER_ID was sent a survey after SINCE (the cooldown)."""
        with self.sessions() as session:
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
        with self._write_lock, self.sessions() as session:
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
        with self.sessions() as session:
            return list(session.scalars(select(SurveyAnswer).where(
                SurveyAnswer.vendor == vendor, SurveyAnswer.ticket_id == ticket_id)))

    def run_now(self, job_id: str) -> bool:
        """Make a pending follow-up due now and hand it to the worker."""
        with self.sessions() as session:
            result = session.execute(
                update(FollowUp).where(FollowUp.job_id == job_id, FollowUp.status == "pending")
                .values(run_at=self.clock(), updated_at=self.clock()))
            session.commit()
        return result.rowcount == 1 and self.enqueue_due(job_id)

    def cancel_followup(self, job_id: str, reason: str) -> bool:
        with self.sessions() as session:
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
        with self.sessions() as session:
            row = session.get(KeyValue, key)
            return row.value if row else None

    def remember_once(self, session: Session, key: str) -> None:
        """Note KEY as seen, inside the caller's transaction (no-op when already there)."""
        if session.get(KeyValue, key) is None:
            session.add(KeyValue(key=key, value=self.clock().isoformat()))

    def set_value(self, key: str, value: str) -> None:
        with self.sessions() as session:
            session.merge(KeyValue(key=key, value=value))
            session.commit()

    def now(self) -> datetime:
        return self.clock()
