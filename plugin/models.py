"""SQLAlchemy models: the inbox, the audit trail of actions, per-ticket state, small key/values."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class InboxEvent(Base):
    """One acknowledged webhook delivery; the row is committed before the sender gets its 2xx."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("vendor", "delivery_key", name="uq_inbox_delivery"),
        Index("ix_inbox_claim", "status", "next_attempt_at"),
        Index("ix_inbox_ticket", "vendor", "ticket_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    vendor: Mapped[str] = mapped_column(String(16))
    delivery_key: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(80))
    ticket_id: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class Action(Base):
    """What the plugin did (or decided not to do) on a ticket, and why: the audit trail."""

    __tablename__ = "actions"
    __table_args__ = (Index("ix_actions_ticket", "vendor", "ticket_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    vendor: Mapped[str] = mapped_column(String(16))
    ticket_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16))
    marker: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class TicketState(Base):
    """What the plugin knows and remembers about one ticket."""

    __tablename__ = "ticket_state"

    vendor: Mapped[str] = mapped_column(String(16), primary_key=True)
    ticket_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    requester_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    group_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    playbooks: Mapped[list] = mapped_column(JSON, default=list)
    flags: Mapped[list] = mapped_column(JSON, default=list)
    memory: Mapped[dict] = mapped_column(JSON, default=dict)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class KeyValue(Base):
    """Small durable facts: the API user's id, the reconciliation cursor."""

    __tablename__ = "key_value"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class RateWindow(Base):
    """Vendor API calls counted per time window, shared by every process of a deployment."""

    __tablename__ = "rate_window"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    window: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class FollowUp(Base):
    """A follow-up the plugin owes a ticket; this row is the truth, APScheduler only the clock."""

    __tablename__ = "followups"
    __table_args__ = (
        Index("ix_followups_status_run_at", "status", "run_at"),
        Index("ix_followups_ticket", "vendor", "ticket_id"),
        Index("ix_followups_requester", "vendor", "requester_id", "kind"),
    )

    job_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    vendor: Mapped[str] = mapped_column(String(16))
    ticket_id: Mapped[str] = mapped_column(String(40))
    requester_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    run_at: Mapped[datetime] = mapped_column(DateTime)
    tz: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class SurveyAnswer(Base):
    """One customer's answer to one survey link; the token id makes every link single-use."""

    __tablename__ = "survey_answers"

    token_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    vendor: Mapped[str] = mapped_column(String(16))
    ticket_id: Mapped[str] = mapped_column(String(40), index=True)
    csat: Mapped[int | None] = mapped_column(Integer, nullable=True)
    nps: Mapped[int | None] = mapped_column(Integer, nullable=True)
    ces: Mapped[int | None] = mapped_column(Integer, nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_at: Mapped[datetime] = mapped_column(DateTime)


class ChecklistTick(Base):
    """An agent ticked (or unticked) one step of a playbook's checklist in the side panel."""

    __tablename__ = "checklist_ticks"

    vendor: Mapped[str] = mapped_column(String(16), primary_key=True)
    ticket_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    playbook_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    step: Mapped[int] = mapped_column(Integer, primary_key=True)
    done: Mapped[bool] = mapped_column(Boolean, default=True)
    agent_id: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime)
