"""Tests for the playbook schema and loader: validation, file:line errors, YAML safety."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from plugin.playbooks.loader import MAX_FILE_BYTES, LoadError, load_playbooks
from plugin.playbooks.schema import Playbook, quality_problems

FIXTURES = Path(__file__).parent / "fixtures" / "playbooks"
VALID = FIXTURES / "valid"
BROKEN = FIXTURES / "broken"


def _errors_by_file(directory: Path) -> dict[str, list[LoadError]]:
    result: dict[str, list[LoadError]] = {}
    for error in load_playbooks(directory).errors:
        result.setdefault(Path(error.file).name, []).append(error)
    return result


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def test_valid_fixtures_load_strictly_without_errors() -> None:
    loaded = load_playbooks(VALID, strict=True)
    assert loaded.errors == []
    assert set(loaded.playbooks) == {
        "complaint",
        "refund_exchange",
        "order_problem",
        "vip_only",
        "helper",
    }
    assert loaded.playbooks["helper"].match is None
    assert loaded.playbooks["vip_only"].match is not None
    assert loaded.playbooks["vip_only"].match.priorities == ["high", "urgent"]


def test_version_is_a_content_hash(tmp_path: Path) -> None:
    shutil.copytree(VALID, tmp_path / "playbooks")
    first = load_playbooks(tmp_path / "playbooks").version
    assert first == load_playbooks(VALID).version
    target = tmp_path / "playbooks" / "complaint.yaml"
    target.write_text(target.read_text(encoding="utf-8").replace("priority: 40", "priority: 41"))
    assert load_playbooks(tmp_path / "playbooks").version != first


@pytest.mark.parametrize(
    ("file", "needle", "field", "message_part"),
    [
        ("typo_key.yaml", "negatives:", "match.negatives", "Extra inputs"),
        ("bad_lang.yaml", "ru:", "match.keywords.ru", "'tr', 'az' or 'en'"),
        ("bad_keyword.yaml", "ru*de", "match.keywords.en[1]", "'*' only at a word end"),
        ("wrong_id.yaml", "id: someone_else", "id", "file stem"),
        ("no_match.yaml", "id: no_match", "", "requires a match"),
    ],
)
def test_errors_name_file_line_and_field(
    file: str, needle: str, field: str, message_part: str
) -> None:
    errors = _errors_by_file(BROKEN)[file]
    assert len(errors) == 1
    error = errors[0]
    assert error.line == _line_of(BROKEN / file, needle)
    assert error.field == field
    assert message_part in error.message
    rendered = str(error)
    assert rendered.startswith(f"broken/{file}:{error.line}: ")
    if field:
        assert f": {field}: " in rendered


def test_yaml_syntax_error_is_reported_with_a_line() -> None:
    (error,) = _errors_by_file(BROKEN)["syntax.yaml"]
    assert error.line is not None
    assert "YAML" in error.message


def test_broken_files_are_left_out_and_good_files_still_load(tmp_path: Path) -> None:
    target = tmp_path / "playbooks"
    shutil.copytree(VALID, target)
    for broken in BROKEN.glob("*.yaml"):
        shutil.copy(broken, target / broken.name)
    loaded = load_playbooks(target)
    assert set(loaded.playbooks) == set(load_playbooks(VALID).playbooks)
    assert {Path(e.file).name for e in loaded.errors} == {p.name for p in BROKEN.glob("*.yaml")}


def test_alias_bomb_is_rejected_without_expanding() -> None:
    loaded = load_playbooks(FIXTURES)
    (error,) = [e for e in loaded.errors if e.file.endswith("evil.yaml")]
    assert "alias" in error.message
    assert error.line == 2
    assert loaded.playbooks == {}


def test_oversized_file_is_rejected(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("id: big\n" + "# padding\n" * (MAX_FILE_BYTES // 10 + 10))
    (error,) = load_playbooks(tmp_path).errors
    assert "KB" in error.message
    assert str(error).startswith(f"{tmp_path.name}/big.yaml: ")


def test_duplicate_keys_are_errors(tmp_path: Path) -> None:
    text = (VALID / "complaint.yaml").read_text(encoding="utf-8") + "priority: 99\n"
    (tmp_path / "complaint.yaml").write_text(text, encoding="utf-8")
    (error,) = load_playbooks(tmp_path).errors
    assert "duplicate key 'priority'" in error.message
    assert error.line == len(text.splitlines())


def _raw(playbook_id: str = "complaint") -> dict:
    return load_playbooks(VALID).playbooks[playbook_id].model_dump(exclude_none=True)


def test_ticket_requires_match_and_support_forbids_it() -> None:
    data = _raw()
    del data["match"]
    with pytest.raises(ValidationError, match="requires a match"):
        Playbook.model_validate(data)
    data = _raw("helper")
    data["match"] = {"keywords": {"en": ["x"]}}
    with pytest.raises(ValidationError, match="no match section"):
        Playbook.model_validate(data)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("priority",), 101),
        (("id",), "Complaint-1"),
        (("kind",), "other"),
        (("followup",), {"call_after_solved": "2 days"}),
        (("followup",), {"call_window": {"days": ["monday"], "start": "09:00", "end": "18:00"}}),
        (("followup",), {"survey_window": {"days": ["mon"], "start": "9am", "end": "18:00"}}),
    ],
)
def test_field_constraints(path: tuple[str, ...], value: object) -> None:
    data = _raw()
    data[path[0]] = value
    with pytest.raises(ValidationError):
        Playbook.model_validate(data)


def test_strict_quality_checks() -> None:
    good = load_playbooks(VALID).playbooks["complaint"]
    assert quality_problems(good) == []
    data = _raw()
    del data["title"]["az"]
    del data["guidance"]["en"]
    data["guidance"]["tr"]["steps"] = ["x" * 111, "b"]
    data["guidance"]["tr"]["first_reply"] = "Merhaba {name}, sipariş {order_id} hazır."
    problems = dict(quality_problems(Playbook.model_validate(data)))
    assert problems[("title",)] == "missing title for az"
    assert problems[("guidance",)] == "missing guidance for en"
    assert "3-7" in problems[("guidance", "tr", "steps")]
    assert "max 110" in problems[("guidance", "tr", "steps", 0)]
    assert "{order_id}" in problems[("guidance", "tr", "first_reply")]


def test_strict_flag_turns_quality_problems_into_load_errors(tmp_path: Path) -> None:
    text = (VALID / "complaint.yaml").read_text(encoding="utf-8")
    text = text.replace('az: "complaint AZ başlıq", ', "")
    (tmp_path / "complaint.yaml").write_text(text, encoding="utf-8")
    assert set(load_playbooks(tmp_path).playbooks) == {"complaint"}
    strict = load_playbooks(tmp_path, strict=True)
    assert strict.playbooks == {}
    (error,) = strict.errors
    assert (error.field, error.message) == ("title", "missing title for az")
    assert error.line == _line_of(tmp_path / "complaint.yaml", "title:")


def _with_reply_checks(tmp_path: Path, block: str) -> Path:
    """The valid complaint fixture with `block` as the Turkish guidance's reply_checks."""
    text = (VALID / "complaint.yaml").read_text(encoding="utf-8")
    anchor = '    first_reply: "Merhaba {name}, mesajınız için teşekkürler; hemen ilgileniyorum."\n'
    assert anchor in text
    target = tmp_path / "complaint.yaml"
    target.write_text(text.replace(anchor, anchor + "    reply_checks:\n" + block), "utf-8")
    return target


