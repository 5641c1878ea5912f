"""Playbooks: YAML loading, validation, hot reload, ticket matching and note rendering."""

from plugin.playbooks.admin import check, evaluate, note_as_text, try_text
from plugin.playbooks.loader import LoadError, PlaybookSet, load_playbooks
from plugin.playbooks.matcher import Match, TicketText, match
from plugin.playbooks.note import render_note, visible_length
from plugin.playbooks.registry import PlaybookRegistry
from plugin.playbooks.schema import LANGUAGES, Playbook, quality_problems

__all__ = [
    "LANGUAGES",
    "LoadError",
    "Match",
    "Playbook",
    "PlaybookRegistry",
    "PlaybookSet",
    "TicketText",
    "check",
    "evaluate",
    "load_playbooks",
    "match",
    "note_as_text",
    "quality_problems",
    "render_note",
    "try_text",
    "visible_length",
]
