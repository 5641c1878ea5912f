"""Freshdesk API v2 enums, error bodies and JSON renderings of sandbox records."""

from __future__ import annotations

import html
from typing import Any

from plugin.sandbox.errors import ApiError
from plugin.sandbox.state import Record, iso

STATUSES = {2: "Open", 3: "Pending", 4: "Resolved", 5: "Closed"}
PRIORITIES = {1: "Low", 2: "Medium", 3: "High", 4: "Urgent"}
SOURCES = {1: "Email", 2: "Portal", 3: "Phone", 5: "Twitter", 6: "Facebook", 7: "Chat",
           9: "Feedback Widget", 10: "Outbound Email"}
TYPES = ("Question", "Incident", "Problem", "Feature Request", "Refund")
REPLY, NOTE = 0, 2  # conversation sources
TIME_ZONES = {"tr": "Istanbul", "az": "Baku", "en": "Eastern Time (US & Canada)"}
# Admin-created custom ticket fields: (name, label, type).
CUSTOM_FIELDS = (("cf_nps_score", "NPS", "custom_number"),
                 ("cf_ces_score", "CES", "custom_number"),
                 ("cf_follow_up_at", "Follow-up at", "custom_date_time"))
_DEFAULT_FIELDS = (("requester", "Search a requester", "default_requester", None),
                   ("subject", "Subject", "default_subject", None),
                   ("ticket_type", "Type", "default_ticket_type", list(TYPES)),
                   ("source", "Source", "default_source", SOURCES),
                   ("status", "Status", "default_status", STATUSES),
                   ("priority", "Priority", "default_priority", PRIORITIES),
                   ("group", "Group", "default_group", None),
                   ("agent", "Agent", "default_agent", None),
                   ("description", "Description", "default_description", None))
SLA_HOURS = {1: (24, 72), 2: (8, 24), 3: (4, 8), 4: (1, 4)}  # priority -> (first reply, resolve)


def validation_error(field: str, message: str, code: str, status: int = 400) -> ApiError:
    """Freshdesk's {"description": "Validation failed", "errors": [...]} body."""
    return ApiError(status, {"description": "Validation failed",
                             "errors": [{"field": field, "message": message, "code": code}]})


def choice_error(field: str, allowed: Any) -> ApiError:
    values = ",".join(str(v) for v in allowed if v is not None)
    return validation_error(field, f"It should be one of these values: '{values}'",
                            "invalid_value")


def to_html(body: str) -> str:
    """Keep HTML as given; wrap plain text in a <div> like the agent editor does."""
    if "<" in body:
        return body
    return f"<div>{html.escape(body).replace(chr(10), '<br>')}</div>"


def ticket_json(ticket: Record, description: bool = True) -> Record:
    out = {
        "cc_emails": [], "fwd_emails": [], "reply_cc_emails": [], "ticket_cc_emails": [],
        "fr_escalated": False, "spam": False, "email_config_id": None,
        "group_id": ticket["group_id"], "priority": ticket["priority"],
        "requester_id": ticket["requester_id"], "responder_id": ticket["responder_id"],
        "source": ticket["source"], "company_id": None, "status": ticket["status"],
        "subject": ticket["subject"], "association_type": None, "support_email": None,
        "to_emails": None, "product_id": None, "id": ticket["id"], "type": ticket["type"],
        "due_by": iso(ticket["due_by_ts"]), "fr_due_by": iso(ticket["fr_due_by_ts"]),
        "is_escalated": False, "custom_fields": dict(ticket["custom_fields"]),
        "created_at": iso(ticket["created_ts"]), "updated_at": iso(ticket["updated_ts"]),
        "associated_tickets_count": None, "tags": list(ticket["tags"]),
    }
    if description:
        out["description"] = ticket["description"]
        out["description_text"] = ticket["description_text"]
    return out


def conversation_json(conv: Record) -> Record:
    return {
        "body": conv["body"], "body_text": conv["body_text"], "id": conv["id"],
        "incoming": conv["incoming"], "private": not conv["public"],
        "user_id": conv["author_id"], "support_email": None, "source": conv["source"],
        "category": 2 if conv["source"] == NOTE else 3, "ticket_id": conv["ticket_id"],
        "to_emails": list(conv["to_emails"]), "from_email": conv["from_email"],
        "cc_emails": [], "bcc_emails": None, "notified_to": list(conv["notified_to"]),
        "attachments": [], "created_at": iso(conv["created_ts"]),
        "updated_at": iso(conv["created_ts"]),
    }


def contact_json(user: Record) -> Record:
    return {
        "active": True, "address": None, "company_id": None, "description": None,
        "email": user["email"], "id": user["id"], "job_title": None,
        "language": user["locale"].split("-")[0], "mobile": user.get("mobile"),
        "name": user["name"], "phone": user["phone"], "time_zone": user["time_zone"],
        "twitter_id": None, "unique_external_id": None, "other_emails": [], "tags": [],
        "custom_fields": {}, "created_at": iso(user["created_ts"]),
        "updated_at": iso(user["created_ts"]),
    }


def agent_json(user: Record) -> Record:
    contact = contact_json(user)
    return {
        "available": True, "occasional": False, "id": user["id"], "ticket_scope": 1,
        "signature": None, "type": "support_agent", "group_ids": [], "role_ids": [],
        "available_since": None, "created_at": contact["created_at"],
        "updated_at": contact["updated_at"],
        "contact": {k: contact[k] for k in ("active", "email", "job_title", "language",
                                            "mobile", "name", "phone", "time_zone",
                                            "created_at", "updated_at")} | {"last_login_at": None},
    }


def group_json(group: Record) -> Record:
    return {
        "id": group["id"], "name": group["name"], "description": group.get("description"),
        "business_hour_id": None, "escalate_to": None, "unassigned_for": None,
        "auto_ticket_assign": False, "group_type": "support_agent_group",
        "created_at": iso(group["created_ts"]), "updated_at": iso(group["created_ts"]),
    }


def ticket_fields_json(created_ts: int) -> list[Record]:
    stamp = iso(created_ts)
    fields: list[Record] = []
    rows = [(n, lbl, kind, choices, True) for n, lbl, kind, choices in _DEFAULT_FIELDS]
    rows += [(n, lbl, kind, None, False) for n, lbl, kind in CUSTOM_FIELDS]
    for position, (name, label, kind, choices, default) in enumerate(rows, start=1):
        field: Record = {
            "id": 70000 + position, "name": name, "label": label, "description": None,
            "position": position, "required_for_closure": False,
            "required_for_agents": name in ("requester", "subject"), "type": kind,
            "default": default, "customers_can_edit": name == "subject",
            "label_for_customers": label, "required_for_customers": False,
            "displayed_to_customers": default, "created_at": stamp, "updated_at": stamp}
        if choices is not None:
            field["choices"] = choices
        fields.append(field)
    return fields
