"""Tests for the `deflection` and `transfers` sections of playbooks/ownership.yaml."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from plugin.ownership.config import DeflectionConfig, TransfersConfig
from plugin.playbooks.loader import load_playbooks

SHIPPED = Path(__file__).resolve().parent.parent / "playbooks" / "ownership.yaml"


def _copy_with(tmp_path: Path, old: str, new: str) -> tuple[Path, str]:
    """A playbooks dir holding ownership.yaml with one line changed; returns (dir, new text)."""
    directory = tmp_path / "playbooks"
    directory.mkdir()
    target = directory / "ownership.yaml"
    shutil.copy(SHIPPED, target)
    text = target.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    target.write_text(text.replace(old, new), encoding="utf-8")
    return directory, new


def _line_of(directory: Path, needle: str) -> int:
    lines = (directory / "ownership.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def test_defaults() -> None:
    transfers = TransfersConfig()
    assert (transfers.cold_transfer_minutes, transfers.ping_pong_days) == (10, 14)
    assert (transfers.ping_pong_changes, transfers.late_transfer_replies) == (3, 3)
    assert (transfers.repeat_contact_tickets, transfers.repeat_contact_days) == (3, 30)
    assert transfers.group_languages == {}
    deflection = DeflectionConfig()
    assert deflection.enabled and deflection.languages == {}
    assert deflection.cue_sentences == 1 and deflection.quotes.strip_quoted_lines
    assert deflection.suppressed_by["not_our_fault"] == []
    for model in (TransfersConfig, DeflectionConfig):
        assert all(field.description for field in model.model_fields.values())


def test_shipped_file_loads_strictly_with_both_sections() -> None:
    loaded = load_playbooks(SHIPPED.parent, strict=True)
    assert loaded.errors == []
    ownership = loaded.playbooks["ownership"]
    assert ownership.transfers == TransfersConfig()
    assert ownership.deflection is not None
    assert set(ownership.deflection.languages) == {"tr", "az", "en"}
    assert all(p.deflection is None for k, p in loaded.playbooks.items() if k != "ownership")


def test_group_languages_take_numeric_or_named_groups() -> None:
    config = TransfersConfig.model_validate({"group_languages": {360001: ["tr"], "vip": ["en"]}})
    assert config.group_languages == {"360001": ["tr"], "vip": ["en"]}
    with pytest.raises(ValidationError):
        TransfersConfig.model_validate({"group_languages": {1: ["ru"]}})


@pytest.mark.parametrize(
    ("old", "new", "field", "message_part"),
    [
        (
            "  cold_transfer_minutes: 10",
            "  cold_transfer_minutes: 0",
            "transfers.cold_transfer_minutes",
            "greater than or equal to 1",
        ),
        (
            "  ping_pong_changes: 3",
            "  ping_pong_changes: many",
            "transfers.ping_pong_changes",
            "valid integer",
        ),
        (
            "  negation_window: 3",
            "  negation_windw: 3",
            "deflection.negation_windw",
            "Extra inputs",
        ),
        (
            '            - "yetkim yok"',
            '            - "… yetkim yok"',
            "deflection.languages.tr.categories.not_my_department.patterns[11]",
            "starts and ends with a word",
        ),
    ],
)
def test_bad_values_name_file_line_and_field(
    tmp_path: Path, old: str, new: str, field: str, message_part: str
) -> None:
    directory, needle = _copy_with(tmp_path, old, new)
    loaded = load_playbooks(directory)
    assert "ownership" not in loaded.playbooks
    [error] = loaded.errors
    assert (error.file, error.line, error.field) == (
        "playbooks/ownership.yaml",
        _line_of(directory, needle.strip()),
        field,
    )
    assert message_part in error.message
    assert str(error).startswith(f"playbooks/ownership.yaml:{error.line}: {field}: ")
