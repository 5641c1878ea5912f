"""Ticket mutations with Zendesk's rules: audits, timestamps and webhook events per change."""

from __future__ import annotations

from typing import Any, Protocol

from plugin.sandbox import validate as v
from plugin.sandbox.errors import closed_ticket, invalid, not_found, update_conflict
from plugin.sandbox.serialize import change_event, str_id, webhook_detail
from plugin.sandbox.state import Record, SandboxState, parse_iso

_WEBHOOK_FIELDS = {"status": "status_changed", "group_id": "group_assignment_changed",
                   "assignee_id": "agent_assignment_changed", "tags": "tags_changed",
                   "priority": "priority_changed"}


class EventSink(Protocol):
    """Receives webhook events (the WebhookSender)."""

    def enqueue(self, ticket_id: int, event_type: str, detail: Record, event: Record) -> None: ...


def _event_value(field: str, value: Any) -> Any:
    if field in ("group_id", "assignee_id"):
        return str_id(value)
    if field in ("status", "priority"):
        return value.upper() if value else None
    return value


class TicketService:
    """Creates and updates tickets in a SandboxState and emits webhook events."""

    def __init__(self, state: SandboxState, sink: EventSink) -> None:
        self.state = state
        self.sink = sink

    def get(self, ticket_id: int) -> Record:
        ticket = self.state.tickets.get(ticket_id)
        if ticket is None:
            raise not_found()
        return ticket

    def create(self, data: Any, actor: Record, channel: str = "api") -> tuple[Record, Record]:
        """POST /tickets (and /requests): returns (ticket, audit)."""
        if not isinstance(data, dict):
            raise invalid("ticket", "Ticket: is invalid")
        with self.state.lock:
            first = v.comment(self.state, data.get("comment"), actor)
            requester = self._requester(data, actor)
            source = self._followup_source(data.get("via_followup_source_id"))
            assignee = v.assignee_id(self.state, data.get("assignee_id"))
            status = v.enum("status", data.get("status") or ("open" if assignee else "new"),
                            v.STATUSES, nullable=False)
            tags = v.norm_tags(data["tags"]) if "tags" in data else (
                list(source["tags"]) if source else [])
            now = self.state.now()
            via: Record = {"channel": channel, "source": {"from": {}, "to": {}, "rel": None}}
            if source:
                via["source"] = {"from": {"ticket_id": source["id"]}, "to": {},
                                 "rel": "follow_up"}
            ticket = {
                "id": self.state.next_id("ticket"), "subject": data.get("subject") or
                first["body"][:60], "description": first["body"], "status": status,
                "priority": v.enum("priority", data.get("priority"), v.PRIORITIES, True),
                "type": v.enum("type", data.get("type"), v.TYPES, True),
                "requester_id": requester["id"],
                "submitter_id": actor["id"] if channel == "api" else requester["id"],
                "assignee_id": assignee, "group_id": v.group_id(self.state, data.get("group_id")),
                "tags": tags, "custom_fields": v.custom_fields([], data.get("custom_fields", [])),
                "due_at": v.due_at(data.get("due_at")), "via": via, "created_ts": now,
                "updated_ts": now, "is_public": first["public"], "followup_ids": [],
                "via_followup_source_id": source["id"] if source else None,
                "external_id": str(data["external_id"])[:255] if data.get("external_id") else None,
            }
            self.state.tickets[ticket["id"]] = ticket
            self.state.comments[ticket["id"]] = []
            self.state.audits[ticket["id"]] = []
            if source:
                source["followup_ids"].append(ticket["id"])
            events = [{"type": "Create", "field_name": f, "value": ticket[f]} for f in
                      ("subject", "status", "priority", "type", "requester_id", "group_id",
                       "assignee_id", "tags")]
            audit = self._record(ticket, actor, first, events, via)
            self.sink.enqueue(ticket["id"], "ticket.created", webhook_detail(ticket, actor["id"]),
                              {})
            return ticket, audit

    def update(self, ticket_id: int, data: Any, actor: Record) -> tuple[Record, Record]:
        """PUT /tickets/{id}: validate everything, then apply; returns (ticket, audit)."""
        if not isinstance(data, dict):
            raise invalid("ticket", "Ticket: is invalid")
        with self.state.lock:
            ticket = self._updatable(ticket_id)
            if data.get("safe_update"):
                stamp = data.get("updated_stamp")
                try:
                    same = stamp is not None and parse_iso(str(stamp)) == ticket["updated_ts"]
                except ValueError:
                    same = False
                if not same:
                    raise update_conflict()
            new = self._changes(ticket, data)
            note = v.comment(self.state, data["comment"], actor) if "comment" in data else None
            if "status" not in data:
                self._auto_status(ticket, new, note, actor)
            return self._apply(ticket, new, note, actor)

    def set_tags(self, ticket_id: int, tags: Any, mode: str, actor: Record) -> Record:
        """Tags endpoints: mode add (PUT), set (POST) or remove (DELETE)."""
        with self.state.lock:
            ticket = self._updatable(ticket_id)
            given = v.norm_tags(tags)
            if mode == "add":
                result = ticket["tags"] + [t for t in given if t not in ticket["tags"]]
            elif mode == "remove":
                result = [t for t in ticket["tags"] if t not in given]
            else:
                result = given
            self._apply(ticket, {"tags": result}, None, actor)
            return ticket

    def customer_comment(self, ticket_id: int, data: Any, actor: Record) -> Record:
        """PUT /requests/{id}: the requester adds a public comment (reopens the ticket)."""
        with self.state.lock:
            ticket = self.get(ticket_id)
            if ticket["requester_id"] != actor["id"]:
                raise not_found()
            ticket = self._updatable(ticket_id)
            spec = data.get("comment") if isinstance(data, dict) else None
            note = v.comment(self.state, {**(spec or {}), "public": True, "author_id": None},
                             actor)
            new: Record = {}
            self._auto_status(ticket, new, note, actor)
            self._apply(ticket, new, note, actor, channel="web")
            return ticket

    def _updatable(self, ticket_id: int) -> Record:
        ticket = self.get(ticket_id)
        if ticket["status"] == "closed":
            raise closed_ticket()
        if len(self.state.comments[ticket_id]) >= v.MAX_COMMENTS:
            raise invalid("comment", f"Comment: a ticket can have at most {v.MAX_COMMENTS} "
                          "comments")
        return ticket

    def _requester(self, data: Record, actor: Record) -> Record:
        if data.get("requester_id") is not None:
            user = self.state.users.get(data["requester_id"])
            if user is None:
                raise invalid("requester", "Requester: is invalid")
            return user
        spec = data.get("requester")
        if isinstance(spec, dict) and spec.get("email"):
            return self.state.ensure_end_user(spec)
        return actor

    def _followup_source(self, source_id: Any) -> Record | None:
        if source_id is None:
            return None
        source = self.state.tickets.get(source_id) if isinstance(source_id, int) else None
        if source is None or source["status"] != "closed":
            raise invalid("via_followup_source_id",
                          "Via followup source: must be a closed ticket")
        return source

    def _changes(self, ticket: Record, data: Record) -> Record:
        """Validated new field values (only fields present in the request)."""
        state, new = self.state, {}
        if "status" in data:
            new["status"] = v.enum("status", data["status"], v.STATUSES, nullable=False)
        if "priority" in data:
            new["priority"] = v.enum("priority", data["priority"], v.PRIORITIES, nullable=True)
        if "type" in data:
            new["type"] = v.enum("type", data["type"], v.TYPES, nullable=True)
        if "group_id" in data:
            new["group_id"] = v.group_id(state, data["group_id"])
        if "assignee_id" in data:
            new["assignee_id"] = v.assignee_id(state, data["assignee_id"])
        if "subject" in data:
            new["subject"] = str(data["subject"])
        if "due_at" in data:
            new["due_at"] = v.due_at(data["due_at"])
        if "custom_fields" in data:
            new["custom_fields"] = v.custom_fields(ticket["custom_fields"], data["custom_fields"])
        tags = v.norm_tags(data["tags"]) if "tags" in data else list(ticket["tags"])
        tags += [t for t in v.norm_tags(data.get("additional_tags", [])) if t not in tags]
        removed = v.norm_tags(data.get("remove_tags", []))
        new["tags"] = [t for t in tags if t not in removed]
        return new

    def _auto_status(self, ticket: Record, new: Record, note: Record | None,
                     actor: Record) -> None:
        """Zendesk's implicit status moves when no status is given."""
        author = self.state.users.get(note["author_id"], actor) if note else actor
        customer_reply = bool(note) and author["role"] == "end-user" and ticket["status"] in (
            "pending", "hold", "solved")
        if customer_reply or (ticket["status"] == "new" and new.get("assignee_id")):
            new["status"] = "open"

    def _apply(self, ticket: Record, new: Record, note: Record | None, actor: Record,
               channel: str = "api") -> tuple[Record, Record]:
        if new.get("status") == "solved" and not new.get("assignee_id", ticket["assignee_id"]) \
                and actor["role"] != "end-user":
            new["assignee_id"] = actor["id"]
        changed = [(f, ticket[f], val) for f, val in new.items() if ticket[f] != val]
        if not changed and note is None:
            return ticket, self._audit_stub(ticket, actor)
        for field, _, val in changed:
            ticket[field] = val
        self.state.bump_updated(ticket)
        via = {"channel": channel, "source": {"from": {}, "to": {}, "rel": None}}
        audit = self._record(ticket, actor, note,
                             [change_event(f, p, val) for f, p, val in changed], via)
        detail = webhook_detail(ticket, actor["id"])
        if note:
            comment = audit["events"][0]
            author = self.state.users[comment["author_id"]]
            self.sink.enqueue(ticket["id"], "ticket.comment_added", detail, {"comment": {
                "id": str(comment["id"]), "body": comment["body"],
                "html_body": comment["html_body"], "is_public": comment["public"],
                "author": {"id": str(author["id"]), "name": author["name"],
                           "is_staff": author["role"] != "end-user"}}})
        for field, prev, val in changed:
            if field in _WEBHOOK_FIELDS:
                self.sink.enqueue(ticket["id"], f"ticket.{_WEBHOOK_FIELDS[field]}", detail,
                                  {"previous": _event_value(field, prev),
                                   "current": _event_value(field, val)})
        return ticket, audit

    def _audit_stub(self, ticket: Record, actor: Record) -> Record:
        return {"id": None, "ticket_id": ticket["id"], "author_id": actor["id"],
                "created_ts": ticket["updated_ts"], "via": {"channel": "api"}, "events": []}

    def _record(self, ticket: Record, actor: Record, note: Record | None,
                events: list[Record], via: Record) -> Record:
        """Store the comment (if any) and the audit; mark state changed."""
        audit_id = self.state.next_id("audit")
        if note:
            comment = {**note, "id": self.state.next_id("comment"), "ticket_id": ticket["id"],
                       "created_ts": ticket["updated_ts"], "via": via, "audit_id": audit_id}
            self.state.comments[ticket["id"]].append(comment)
            ticket["is_public"] = ticket["is_public"] or comment["public"]
            events = [{"id": comment["id"], "type": "Comment", "author_id": comment["author_id"],
                       "body": comment["body"], "html_body": comment["html_body"],
                       "plain_body": comment["body"], "public": comment["public"],
                       "attachments": [], "audit_id": audit_id}, *events]
        audit = {"id": audit_id, "ticket_id": ticket["id"], "author_id": actor["id"],
                 "created_ts": ticket["updated_ts"], "via": via, "events": events}
        self.state.audits[ticket["id"]].append(audit)
        self.state.changed()
        return audit
