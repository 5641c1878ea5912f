"""Score latest_promise() on a labelled CSV: text,lang,replied_at,agent_tz,expected_deadline."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from plugin.promises.extract import latest_promise


@dataclass
class LanguageScore:
    """Counts for one language: exact deadlines on promise rows, false promises on the rest."""

    promises: int = 0
    exact: int = 0
    commitments_free: int = 0
    false_promises: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.exact / self.promises if self.promises else 0.0


def _parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def evaluate(path: Path, use_language: bool = True) -> dict[str, LanguageScore]:
    """Per-language scores and an 'all' total; use_language=False makes the extractor detect it."""
    scores: dict[str, LanguageScore] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            score = scores.setdefault(row["lang"], LanguageScore())
            found = latest_promise(
                row["text"],
                _parse(row["replied_at"]),
                row["agent_tz"],
                row["lang"] if use_language else None,
            )
            got = found.deadline if found else None
            if row["expected_deadline"]:
                score.promises += 1
                if got == _parse(row["expected_deadline"]):
                    score.exact += 1
                    continue
            else:
                score.commitments_free += 1
                if got is None:
                    continue
                score.false_promises += 1
            shown = got.isoformat() if got else "none"
            score.misses.append(
                f"{row['text'][:70]!r}: got {shown}, want {row['expected_deadline']}"
            )
    total = LanguageScore()
    for score in scores.values():
        total.promises += score.promises
        total.exact += score.exact
        total.commitments_free += score.commitments_free
        total.false_promises += score.false_promises
        total.misses += score.misses
    scores["all"] = total
    return scores
