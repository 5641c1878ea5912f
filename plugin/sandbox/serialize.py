"""Render sandbox records as Zendesk API JSON and as webhook `detail` objects."""

from __future__ import annotations

import html
import re
from typing import Any

from plugin.sandbox.state import Record, iso

_TAG_RE = re.compile(r"<[^>]+>")
_BREAK_RE = re.compile(r"(?i)<br\s*/?>|</p>|</div>|</li>")


def html_to_text(markup: str) -> str:
    """Strip tags the way Zendesk derives `body` from `html_body`."""
    text = _TAG_RE.sub("", _BREAK_RE.sub("\n", markup))
    lines = [line.strip() for line in html.unescape(text).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def text_to_html(text: str) -> str:
    """Wrap plain text like Zendesk's rendered comment html."""
    paragraphs = [p for p in re.split(r"\n{2,}", text.strip()) if p]
    inner = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    return f'<div class="zd-comment" dir="auto">{inner}</div>'


def user_json(user: Record, base: str) -> Record:
    return {
        "id": user["id"], "url": f"{base}/api/v2/users/{user['id']}.json",
        "name": user["name"], "email": user["email"], "role": user["role"],
        "locale": user["locale"], "time_zone": user["time_zone"],
        "iana_time_zone": user["iana_time_zone"], "phone": user["phone"],
        "active": True, "verified": True, "organization_id": None, "tags": [],
        "user_fields": {}, "created_at": iso(user["created_ts"]),
        "updated_at": iso(user["created_ts"]),
    }


def group_json(group: Record, base: str) -> Record:
    return {
        "id": group["id"], "url": f"{base}/api/v2/groups/{group['id']}.json",
        "name": group["name"], "description": group.get("description", ""),
        "default": False, "deleted": False, "is_public": True,
        "created_at": iso(group["created_ts"]), "updated_at": iso(group["created_ts"]),
    }


def ticket_json(ticket: Record, base: str) -> Record:
    return {
        "url": f"{base}/api/v2/tickets/{ticket['id']}.json", "id": ticket["id"],
        "external_id": ticket.get("external_id"), "via": ticket["via"],
        "created_at": iso(ticket["created_ts"]), "updated_at": iso(ticket["updated_ts"]),
        "type": ticket["type"], "subject": ticket["subject"], "raw_subject": ticket["subject"],
        "description": ticket["description"], "priority": ticket["priority"],
        "status": ticket["status"], "recipient": None,
        "requester_id": ticket["requester_id"], "submitter_id": ticket["submitter_id"],
        "assignee_id": ticket["assignee_id"], "organization_id": None,
        "group_id": ticket["group_id"], "collaborator_ids": [], "follower_ids": [],
        "email_cc_ids": [], "problem_id": None, "has_incidents": False,
        "is_public": ticket["is_public"], "due_at": ticket["due_at"], "tags": list(ticket["tags"]),
        "custom_fields": [dict(f) for f in ticket["custom_fields"]],
        "fields": [dict(f) for f in ticket["custom_fields"]],
        "satisfaction_rating": None, "sharing_agreement_ids": [],
        "followup_ids": list(ticket["followup_ids"]), "ticket_form_id": None, "brand_id": None,
        "allow_channelback": False, "allow_attachments": True,
    }


def request_json(ticket: Record, base: str) -> Record:
    return {
        "url": f"{base}/api/v2/requests/{ticket['id']}.json", "id": ticket["id"],
        "status": ticket["status"], "priority": ticket["priority"], "type": ticket["type"],
        "subject": ticket["subject"], "description": ticket["description"],
        "organization_id": None, "via": ticket["via"], "custom_fields": ticket["custom_fields"],
        "requester_id": ticket["requester_id"], "collaborator_ids": [], "email_cc_ids": [],
        "is_public": ticket["is_public"], "due_at": ticket["due_at"],
        "can_be_solved_by_me": False, "solved": ticket["status"] in ("solved", "closed"),
        "ticket_form_id": None, "recipient": None,
        "followup_source_id": ticket["via_followup_source_id"],
        "assignee_id": ticket["assignee_id"], "group_id": ticket["group_id"],
        "created_at": iso(ticket["created_ts"]), "updated_at": iso(ticket["updated_ts"]),
    }


def comment_json(comment: Record) -> Record:
    return {
        "id": comment["id"], "type": "Comment", "author_id": comment["author_id"],
        "body": comment["body"], "html_body": comment["html_body"],
        "plain_body": comment["body"], "public": comment["public"], "attachments": [],
        "audit_id": comment["audit_id"], "via": comment["via"], "metadata": {},
        "created_at": iso(comment["created_ts"]),
    }


def audit_json(audit: Record) -> Record:
    return {
        "id": audit["id"], "ticket_id": audit["ticket_id"], "author_id": audit["author_id"],
        "created_at": iso(audit["created_ts"]), "via": audit["via"],
        "metadata": {"system": {}, "custom": {}}, "events": audit["events"],
    }


def _upper(value: str | None) -> str | None:
    return value.upper() if value else None


def str_id(value: int | None) -> str | None:
    return None if value is None else str(value)


def webhook_detail(ticket: Record, actor_id: int) -> Record:
    """The `detail` object of a zen:event-type:ticket.* event (ids as strings)."""
    channel = ticket["via"]["channel"]
    return {
        "actor_id": str(actor_id), "assignee_id": str_id(ticket["assignee_id"]),
        "brand_id": None, "created_at": iso(ticket["created_ts"]),
        "description": ticket["description"], "external_id": None, "form_id": None,
        "group_id": str_id(ticket["group_id"]), "id": str(ticket["id"]),
        "is_public": ticket["is_public"], "organization_id": None,
        "priority": _upper(ticket["priority"]), "requester_id": str_id(ticket["requester_id"]),
        "status": _upper(ticket["status"]), "subject": ticket["subject"],
        "submitter_id": str_id(ticket["submitter_id"]), "tags": list(ticket["tags"]),
        "type": _upper(ticket["type"]), "updated_at": iso(ticket["updated_ts"]),
        "via": {"channel": "web_service" if channel == "api" else channel},
    }


def change_event(field: str, previous: Any, value: Any) -> Record:
    """An audit `Change` event."""
    return {"type": "Change", "field_name": field, "value": value, "previous_value": previous}
