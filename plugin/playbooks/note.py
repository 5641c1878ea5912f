"""Render a playbook as an internal-note HTML snippet that Zendesk and Freshdesk display cleanly."""

from __future__ import annotations

import html
import re

from plugin.playbooks.matcher import Match
from plugin.playbooks.schema import LANGUAGES, Guidance, Playbook

MAX_VISIBLE_CHARS = 1500
_TAG = re.compile(r"<[^>]+>")
_LABELS: dict[str, dict[str, str]] = {
    "tr": {
        "steps": "Adımlar",
        "say": "Bunun yerine",
        "collect": "Müşteriden alın",
        "reply": "Önerilen ilk yanıt",
        "why": "Neden",
        "more": "daha fazla",
    },
    "az": {
        "steps": "Addımlar",
        "say": "Bunun əvəzinə",
        "collect": "Müştəridən alın",
        "reply": "Təklif olunan ilk cavab",
        "why": "Niyə",
        "more": "daha çox",
    },
    "en": {
        "steps": "Steps",
        "say": "Say instead",
        "collect": "Collect",
        "reply": "Suggested first reply",
        "why": "Why",
        "more": "more",
    },
}


def _language(playbook: Playbook, wanted: str | None, fallback: str) -> str:
    for lang in (wanted, fallback, "en", *LANGUAGES):
        if lang in playbook.guidance:
            return lang
    raise ValueError(f"playbook {playbook.id} has no guidance")


def _reply(guidance: Guidance, customer_name: str | None) -> str:
    if customer_name:
        return guidance.first_reply.replace("{name}", customer_name)
    return re.sub(r"\s*\{name\}(?=[\s,.!;:]|$)", "", guidance.first_reply)


def _items(texts: list[str], total: int, more_label: str) -> str:
    extra = [f"(+{total - len(texts)} {more_label})"] if total > len(texts) else []
    return "<ul>" + "".join(f"<li>{html.escape(t)}</li>" for t in [*texts, *extra]) + "</ul>"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _build(parts: dict[str, object]) -> str:
    return "".join(str(part) for part in parts.values() if part)


def visible_length(note_html: str) -> int:
    """Number of characters a reader sees once tags are removed."""
    return len(html.unescape(_TAG.sub("", note_html)))


def render_note(
    playbook: Playbook,
    match: Match,
    note_language: str,
    customer_language: str | None,
    marker: str | None = None,
    customer_name: str | None = None,
) -> str:
    """HTML note: title, step checklist, say-instead pairs, what to collect, first reply, why.

    Labels and guidance use `note_language`; the first reply uses the customer's language when
    the playbook has it. Uses only p, strong, em, ul, li and br; all text is escaped. Trailing
    pairs, then steps, then collect items are dropped (with "+N more") to stay under
    MAX_VISIBLE_CHARS; `marker` adds the idempotency line `followthrough · ref MARKER`.
    """
    note_lang = _language(playbook, note_language, "en")
    labels = _LABELS[note_lang]
    guidance = playbook.guidance[note_lang]
    reply_guidance = playbook.guidance[_language(playbook, customer_language, note_lang)]
    title = _cut(playbook.title.get(note_lang) or playbook.id, 200)
    steps = [_cut(f"☐ {step}", 300) for step in guidance.steps]
    pairs = [_cut(f"✗ {p.avoid} → ✓ {p.say}", 300) for p in guidance.say_instead]
    collect = [_cut(item, 100) for item in guidance.collect]
    marker = marker and _cut(marker, 100)
    reply = _reply(reply_guidance, customer_name)
    why = "; ".join(match.why[:2])
    while True:
        parts = {
            "title": f"<p><strong>{html.escape(title)}</strong></p>",
            "steps_label": f"<p><strong>{html.escape(labels['steps'])}</strong></p>",
            "steps": _items(steps, len(guidance.steps), labels["more"]),
            "pairs": pairs
            and f"<p><strong>{html.escape(labels['say'])}</strong></p>"
            + _items(pairs, len(guidance.say_instead), labels["more"]),
            "collect": collect
            and f"<p><strong>{html.escape(labels['collect'])}:</strong> "
            + html.escape(", ".join(collect))
            + "</p>",
            "reply": f"<p><strong>{html.escape(labels['reply'])}</strong><br>"
            + "<br>".join(html.escape(line) for line in reply.splitlines())
            + "</p>",
            "why": why and f"<p><em>{html.escape(labels['why'])}: {html.escape(why)}</em></p>",
            "marker": marker and f"<p><em>followthrough · ref {html.escape(marker)}</em></p>",
        }
        note = _build(parts)
        if visible_length(note) < MAX_VISIBLE_CHARS:
            return note
        if pairs:
            pairs.pop()
        elif len(steps) > 1:
            steps.pop()
        elif collect:
            collect.pop()
        elif len(why) > 60:
            why = _cut(why, 60)
        else:
            reply = _cut(reply, len(reply) - 100)
