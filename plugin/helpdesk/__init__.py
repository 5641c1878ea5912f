"""The Helpdesk protocol every vendor adapter implements, and the factory that picks one."""

from __future__ import annotations

from typing import Protocol

from plugin.tickets import Comment, Person, Ticket, TicketUpdate


class Helpdesk(Protocol):
    """The vendor edge: the only place that knows how a vendor's API is spelled."""

    vendor: str

    def me(self) -> str:
        """The id of the API user the plugin acts as."""

    def ticket(self, ticket_id: str) -> Ticket: ...

    def person(self, user_id: str) -> Person: ...

    def comments(self, ticket_id: str) -> list[Comment]: ...

    def groups(self) -> dict[str, str]:
        """Group names by group id."""

    def requested_tickets(self, user_id: str) -> list[Ticket]:
        """The tickets USER_ID has requested, newest first."""

    def apply(self, ticket: Ticket, update: TicketUpdate) -> None:
        """Write UPDATE to TICKET in one call; raises a HelpdeskError subclass on failure."""

    def create_ticket(self, new, external_id: str) -> str:
        """Create a ticket (a CreateTicket decision) carrying EXTERNAL_ID; returns its id."""

    def ticket_exists(self, new, external_id: str) -> bool:
        """True when NEW (a CreateTicket) was already created under EXTERNAL_ID."""

    def request_callback(self, phone: str) -> None:
        """Queue a callback to PHONE (Zendesk Talk)."""

    def has_marker(self, ticket_id: str, marker: str) -> bool:
        """True when a note carrying MARKER is already on the ticket."""

    def changed_tickets(self, since: int) -> tuple[list[Ticket], int]:
        """Tickets updated at or after unix time SINCE, and the cursor for the next call."""

    def ping(self) -> None:
        """Raise HelpdeskError when the helpdesk cannot be reached with our credentials."""
