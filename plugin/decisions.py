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


Decision = Note | Tags | Field | Remember | Flag | Later


@dataclass
class Plan:
    """All decisions of one event, merged: one vendor update plus the store changes."""

    update: TicketUpdate = field(default_factory=TicketUpdate)
    note_keys: list[str] = field(default_factory=list)
    memory: dict[str, Any] = field(default_factory=dict)
    flags: list[Flag] = field(default_factory=list)
    later: list[Later] = field(default_factory=list)
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
    return plan
