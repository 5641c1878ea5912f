"""Ownership: coach an agent whose public reply pushes the problem away ("not my department")."""

from __future__ import annotations

from plugin.context import TicketContext
from plugin.decisions import Flag, Note, Tags
from plugin.language import detect_language
from plugin.ownership.deflection import find_deflections
from plugin.ownership.notes import coaching_note, plain
from plugin.routing import Router

router = Router()


@router.register("ticket.comment_added")
def coach_deflection(context: TicketContext):
    """A public agent reply that says "not my department", "not our fault", "that's our policy",
    "contact another unit" or a bare "I'll get my manager" (CONVENTIONS §2) gets the tag
    ft_deflection, a flag, and one private coaching note quoting the phrase with a better
    wording in the reply's language. Warm handoffs, negations and quotes are left alone."""
    comment = context.event.change.get("comment") or {}
    author = comment.get("author") or {}
    body = comment.get("body") or comment.get("html_body")
    if not comment.get("is_public") or not author.get("is_staff") or not isinstance(body, str):
        return
    playbook = context.support_playbook("ownership")
    if playbook is None or playbook.deflection is None:
        return
    text = plain(body)
    language = detect_language(text)
    hits = find_deflections(text, playbook.deflection, language)
    if not hits:
        return
    agent = str(author.get("id")) if author.get("id") is not None else context.event.actor_id
    yield Tags(add=frozenset({"ft_deflection"}))
    for hit in hits:
        yield Flag("deflection", f"{hit.category}: {hit.phrase}", group=context.ticket.group_id,
                   agent=agent)
    note_language = language if language in ("tr", "az", "en") else context.note_language(None)
    yield Note(coaching_note(note_language, [(hit.phrase, hit.better) for hit in hits]),
               key=f"deflection:{comment.get('id')}")
