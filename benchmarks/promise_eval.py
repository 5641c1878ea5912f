"""Print promise-extraction accuracy per language and false promises for both labelled sets."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from plugin.promises.evaluation import evaluate  # noqa: E402

SETS = ("promise_replies.csv", "promise_holdout.csv")


def main() -> None:
    verbose = "-v" in sys.argv
    for name in SETS:
        for use_language, label in ((True, "language given"), (False, "language detected")):
            scores = evaluate(ROOT / "tests" / "data" / name, use_language)
            print(f"{name} ({label})")
            for lang, score in scores.items():
                print(
                    f"  {lang:>3}: exact deadline {score.exact}/{score.promises}"
                    f" = {score.accuracy:.3f}; false promises"
                    f" {score.false_promises}/{score.commitments_free}"
                )
            if verbose:
                for miss in scores["all"].misses:
                    print(f"    miss {miss}")


if __name__ == "__main__":
    main()
