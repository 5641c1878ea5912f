"""The panel's reads and writes in the database: ticks, once-only app tokens, a ticket's record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from plugin.models import ChecklistTick, FollowUp, KeyValue, SurveyAnswer, TicketState
from plugin.store import Store

USED_TOKEN_PREFIX = "panel_token:"  # noqa: S105 - a key prefix, not a secret
USED_TOKEN_KEEP = timedelta(days=1)  # far beyond any app token's life


@dataclass(frozen=True)
class TicketRecord:
    """Everything stored about one ticket that the panel shows."""

    state: TicketState | None
    followups: list[FollowUp]
    answers: list[SurveyAnswer]
    ticks: dict[tuple[str, int], bool]


def ticket_record(store: Store, vendor: str, ticket_id: str) -> TicketRecord:
    """One read transaction for the whole panel (a snapshot: it never waits for writers)."""
    with store.reads() as session:
        state = session.get(TicketState, (vendor, ticket_id))
        followups = list(session.scalars(
            select(FollowUp).where(FollowUp.vendor == vendor, FollowUp.ticket_id == ticket_id)
            .order_by(FollowUp.run_at)))
        answers = list(session.scalars(
            select(SurveyAnswer).where(SurveyAnswer.vendor == vendor,
                                       SurveyAnswer.ticket_id == ticket_id)
            .order_by(SurveyAnswer.answered_at)))
        ticks = {(row.playbook_id, row.step): row.done for row in session.scalars(
            select(ChecklistTick).where(ChecklistTick.vendor == vendor,
                                        ChecklistTick.ticket_id == ticket_id))}
    return TicketRecord(state, followups, answers, ticks)


def set_tick(store: Store, vendor: str, ticket_id: str, playbook_id: str, step: int,
             done: bool, agent_id: str) -> None:
    with store.sessions() as session:
        session.merge(ChecklistTick(vendor=vendor, ticket_id=ticket_id, playbook_id=playbook_id,
                                    step=step, done=done, agent_id=agent_id,
                                    updated_at=store.now()))
        session.commit()


def use_token_once(store: Store, fingerprint: str) -> bool:
    """True the first time FINGERPRINT is seen; False for a replayed app token. Old entries go."""
    now = store.now()
    try:
        with store.sessions() as session:
            if session.get(KeyValue, USED_TOKEN_PREFIX + fingerprint) is not None:
                return False
            session.add(KeyValue(key=USED_TOKEN_PREFIX + fingerprint, value=now.isoformat()))
            session.execute(delete(KeyValue).where(
                KeyValue.key.startswith(USED_TOKEN_PREFIX),
                KeyValue.value < (now - USED_TOKEN_KEEP).isoformat()))
            session.commit()
    except IntegrityError:
        return False  # the same token raced in through another request
    return True


def followup_of(store: Store, vendor: str, ticket_id: str, job_id: str) -> FollowUp | None:
    """The follow-up JOB_ID when it belongs to the ticket, else None."""
    row = store.followup(job_id)
    if row is None or row.vendor != vendor or row.ticket_id != ticket_id:
        return None
    return row
