"""TicketContext: everything a handler may look at, gathered by the worker before handlers run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from plugin.config import Settings
from plugin.events import TicketEvent
from plugin.tickets import Comment, Person, Ticket

NOTE_LANGUAGES = ("tr", "az", "en")


@dataclass(frozen=True)
class TicketContext:
    """Read-only input of every handler: the event, the ticket, what the store remembers."""

    event: TicketEvent
    ticket: Ticket
    settings: Settings
    now: datetime  # aware, UTC
    memory: dict[str, Any] = field(default_factory=dict)
    requester: Person | None = None
    playbooks: Any = None
    comments: list[Comment] | None = None
    requester_tickets: list[Ticket] | None = None
    groups: dict[str, str] | None = None
    recently_surveyed: bool | None = None

    @property
    def vendor(self) -> str:
        return self.event.vendor

    def note_language(self, customer_language: str | None) -> str:
        """The language of notes: the customer's (FT_NOTE_LANGUAGE=customer) or a fixed one."""
        chosen = self.settings.note_language
        if chosen != "customer":
            return chosen
        if customer_language in NOTE_LANGUAGES:
            return customer_language
        return self.settings.team_language

    def support_playbook(self, playbook_id: str):
        """A support playbook (ownership, handoff, referral) from the loaded set, or None."""
        if self.playbooks is None:
            return None
        return self.playbooks.playbooks.get(playbook_id)
