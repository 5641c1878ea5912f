"""TicketEvent and the per-vendor normalisers that turn a webhook body into one; pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from plugin.tickets import Ticket

ZENDESK_PREFIX = "zen:event-type:"


class BadEvent(ValueError):
    """The body is JSON but not an event we can understand; answered with 400."""


@dataclass(frozen=True)
class TicketEvent:
    """One thing that happened to one ticket, as the plugin understands it."""

    vendor: str
    name: str
    ticket_id: str
    delivery_key: str
    actor_id: str | None = None
    occurred_at: str | None = None
    ticket: Ticket | None = None
    change: dict[str, Any] = field(default_factory=dict)


def _id(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise BadEvent("ids must be strings or integers")
    text = str(value)
    if len(text) > 40 or not (text.isascii() and text.isdigit()):
        raise BadEvent(f"not a Zendesk id: {text[:40]!r}")
    return text


def _text(value: Any, limit: int = 200_000) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadEvent("text fields must be strings")
    return value[:limit]


def zendesk_ticket(data: dict[str, Any]) -> Ticket:
    """A Ticket from a Zendesk ticket object: webhook `detail` or API JSON (ids str or int)."""
    if not isinstance(data, dict):
        raise BadEvent("ticket detail must be an object")
    ticket_id = _id(data.get("id"))
    if ticket_id is None:
        raise BadEvent("ticket id is missing")
    tags = data.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise BadEvent("tags must be a list of strings")
    via = data.get("via") if isinstance(data.get("via"), dict) else {}
    channel = via.get("channel")
    return Ticket(
        id=ticket_id,
        subject=_text(data.get("subject")),
        description=_text(data.get("description")),
        status=_text(data.get("status") or "new").lower(),
        priority=(_text(data.get("priority")).lower() or None),
        type=(_text(data.get("type")).lower() or None),
        requester_id=_id(data.get("requester_id")),
        assignee_id=_id(data.get("assignee_id")),
        group_id=_id(data.get("group_id")),
        form_id=_id(data.get("ticket_form_id", data.get("form_id"))),
        channel=str(channel) if isinstance(channel, (str, int)) else None,
        tags=tuple(tags),
        created_at=_text(data.get("created_at")) or None,
        updated_at=_text(data.get("updated_at")) or None,
    )


def _subject_ticket_id(subject: Any) -> str:
    if not isinstance(subject, str) or not subject.startswith("zen:ticket:"):
        raise BadEvent("subject must be zen:ticket:<id>")
    ticket_id = _id(subject.removeprefix("zen:ticket:"))
    if ticket_id is None:
        raise BadEvent("subject has no ticket id")
    return ticket_id


def _zendesk_subscribed(body: dict[str, Any]) -> TicketEvent:
    kind = body.get("type")
    if not isinstance(kind, str) or not kind.startswith(ZENDESK_PREFIX):
        raise BadEvent("type must start with zen:event-type:")
    event_id = body.get("id")
    if not isinstance(event_id, str) or not 0 < len(event_id) <= 100:
        raise BadEvent("event id must be a non-empty string")
    name = kind.removeprefix(ZENDESK_PREFIX)
    if not name.startswith("ticket."):
        # Not about a ticket (user, organisation…): acknowledged and recorded as ignored.
        return TicketEvent("zendesk", name, "", f"event:{event_id}")
    ticket_id = _subject_ticket_id(body.get("subject"))
    detail = body.get("detail")
    change = body.get("event") if body.get("event") is not None else {}
    if not isinstance(change, dict):
        raise BadEvent("event must be an object")
    ticket = zendesk_ticket(detail)
    if ticket.id != ticket_id:
        raise BadEvent("detail.id and subject disagree")
    return TicketEvent(
        vendor="zendesk",
        name=name,
        ticket_id=ticket_id,
        delivery_key=f"event:{event_id}",
        actor_id=_id(detail.get("actor_id")),
        occurred_at=_text(body.get("time")) or None,
        ticket=ticket,
        change=change,
    )


def _zendesk_trigger(body: dict[str, Any], invocation_id: str | None) -> TicketEvent:
    name = body.get("ft_event")
    if not isinstance(name, str) or name not in {"ticket.created", "ticket.updated"}:
        raise BadEvent("ft_event must be ticket.created or ticket.updated")
    ticket_id = _id(body.get("ticket_id"))
    if ticket_id is None:
        raise BadEvent("ticket_id is missing")
    updated_at = _text(body.get("updated_at"), 64)
    key = invocation_id or f"{ticket_id}:{name}:{updated_at}"
    return TicketEvent(
        vendor="zendesk",
        name=name,
        ticket_id=ticket_id,
        delivery_key=f"trigger:{key}",
        actor_id=_id(body.get("actor_id")),
        occurred_at=updated_at or None,
    )


def normalise_zendesk(body: Any, invocation_id: str | None = None) -> TicketEvent:
    """A TicketEvent from a Zendesk event-subscribed or trigger webhook body."""
    if not isinstance(body, dict):
        raise BadEvent("the body must be a JSON object")
    if "ft_event" in body:
        return _zendesk_trigger(body, invocation_id)
    return _zendesk_subscribed(body)


def normalise_freshdesk(body: Any, delivery_id: str) -> TicketEvent:
    """A TicketEvent from the id-only body our Freshdesk automation rules send.

    Freshdesk sends no delivery id and retries at +5, +30 and +60 minutes: the worker dedupes
    on (event, ticket, updated_at) once it has re-read the ticket.
    """
    if not isinstance(body, dict):
        raise BadEvent("the body must be a JSON object")
    name = body.get("ft_event")
    if not isinstance(name, str) or name not in {"ticket.created", "ticket.updated"}:
        raise BadEvent("ft_event must be ticket.created or ticket.updated")
    ticket_id = _id(body.get("ticket_id"))
    if ticket_id is None:
        raise BadEvent("ticket_id is missing")
    return TicketEvent(vendor="freshdesk", name=name, ticket_id=ticket_id,
                       delivery_key=f"unkeyed:{delivery_id}")
