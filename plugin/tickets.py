"""Vendor-neutral ticket snapshot and the update the plugin wants applied to a ticket."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass(frozen=True)
class Ticket:
    """What a handler may read about a ticket, whatever the vendor."""

    id: str
    subject: str = ""
    description: str = ""
    status: str = "new"
    priority: str | None = None
    type: str | None = None
    requester_id: str | None = None
    assignee_id: str | None = None
    group_id: str | None = None
    form_id: str | None = None
    channel: str | None = None
    tags: tuple[str, ...] = ()
    created_at: str | None = None
    updated_at: str | None = None


@dataclass(frozen=True)
class Comment:
    """One comment of a ticket's conversation."""

    id: str
    author_id: str | None
    body: str
    public: bool
    created_at: str | None = None
    author_is_agent: bool = False


@dataclass(frozen=True)
class Person:
    """A requester or agent as the helpdesk profile describes them."""

    id: str
    name: str = ""
    locale: str | None = None
    time_zone: str | None = None
    phone: str | None = None


@dataclass
class TicketUpdate:
    """Everything one event wants written to a ticket, sent as ONE vendor update."""

    notes: list[str] = field(default_factory=list)
    add_tags: set[str] = field(default_factory=set)
    remove_tags: set[str] = field(default_factory=set)
    fields: dict[str, object] = field(default_factory=dict)
    public_reply: str | None = None

    def is_empty(self) -> bool:
        return not (self.notes or self.add_tags or self.remove_tags or self.fields
                    or self.public_reply)

    def merged_tags(self, current: tuple[str, ...]) -> list[str]:
        """The ticket's tags after this update, keeping every tag an agent set."""
        return sorted((set(current) | self.add_tags) - self.remove_tags)

    def changes_tags(self, current: tuple[str, ...]) -> bool:
        return set(self.merged_tags(current)) != set(current)


def parse_time(value: str | None) -> datetime | None:
    """An aware UTC datetime from a vendor ISO 8601 stamp ("…Z" or with an offset)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
