"""Repeat contact: the third ticket in 30 days from one customer is a warning sign."""

from __future__ import annotations

from datetime import timedelta

from handlers.transfers import settings
from plugin.context import TicketContext
from plugin.decisions import Flag, Note, Tags
from plugin.language import detect_language
from plugin.ownership.notes import repeat_note
from plugin.routing import Router
from plugin.tickets import parse_time

router = Router()


@router.register("ticket.created", needs=("requester_tickets",))
def flag_repeat_contact(context: TicketContext):
    """When a requester opens their third ticket within 30 days (the first time a customer
    lets it go, the second time they are upset, the third time they tell others), tag
    ft_repeat_contact, flag it, and list the earlier tickets with their status in a note."""
    config = settings(context)
    created = parse_time(context.ticket.created_at) or context.now
    since = created - timedelta(days=config.repeat_contact_days)
    earlier = [
        ticket for ticket in context.requester_tickets or []
        if ticket.id != context.ticket.id
        and since <= (parse_time(ticket.created_at) or created) <= created
    ]
    if len(earlier) + 1 < config.repeat_contact_tickets:
        return
    yield Tags(add=frozenset({"ft_repeat_contact"}))
    yield Flag("repeat_contact", f"{len(earlier) + 1} tickets in {config.repeat_contact_days} "
               "days", group=context.ticket.group_id)
    language = context.note_language(detect_language(context.ticket.description))
    yield Note(repeat_note(language, earlier, config.repeat_contact_days),
               key="repeat_contact")
