"""TicketContext: everything a handler may look at, gathered by the worker before handlers run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from plugin.config import Settings
from plugin.events import TicketEvent
from plugin.tickets import Person, Ticket


@dataclass(frozen=True)
class TicketContext:
    """Read-only input of every handler: the event, the ticket, what the store remembers."""

    event: TicketEvent
    ticket: Ticket
    settings: Settings
    now: datetime
    memory: dict[str, Any] = field(default_factory=dict)
    requester: Person | None = None
    playbooks: Any = None

    @property
    def vendor(self) -> str:
        return self.event.vendor
