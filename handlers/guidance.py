"""Guidance: write the playbook that fits a new ticket into it as a private note."""

from __future__ import annotations

from plugin.context import TicketContext
from plugin.decisions import Note, Remember, Tags
from plugin.language import detect_language
from plugin.playbooks import TicketText, match, render_note
from plugin.routing import Router

router = Router()


def _customer_text(context: TicketContext) -> str | None:
    """The customer's words this event brings, or None when it brings none."""
    event = context.event
    if event.name == "ticket.created":
        return f"{context.ticket.subject}\n{context.ticket.description}"
    comment = event.change.get("comment") or {}
    author = comment.get("author") or {}
    if comment.get("is_public") and not author.get("is_staff"):
        body = comment.get("body")
        return f"{context.ticket.subject}\n{body}" if isinstance(body, str) else None
    return None


@router.register("ticket.created", "ticket.comment_added")
def guide(context: TicketContext):
    """A new ticket gets the best-fitting playbook as a note; a later customer comment that
    makes a different playbook the best one gets that playbook too. Once per ticket and
    playbook; a ticket that fits none gets no note."""
    text = _customer_text(context)
    if not text or context.playbooks is None:
        return
    language = detect_language(text) or context.memory.get("language")
    ticket = context.ticket
    found = match(context.playbooks, TicketText(
        subject=ticket.subject, text=text, channel=ticket.channel, tags=ticket.tags,
        priority=ticket.priority, group=ticket.group_id, form=ticket.form_id,
    ), language)
    if context.event.name == "ticket.created" or "language" not in context.memory:
        yield Remember("language", language)
    if not found:
        return
    known = context.memory.get("playbooks") or []
    if context.event.name != "ticket.created" and known and known[0]["id"] == found[0].id:
        return
    yield Remember("playbooks", [{"id": m.id, "score": m.score, "why": m.why} for m in found])
    yield Tags(add=frozenset(f"ft_playbook_{m.id}" for m in found))
    for item in found:
        playbook = context.playbooks.playbooks[item.id]
        html = render_note(playbook, item, context.note_language(language), language)
        yield Note(html=html, key=f"guidance:{item.id}")
