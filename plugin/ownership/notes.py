"""Ownership notes: the handoff for a receiving group, deflection coaching, repeat contact."""

from __future__ import annotations

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from plugin.tickets import Comment, Person, Ticket

EXCERPT = 200
# Order, invoice, account or tracking numbers: 5+ digits, optionally with a short letter prefix.
IDENTIFIER = re.compile(r"(?<![\w+])(?:#|[A-Z]{2,5}[-_]?)?\d{5,20}(?!\w)")
LABELS = {
    "tr": {"path": "Aktarım yolu", "customer": "Müşteri", "language": "dil",
           "local": "yerel saat", "first": "İlk mesaj", "latest": "Son mesaj",
           "tried": "Şimdiye kadar yapılan / söz verilen", "ids": "Geçen numaralar",
           "promised": "Verilen söz",
           "checklist": "Sıcak devir kontrol listesi", "none": "yok",
           "coach": "Bu yanıt sorumluluğu başkasına itiyor gibi görünüyor; daha iyisi:",
           "repeat": "Bu müşterinin {n} talebi var ({days} gün içinde)",
           "earlier": "Önceki talepler"},
    "az": {"path": "Ötürmə yolu", "customer": "Müştəri", "language": "dil",
           "local": "yerli vaxt", "first": "İlk mesaj", "latest": "Son mesaj",
           "tried": "İndiyədək edilən / vəd olunan", "ids": "Keçən nömrələr",
           "promised": "Verilən vəd",
           "checklist": "İsti ötürmə yoxlama siyahısı", "none": "yoxdur",
           "coach": "Bu cavab məsuliyyəti başqasına ötürən kimi görünür; daha yaxşısı:",
           "repeat": "Bu müştərinin {n} müraciəti var ({days} gün ərzində)",
           "earlier": "Əvvəlki müraciətlər"},
    "en": {"path": "Transfer path", "customer": "Customer", "language": "language",
           "local": "local time", "first": "First message", "latest": "Latest message",
           "tried": "Already tried or promised", "ids": "Numbers mentioned", "promised": "Promised",
           "checklist": "Warm handoff checklist", "none": "none",
           "coach": "This reply seems to push responsibility away; better:",
           "repeat": "This customer has {n} tickets in {days} days",
           "earlier": "Earlier tickets"},
}
LANGUAGE_NAMES = {"tr": "Türkçe", "az": "Azərbaycan dili", "en": "English", "ru": "Русский"}


def plain(value: str) -> str:
    """Plain text of a comment body (HTML tags dropped), on one line."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", value)).split())


def excerpt(value: str, limit: int = EXCERPT) -> str:
    text = plain(value)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def identifiers(comments: list[Comment]) -> list[str]:
    found: list[str] = []
    for comment in comments:
        for token in IDENTIFIER.findall(plain(comment.body)):
            if token not in found:
                found.append(token)
    return found[:8]


def local_time(person: Person | None, default_zone: str, now: datetime) -> tuple[str, str]:
    """(zone name, the customer's wall-clock time now) from their profile or the default."""
    zone_name = (person.time_zone if person else None) or default_zone
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        zone_name, zone = default_zone, ZoneInfo(default_zone)
    return zone_name, now.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _para(label: str, value: str) -> str:
    return f"<p><strong>{html.escape(label)}:</strong> {html.escape(value)}</p>"


def handoff_note(language: str, path: list[str], customer: tuple[str | None, str, str],
                 customer_comments: list[Comment], agent_replies: list[Comment],
                 promised: str | None, ids: list[str], checklist_title: str,
                 checklist: list[str]) -> str:
    """The note for the receiving group: nobody asks the customer to tell it all again."""
    labels = LABELS[language]
    customer_language, zone, local = customer
    parts = [f"<p><strong>{html.escape(checklist_title)}</strong></p>",
             _para(labels["path"], " → ".join(path)),
             _para(labels["customer"], f"{labels['language']}: "
                   f"{LANGUAGE_NAMES.get(customer_language or '', labels['none'])}; {zone}, "
                   f"{labels['local']} {local}")]
    if customer_comments:
        parts.append(_para(labels["first"], excerpt(customer_comments[0].body)))
        if len(customer_comments) > 1:
            parts.append(_para(labels["latest"], excerpt(customer_comments[-1].body)))
    parts.append(_para(labels["tried"], excerpt(agent_replies[-1].body) if agent_replies
                       else labels["none"]))
    if promised:
        parts.append(_para(labels["promised"], promised))
    parts.append(_para(labels["ids"], ", ".join(ids) if ids else labels["none"]))
    parts.append(f"<p><strong>{html.escape(labels['checklist'])}</strong></p><ul>"
                 + "".join(f"<li>☐ {html.escape(step)}</li>" for step in checklist) + "</ul>")
    return "".join(parts)


def coaching_note(language: str, hits: list[tuple[str, str]]) -> str:
    """Quote each deflecting phrase and offer the better wording."""
    labels = LABELS[language]
    items = "".join(f"<li>✗ “{html.escape(phrase)}” → ✓ {html.escape(better)}</li>"
                    for phrase, better in hits)
    return f"<p><strong>{html.escape(labels['coach'])}</strong></p><ul>{items}</ul>"


def repeat_note(language: str, tickets: list[Ticket], days: int) -> str:
    labels = LABELS[language]
    rows = "".join(f"<li>#{html.escape(t.id)} [{html.escape(t.status)}] "
                   f"{html.escape(excerpt(t.subject, 80))}</li>" for t in tickets)
    heading = labels["repeat"].format(n=len(tickets) + 1, days=days)
    return (f"<p><strong>{html.escape(heading)}</strong></p>"
            f"<p>{html.escape(labels['earlier'])}:</p><ul>{rows}</ul>")
