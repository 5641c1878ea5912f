"""Load and validate playbooks/*.yaml into a PlaybookSet, reporting errors as file:line: field."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from plugin.playbooks.schema import Loc, Playbook, quality_problems

MAX_FILE_BYTES = 256 * 1024


@dataclass(frozen=True)
class LoadError:
    """One problem in one playbook file; line is 1-based, None when unknown."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


@dataclass(frozen=True, eq=False)
class PlaybookSet:
    """Playbooks by id, the errors met while loading, and a hash of the files' contents."""

    playbooks: dict[str, Playbook]
    errors: list[LoadError] = field(default_factory=list)
    version: str = ""


class _FileProblem(Exception):
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases, so alias bombs never expand."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _FileProblem(
                event.start_mark.line + 1, "YAML anchors and aliases are not allowed"
            )
        return super().compose_node(parent, index)


def _parse(text: str) -> tuple[yaml.Node | None, Any]:
    loader = None
    try:
        loader = _NoAliasLoader(text)  # the reader refuses control characters right here
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        context = f"{exc.context}: " if exc.context else ""
        raise _FileProblem(mark.line + 1 if mark else None, f"YAML {context}{exc.problem}") from exc
    except yaml.YAMLError as exc:  # e.g. a control character the reader refuses
        raise _FileProblem(getattr(getattr(exc, "position", None), "line", None) or None,
                           f"YAML: {str(exc).splitlines()[0][:200]}") from exc
    except RecursionError as exc:
        raise _FileProblem(None, "YAML nesting is too deep") from exc
    except (ValueError, KeyError, AttributeError, IndexError, TypeError, OverflowError) as exc:
        # A value its tag cannot hold (!!int abc, !!bool maybe, 2026-02-30, huge ints): PyYAML's
        # constructors raise whatever their conversion raises.
        raise _FileProblem(None, f"YAML value that its tag cannot hold: {str(exc)[:160]}") from exc
    finally:
        if loader is not None:
            loader.dispose()


def _duplicate_key_line(node: yaml.Node) -> tuple[int, str] | None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, _ in node.value:
            if key.value in seen:
                return key.start_mark.line + 1, str(key.value)
            seen.add(key.value)
        children = [value for _, value in node.value]
    elif isinstance(node, yaml.SequenceNode):
        children = node.value
    else:
        return None
    for child in children:
        found = _duplicate_key_line(child)
        if found:
            return found
    return None


def _line_for(node: yaml.Node | None, loc: Loc) -> int | None:
    """Follow a pydantic error location through the YAML node tree to a line number."""
    if node is None:
        return None
    for index, part in enumerate(loc):
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if str(k.value) == str(part)), None)
            if pair is None:
                break
            key_is_wrong = loc[index + 1 : index + 2] == ("[key]",)
            node = pair[0] if key_is_wrong else pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
        else:
            break
    return node.start_mark.line + 1


def _field_name(loc: Loc) -> str:
    name = ""
    for part in loc:
        if isinstance(part, int):
            name += f"[{part}]"
        elif part != "[key]":
            name += f".{part}" if name else part
    return name


def _message(pydantic_message: str) -> str:
    return pydantic_message.removeprefix("Value error, ")


def _load_file(
    raw: bytes, stem: str, display: str, strict: bool
) -> tuple[Playbook | None, list[LoadError]]:
    try:
        if len(raw) > MAX_FILE_BYTES:
            raise _FileProblem(None, f"file is over {MAX_FILE_BYTES // 1024} KB")
        node, data = _parse(raw.decode("utf-8"))
        duplicate = _duplicate_key_line(node) if node is not None else None
        if duplicate:
            raise _FileProblem(duplicate[0], f"duplicate key {duplicate[1]!r}")
    except _FileProblem as exc:
        return None, [LoadError(display, exc.line, "", str(exc))]
    except UnicodeDecodeError as exc:
        return None, [LoadError(display, None, "", f"not UTF-8: {exc.reason}")]
    if not isinstance(data, dict):
        return None, [LoadError(display, 1, "", "top level must be a mapping")]
    try:
        playbook = Playbook.model_validate(data)
    except ValidationError as exc:
        return None, [
            LoadError(
                display, _line_for(node, err["loc"]), _field_name(err["loc"]), _message(err["msg"])
            )
            for err in exc.errors()
        ]
    problems: list[tuple[Loc, str]] = []
    if playbook.id != stem:
        problems.append((("id",), f"id {playbook.id!r} must equal the file stem {stem!r}"))
    if strict:
        problems.extend(quality_problems(playbook))
    errors = [LoadError(display, _line_for(node, loc), _field_name(loc), m) for loc, m in problems]
    return (None if errors else playbook), errors


def load_playbooks(directory: str | Path, strict: bool = False) -> PlaybookSet:
    """Load every *.yaml in `directory`; failing files are left out and reported in `.errors`.

    `strict` adds the shipped-quality checks (all three languages, size limits).
    """
    root = Path(directory)
    playbooks: dict[str, Playbook] = {}
    errors: list[LoadError] = []
    digest = hashlib.sha256()
    for path in sorted(root.glob("*.yaml")):
        display = f"{root.name}/{path.name}"
        try:
            with path.open("rb") as handle:
                raw = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            errors.append(LoadError(display, None, "", f"cannot read: {exc.strerror}"))
            continue
        digest.update(path.name.encode() + b"\0" + raw + b"\0")
        playbook, file_errors = _load_file(raw, path.stem, display, strict)
        errors.extend(file_errors)
        if playbook is not None:
            playbooks[playbook.id] = playbook
    return PlaybookSet(playbooks=playbooks, errors=errors, version=digest.hexdigest()[:16])