@pytest.mark.parametrize(
    ("block", "needle", "field", "message_part"),
    [
        ('      - step: "Özür dileyin"\n        any: ["özür dil*"]\n        promise: true\n',
         "- step:", "guidance.tr.reply_checks[0]", "either any"),
        ('      - step: "Özür dileyin"\n', "- step:", "guidance.tr.reply_checks[0]", "either any"),
        ('      - step: "Özür dileyin"\n        promise: false\n', "- step:",
         "guidance.tr.reply_checks[0]", "either any"),
        ('      - step: "Özür dileyin"\n        any: ["özür dil*", "ö*zür"]\n', "any:",
         "guidance.tr.reply_checks[0].any[1]", "'*' only at a word end"),
        ('      - step: "Özür dileyin"\n        any: []\n', "any:",
         "guidance.tr.reply_checks[0].any", "at least 1"),
        ('      - step: ""\n        promise: true\n', "- step:",
         "guidance.tr.reply_checks[0].step", "at least 1"),
        ('      - step: "Özür dileyin"\n        keywords: ["özür*"]\n', "keywords:",
         "guidance.tr.reply_checks[0].keywords", "Extra inputs"),
    ],
)
def test_reply_check_errors_name_file_line_and_field(
    tmp_path: Path, block: str, needle: str, field: str, message_part: str
) -> None:
    target = _with_reply_checks(tmp_path, block)
    errors = load_playbooks(tmp_path).errors
    assert [e.field for e in errors] == [field]
    assert errors[0].line == _line_of(target, needle)
    assert message_part in errors[0].message
    assert str(errors[0]).startswith(f"{tmp_path.name}/complaint.yaml:{errors[0].line}: {field}: ")


def test_reply_checks_load_and_quality_limits(tmp_path: Path) -> None:
    good = '      - step: "Özür dileyin"\n        any: ["özür dil*", "kusura bakmayın"]\n'
    good += "      - step: \"Tarih verin\"\n        promise: true\n"
    _with_reply_checks(tmp_path, good)
    tr_checks = load_playbooks(tmp_path).playbooks["complaint"].guidance["tr"].reply_checks
    assert [(c.step, c.any, c.promise) for c in tr_checks] == [
        ("Özür dileyin", ["özür dil*", "kusura bakmayın"], False),
        ("Tarih verin", None, True),
    ]
    strict = load_playbooks(tmp_path, strict=True)
    (error,) = strict.errors
    assert error.field == "guidance"
    assert error.message == "reply_checks differ in number by language: tr 2, az 0, en 0"
    data = _raw()
    data["guidance"]["en"]["reply_checks"] = [{"step": "x" * 41, "promise": True}] * 5
    problems = dict(quality_problems(Playbook.model_validate(data)))
    assert problems[("guidance", "en", "reply_checks")] == "at most 4 reply checks"
    assert problems[("guidance", "en", "reply_checks", 0, "step")] == "step is 41 chars; max 40"
