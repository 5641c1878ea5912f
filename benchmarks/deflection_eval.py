"""Benchmark: deflection detector precision, recall and F1 per language on the labelled CSVs."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from plugin.ownership.config import DeflectionConfig  # noqa: E402
from plugin.ownership.deflection import find_deflections  # noqa: E402
from plugin.playbooks.loader import load_playbooks  # noqa: E402

DATA = ROOT / "tests" / "data"
SETS = {
    "dev": DATA / "deflection_replies.csv",
    "paraphrases": DATA / "deflection_paraphrases.csv",
    "holdout": DATA / "deflection_holdout.csv",
}
Row = dict[str, str]


def load_lexicon() -> DeflectionConfig:
    """The `deflection` section of the shipped playbooks/ownership.yaml."""
    loaded = load_playbooks(ROOT / "playbooks")
    section = loaded.playbooks["ownership"].deflection
    if section is None:
        raise SystemExit("playbooks/ownership.yaml has no deflection section")
    return section


def scores(rows: list[Row], predicted: list[bool]) -> tuple[float, float, float]:
    """Precision, recall and F1 of `predicted` against the rows' `deflection` labels."""
    gold = [row["deflection"] == "1" for row in rows]
    tp = sum(g and p for g, p in zip(gold, predicted, strict=True))
    precision = tp / max(1, sum(predicted))
    recall = tp / max(1, sum(gold))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--errors", action="store_true", help="also print misjudged replies")
    parser.add_argument(
        "--set", action="append", choices=list(SETS), dest="sets", help="only these sets"
    )
    args = parser.parse_args()
    lexicon = load_lexicon()
    for name, path in SETS.items():
        if args.sets and name not in args.sets:
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        predicted = [bool(find_deflections(r["text"], lexicon, r["lang"])) for r in rows]
        print(f"{name} ({path.name}, {len(rows)} replies)")
        for lang in ("tr", "az", "en", "all"):
            pairs = [
                (r, p) for r, p in zip(rows, predicted, strict=True) if lang in (r["lang"], "all")
            ]
            precision, recall, f1 = scores([r for r, _ in pairs], [p for _, p in pairs])
            print(f"  {lang:4} n={len(pairs):3}  P={precision:.3f}  R={recall:.3f}  F1={f1:.3f}")
        if args.errors:
            for row, guess in zip(rows, predicted, strict=True):
                if guess != (row["deflection"] == "1"):
                    kind = "FP" if guess else "FN"
                    print(f"    {kind} [{row['lang']}] {row['text'][:110]!r}")


if __name__ == "__main__":
    main()
