"""What handlers decide: small values the worker merges into one vendor update and store writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from plugin.tickets import TicketUpdate


@dataclass(frozen=True)
class Note:
    """A private note; KEY makes it once-only per ticket (e.g. "guidance:complaint")."""

    html: str
    key: str


@dataclass(frozen=True)
class Tags:
    add: frozenset[str] = frozenset()
    remove: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Field:
    """A custom field value, by the field's configured name."""

    name: str
    value: Any


@dataclass(frozen=True)
class Remember:
    """Store-only: keep VALUE under KEY in the ticket's memory (language, playbooks, notes…)."""

    key: str
    value: Any


@dataclass(frozen=True)
class Flag:
    """A named concern on the ticket, with who and which group it concerns (for reports)."""

    kind: str
    detail: str = ""
    group: str | None = None
    agent: str | None = None


@dataclass(frozen=True)
class Later:
    """Run the handlers of NAME for this ticket at DUE (e.g. a check 10 minutes after a
    transfer); KEY makes it once-only."""

    name: str
    due: datetime
    key: str
    change: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Schedule:
    """Owe the ticket a follow-up of KIND at RUN_AT (aware UTC); replaces a pending one."""

    kind: str
    run_at: datetime
    tz: str
    payload: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Cancel:
    """Drop the pending follow-up of KIND, with the reason."""

    kind: str
    reason: str


@dataclass(frozen=True)
class Settle:
    """Close the follow-up being run now: done, or skipped with the reason."""

    status: str
    reason: str | None = None


@dataclass(frozen=True)
class Reply:
    """A public comment to the customer (a survey); KEY makes it once-only per ticket."""

    html: str
    key: str


@dataclass(frozen=True)
class CreateTicket:
    """A separate ticket: a private task for an agent (a follow-up call, sending the customer
    nothing), or a public follow-up of a closed ticket (a survey) when FOLLOWUP_SOURCE is set."""

    subject: str
    html: str
    requester_id: str | None
    assignee_id: str | None = None
    due_at: datetime | None = None
    tags: tuple[str, ...] = ()
    followup_source: str | None = None
    about: str | None = None  # the ticket this one is about


@dataclass(frozen=True)
class Callback:
    """Queue a Zendesk Talk callback to PHONE now (at most once)."""

    phone: str


Decision = (Note | Tags | Field | Remember | Flag | Later | Schedule | Cancel | Settle | Reply
            | CreateTicket | Callback)


@dataclass
class Plan:
    """All decisions of one event, merged: one vendor update plus the store changes."""

    update: TicketUpdate = field(default_factory=TicketUpdate)
    note_keys: list[str] = field(default_factory=list)
    memory: dict[str, Any] = field(default_factory=dict)
    flags: list[Flag] = field(default_factory=list)
    later: list[Later] = field(default_factory=list)
    schedule: list[Schedule] = field(default_factory=list)
    cancel: list[Cancel] = field(default_factory=list)
    settle: Settle | None = None
    tickets: list[CreateTicket] = field(default_factory=list)
    callbacks: list[Callback] = field(default_factory=list)
    action_id: int | None = None


def merge(decisions: list[Decision], notes_written: set[str]) -> Plan:
    """Merge DECISIONS; notes whose key is in NOTES_WRITTEN are dropped (never written twice)."""
    plan = Plan()
    for decision in decisions:
        match decision:
            case Note(html=html, key=key):
                if key not in notes_written and key not in plan.note_keys:
                    plan.update.notes.append(html)
                    plan.note_keys.append(key)
            case Tags(add=add, remove=remove):
                plan.update.add_tags |= set(add)
                plan.update.remove_tags |= set(remove)
            case Field(name=name, value=value):
                plan.update.fields[name] = value
            case Remember(key=key, value=value):
                plan.memory[key] = value
            case Flag():
                plan.flags.append(decision)
            case Later():
                plan.later.append(decision)
            case Schedule():
                plan.schedule.append(decision)
            case Cancel():
                plan.cancel.append(decision)
            case Settle():
                plan.settle = decision
            case Reply(html=html, key=key):
                if key not in notes_written and plan.update.public_reply is None:
                    plan.update.public_reply = html
                    plan.note_keys.append(key)
            case CreateTicket():
                plan.tickets.append(decision)
            case Callback():
                plan.callbacks.append(decision)
    return plan
