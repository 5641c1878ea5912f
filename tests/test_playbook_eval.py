"""Accuracy of the shipped playbooks on the labelled dev and holdout sets (CONVENTIONS §1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from plugin.playbooks.admin import check, evaluate
from plugin.playbooks.loader import PlaybookSet, load_playbooks

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"

# Measured, not tuned on: the holdout set is never used to adjust keywords or parameters.
DEV_FLOOR = 0.90
HOLDOUT_FLOOR = 0.85


@pytest.fixture(scope="module")
def shipped() -> PlaybookSet:
    return load_playbooks(ROOT / "playbooks")


def test_shipped_playbooks_pass_strict_check() -> None:
    text, code = check(ROOT / "playbooks")
    assert code == 0, text


def test_dev_accuracy(shipped: PlaybookSet) -> None:
    report, code, metrics = evaluate(shipped, DATA / "playbooks_dev.csv")
    assert code == 0
    assert metrics["total"] >= 100
    assert metrics["accuracy"] >= DEV_FLOOR, report


def test_holdout_accuracy(shipped: PlaybookSet) -> None:
    report, code, metrics = evaluate(shipped, DATA / "playbooks_holdout.csv")
    assert code == 0
    assert metrics["accuracy"] >= HOLDOUT_FLOOR, report


def test_evaluate_reports_consistent_numbers(shipped: PlaybookSet, tmp_path: Path) -> None:
    csv_path = tmp_path / "mini.csv"
    csv_path.write_text(
        "text,expected\n"
        '"Ürünü iade etmek istiyorum, paramı geri verin",refund_exchange\n'
        "Açılış saatleriniz nedir?,\n"
        '"I want a refund for this jacket, please",complaint\n',
        encoding="utf-8",
    )
    report, code, metrics = evaluate(shipped, csv_path)
    assert code == 0
    confusion = metrics["confusion"]
    assert sum(sum(row.values()) for row in confusion.values()) == 3
    assert confusion["complaint"]["refund_exchange"] == 1
    assert metrics["accuracy"] == pytest.approx(2 / 3)
    assert metrics["per_label"]["complaint"]["recall"] == 0.0
    assert "top-1 accuracy 0.667" in report


def test_evaluate_rejects_bad_csv(shipped: PlaybookSet, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("message,label\nhello,none\n", encoding="utf-8")
    assert evaluate(shipped, bad)[1] == 2
    assert evaluate(shipped, tmp_path / "missing.csv")[1] == 2
