"""Pure admin commands for playbooks (check, try, evaluate) returning text and an exit code."""

from __future__ import annotations

import csv
import html
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plugin.language import detect_language
from plugin.playbooks.loader import PlaybookSet, load_playbooks
from plugin.playbooks.matcher import Match, TicketText, match
from plugin.playbooks.note import render_note
from plugin.playbooks.registry import PlaybookRegistry
from plugin.playbooks.schema import LANGUAGES

NONE_LABEL = "none"


def check(directory: str | Path) -> tuple[str, int]:
    """Validate every playbook file strictly (shipped quality); exit code 1 on any error."""
    loaded = load_playbooks(directory, strict=True)
    lines = [str(error) for error in loaded.errors]
    kinds = Counter(p.kind for p in loaded.playbooks.values())
    lines.append(
        f"{len(loaded.playbooks)} playbooks OK ({kinds['ticket']} ticket, {kinds['support']} "
        f"support), {len(loaded.errors)} errors, version {loaded.version}"
    )
    return "\n".join(lines), 1 if loaded.errors or not loaded.playbooks else 0


def note_as_text(note_html: str) -> str:
    """Plain-text rendering of a note's HTML, for terminals."""
    text = re.sub(r"<br>|</p>|</li>", "\n", note_html)
    text = re.sub(r"<li>", "  ", text)
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


@dataclass(frozen=True)
class Preview:
    """What a ticket text would get: its language, the ranked matches, the note's HTML."""

    language: str | None
    matches: list[Match]
    note_html: str | None


def preview(playbook_set: PlaybookSet, text: str, channel: str | None = None,
            tags: tuple[str, ...] = (), note_language: str | None = None) -> Preview:
    """Match TEXT as a new ticket and render the note the best playbook would write."""
    language = detect_language(text)
    matches = match(playbook_set, TicketText(text=text, channel=channel, tags=tags), language)
    note = None
    if matches:
        chosen = note_language or (language if language in LANGUAGES else "en")
        best = playbook_set.playbooks[matches[0].id]
        note = render_note(best, matches[0], chosen, language, marker="preview")
    return Preview(language, matches, note)


def try_text(
    registry_or_set: PlaybookRegistry | PlaybookSet,
    text: str,
    channel: str | None = None,
    tags: tuple[str, ...] = (),
) -> tuple[str, int]:
    """Show the detected language, the ranked matches with reasons and the note to be written."""
    playbook_set = (
        registry_or_set.current()
        if isinstance(registry_or_set, PlaybookRegistry)
        else registry_or_set
    )
    result = preview(playbook_set, text, channel, tags)
    lines = [f"language: {result.language or 'unknown'}"]
    if not result.matches:
        lines.append("no playbook fits")
    for rank, found in enumerate(result.matches, start=1):
        lines.append(f"{rank}. {found.id}  score {found.score:.3f}")
        lines.extend(f"     - {reason}" for reason in found.why)
    if result.note_html:
        lines += ["", "--- note ---", note_as_text(result.note_html)]
    return "\n".join(lines), 0


def _metrics(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    labels = sorted({label for pair in pairs for label in pair})
    confusion = {e: {p: 0 for p in labels} for e in labels}
    for expected, predicted in pairs:
        confusion[expected][predicted] += 1
    per_label: dict[str, dict[str, float]] = {}
    for label in labels:
        hit = confusion[label][label]
        predicted = sum(confusion[e][label] for e in labels)
        actual = sum(confusion[label].values())
        precision = hit / predicted if predicted else 0.0
        recall = hit / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {"precision": precision, "recall": recall, "f1": f1, "support": actual}
    correct = sum(e == p for e, p in pairs)
    return {
        "total": len(pairs),
        "accuracy": correct / len(pairs) if pairs else 0.0,
        "per_label": per_label,
        "confusion": confusion,
    }


def _report(metrics: dict[str, Any], csv_path: str | Path) -> str:
    per_label, confusion = metrics["per_label"], metrics["confusion"]
    lines = [f"{csv_path}: {metrics['total']} rows, top-1 accuracy {metrics['accuracy']:.3f}", ""]
    lines.append(f"{'label':20} {'prec':>6} {'rec':>6} {'f1':>6} {'n':>5}")
    for label, m in per_label.items():
        lines.append(
            f"{label:20} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} {m['support']:5d}"
        )
    short = {label: label[:6] for label in confusion}
    lines += ["", "confusion (rows expected, columns predicted)"]
    lines.append(" " * 20 + "".join(f"{short[p]:>7}" for p in confusion))
    for expected, row in confusion.items():
        lines.append(f"{expected:20}" + "".join(f"{n:7d}" for n in row.values()))
    return "\n".join(lines)


def evaluate(playbook_set: PlaybookSet, csv_path: str | Path) -> tuple[str, int, dict[str, Any]]:
    """Top-1 accuracy, per-playbook precision/recall/F1 and a confusion table on a labelled CSV.

    The CSV has columns `text` and `expected` (a playbook id; empty or "none" = no playbook).
    Returns the report, an exit code (2 when the file cannot be used) and the numbers.
    """
    try:
        with Path(csv_path).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        return f"cannot read {csv_path}: {exc.strerror}", 2, {}
    if not rows or not {"text", "expected"} <= rows[0].keys():
        return f"{csv_path}: needs a header with columns text,expected and some rows", 2, {}
    pairs = []
    for row in rows:
        text = row["text"] or ""
        found = match(playbook_set, TicketText(text=text), detect_language(text))
        expected = (row["expected"] or "").strip() or NONE_LABEL
        pairs.append((expected, found[0].id if found else NONE_LABEL))
    metrics = _metrics(pairs)
    return _report(metrics, csv_path), 0, metrics
