"""Validation and normalisation of ticket input, following Zendesk's rules."""

from __future__ import annotations

from typing import Any

from plugin.sandbox.errors import invalid
from plugin.sandbox.serialize import html_to_text, text_to_html
from plugin.sandbox.state import Record, SandboxState, iso, parse_iso

STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
TYPES = ("question", "incident", "problem", "task")
PRIORITIES = ("low", "normal", "high", "urgent")
MAX_COMMENTS = 5000


def enum(field: str, value: Any, allowed: tuple[str, ...], nullable: bool) -> str | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str) or value.lower() not in allowed:
        raise invalid(field, f"{field.capitalize()}: {value} is not valid")
    return value.lower()


def norm_tags(tags: Any) -> list[str]:
    """Lower-case, split on whitespace, de-duplicate, keep order."""
    if isinstance(tags, str):
        tags = [tags]
    if not isinstance(tags, list):
        raise invalid("tags", "Tags: must be a list")
    out: list[str] = []
    for tag in tags:
        for part in str(tag).lower().split():
            if part not in out:
                out.append(part)
    return out


def group_id(state: SandboxState, value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or value not in state.groups:
        raise invalid("group", "Group: is invalid")
    return value


def assignee_id(state: SandboxState, value: Any) -> int | None:
    if value is None:
        return None
    user = state.users.get(value) if isinstance(value, int) else None
    if user is None or user["role"] not in ("agent", "admin"):
        raise invalid("assignee", "Assignee: is invalid")
    return value


def due_at(value: Any) -> str | None:
    if value is None:
        return None
    try:
        return iso(parse_iso(str(value)))
    except ValueError:
        raise invalid("due_at", "Due at: is invalid") from None


def custom_fields(current: list[Record], value: Any) -> list[Record]:
    """Merge [{id, value}] into the ticket's custom fields by id."""
    if not isinstance(value, list) or not all(isinstance(f, dict) and "id" in f for f in value):
        raise invalid("custom_fields", "Custom fields: must be a list of {id, value}")
    merged = {f["id"]: dict(f) for f in current}
    for item in value:
        merged[item["id"]] = {"id": item["id"], "value": item.get("value")}
    return list(merged.values())


def comment(state: SandboxState, spec: Any, actor: Record) -> Record:
    """Normalise a comment spec into {author_id, body, html_body, public}."""
    if not isinstance(spec, dict):
        raise invalid("comment", "Comment: must be an object")
    author = actor
    if spec.get("author_id") is not None:
        author = state.users.get(spec["author_id"]) or {}
        if not author:
            raise invalid("author_id", "Author: is invalid")
    if spec.get("html_body"):
        html_body = str(spec["html_body"])
        body = html_to_text(html_body)
    else:
        body = str(spec.get("body") or "").strip()
        html_body = text_to_html(body)
    if not body:
        raise invalid("comment", "Comment: value is blank")
    public = bool(spec.get("public", True)) or author["role"] == "end-user"
    return {"author_id": author["id"], "body": body, "html_body": html_body, "public": public}
