"""External check: the matcher on third-party intent data mapped to playbook ids."""

from __future__ import annotations

import csv
import sys
from collections import Counter, defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from plugin.language import detect_language  # noqa: E402
from plugin.playbooks.loader import PlaybookSet, load_playbooks  # noqa: E402
from plugin.playbooks.matcher import TicketText, match  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
NONE = "none"


def _turkcell(mapping: dict) -> list[tuple[str, str, str]]:
    labels, excluded = mapping["turkcell"], set(mapping["turkcell"].get("exclude", []))
    bot = set(mapping.get("turkcell_bot_examples", []))
    nlu = yaml.safe_load((DATA / "turkcell-assistant-rasa-tr" / "nlu.yml").read_text("utf-8"))
    rows = []
    for block in nlu.get("nlu", []):
        intent = block.get("intent")
        if intent is None or intent in excluded or intent not in labels:
            continue
        for line in str(block.get("examples", "")).splitlines():
            text = line.strip().removeprefix("- ").strip()
            if text and text not in bot:
                rows.append((intent, text, labels[intent] or NONE))
    return rows


def _banking(mapping: dict) -> list[tuple[str, str, str]]:
    labels = mapping.get("banking77", {})
    excluded = set(labels.get("exclude", []))
    with (DATA / "banking77" / "test.csv").open(encoding="utf-8", newline="") as handle:
        return [
            (row["category"], row["text"], labels[row["category"]] or NONE)
            for row in csv.DictReader(handle)
            if row["category"] in labels and row["category"] not in excluded
        ]


def _score(playbook_set: PlaybookSet, name: str, rows: list[tuple[str, str, str]]) -> None:
    per_intent: dict[str, Counter[str]] = defaultdict(Counter)
    correct = 0
    for intent, text, expected in rows:
        found = match(playbook_set, TicketText(text=text), detect_language(text))
        predicted = found[0].id if found else NONE
        correct += predicted == expected
        per_intent[f"{intent} -> {expected}"][predicted] += 1
    print(f"{name}: {len(rows)} texts, accuracy {correct / max(1, len(rows)):.3f}")
    for key, predictions in sorted(per_intent.items()):
        expected = key.rsplit(" -> ", 1)[1]
        total = sum(predictions.values())
        top = ", ".join(f"{label} {n}" for label, n in predictions.most_common(3))
        print(f"  {key:55} {predictions[expected] / total:5.2f}  (n={total}; {top})")


def main() -> None:
    mapping = yaml.safe_load(
        (ROOT / "tests" / "data" / "external_intent_map.yaml").read_text("utf-8")
    )
    playbook_set = load_playbooks(ROOT / "playbooks")
    _score(playbook_set, "turkcell-assistant-rasa-tr", _turkcell(mapping))
    _score(playbook_set, "banking77 test", _banking(mapping))


if __name__ == "__main__":
    main()
