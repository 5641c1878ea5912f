"""Freshdesk ticket, conversation and contact mutations with Freshdesk's validation rules."""

from __future__ import annotations

from typing import Any, Protocol

from werkzeug.exceptions import NotFound

from plugin.sandbox import freshdesk_serialize as fs
from plugin.sandbox.freshdesk_serialize import choice_error, to_html, validation_error
from plugin.sandbox.serialize import html_to_text
from plugin.sandbox.state import Record, SandboxState, iso, parse_iso

_CUSTOM_TYPES = {name: kind for name, _, kind in fs.CUSTOM_FIELDS}
_REOPENED_BY_CUSTOMER = (4, 5)  # a requester reply to a resolved/closed ticket reopens it
_UPDATE_FIELDS = frozenset(("subject", "status", "priority", "source", "type", "group_id",
                            "responder_id", "tags", "custom_fields", "due_by", "fr_due_by"))
_CREATE_FIELDS = _UPDATE_FIELDS | {"description", "requester_id", "email", "name"}
_NOTIFYING_FIELDS = ("status", "group_id", "responder_id")  # what the update rule listens to


class Notifier(Protocol):
    """Receives ticket events (the FreshdeskWebhookSender)."""

    def notify(self, ticket_id: int, event: str) -> None: ...


def _missing(field: str) -> Any:
    return validation_error(field, "Mandatory attribute missing", "missing_field")


def _text(data: Record, field: str) -> str:
    value = data.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _missing(field)
    if not isinstance(value, str):
        raise validation_error(field, "Value set is of type Integer.It should be a/an String",
                               "datatype_mismatch")
    return value


def _choice(data: Record, field: str, allowed: Any, default: Any) -> Any:
    value = data.get(field, default)
    if value not in allowed or isinstance(value, bool):
        raise choice_error(field, allowed)
    return value


def _known(data: Record, allowed: frozenset[str]) -> None:
    for name in data:
        if name not in allowed:
            raise validation_error(name, "Unexpected/invalid field in request", "invalid_field")


def _tags(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise validation_error("tags", "It should be a/an Array of String", "datatype_mismatch")
    return list(dict.fromkeys(t.strip() for t in value if t.strip()))


class FreshdeskService:
    """Tickets, conversations and contacts in a SandboxState; notifies the webhook sender."""

    def __init__(self, state: SandboxState, notifier: Notifier) -> None:
        self.state = state
        self.notifier = notifier

    def get(self, ticket_id: int) -> Record:
        ticket = self.state.tickets.get(ticket_id)
        if ticket is None:
            raise NotFound()
        return ticket

    def contact(self, user_id: int) -> Record:
        user = self.state.users.get(user_id)
        if user is None:
            raise NotFound()
        return user

    def create_contact(self, data: Record) -> Record:
        """POST /contacts: name plus a unique email (409 on a duplicate)."""
        name = _text(data, "name")
        email = data.get("email")
        if not email and not data.get("phone") and not data.get("mobile"):
            raise _missing("email")
        with self.state.lock:
            if email and self.state.user_by_email(str(email)):
                raise validation_error("email", "It should be a unique value",
                                       "duplicate_value", 409)
            lang = str(data.get("language") or "en")
            user = self.state.create_user({
                "name": name, "email": str(email or f"{name}@phone.invalid"),
                "role": "end-user", "locale": lang, "phone": data.get("phone"),
                "time_zone": data.get("time_zone") or fs.TIME_ZONES.get(lang, "Istanbul")})
            user["mobile"] = data.get("mobile")
            return user

    def create_ticket(self, data: Record) -> Record:
        """POST /tickets: Freshdesk's defaults are status 2, priority 1, source 2."""
        _known(data, _CREATE_FIELDS)
        subject = _text(data, "subject")
        description = to_html(_text(data, "description"))
        priority = _choice(data, "priority", fs.PRIORITIES, 1)
        with self.state.lock:
            now = self.state.now()
            first_reply, resolve = fs.SLA_HOURS[priority]
            ticket: Record = {
                "id": None, "subject": subject,
                "description": description, "description_text": html_to_text(description),
                "status": _choice(data, "status", fs.STATUSES, 2), "priority": priority,
                "source": _choice(data, "source", fs.SOURCES, 2),
                "type": _choice(data, "type", (*fs.TYPES, None), None),
                "requester_id": None, "responder_id": None, "group_id": None,
                "tags": [], "custom_fields": {name: None for name in _CUSTOM_TYPES},
                "created_ts": now, "updated_ts": now, "due_by_ts": now + resolve * 3600,
                "fr_due_by_ts": now + first_reply * 3600}
            self._assign(ticket, data)
            ticket["requester_id"] = self._requester(data)["id"]
            ticket["id"] = self.state.next_id("ticket")
            self.state.tickets[ticket["id"]] = ticket
            self.state.comments[ticket["id"]] = []
            self.state.changed()
            self.notifier.notify(ticket["id"], "ticket.created")
            return ticket

    def update_ticket(self, ticket_id: int, data: Record) -> Record:
        """PUT /tickets/{id}: tags replace the list, custom_fields merge by name."""
        _known(data, _UPDATE_FIELDS)
        with self.state.lock:
            ticket = self.get(ticket_id)
            new = dict(ticket)
            for field, allowed in (("status", fs.STATUSES), ("priority", fs.PRIORITIES),
                                   ("source", fs.SOURCES), ("type", (*fs.TYPES, None))):
                if field in data:
                    new[field] = _choice(data, field, allowed, None)
            if "subject" in data:
                new["subject"] = _text(data, "subject")
            self._assign(new, data)
            changed = [f for f in new if new[f] != ticket[f]]
            if not changed:
                return ticket
            ticket.update(new)
            self.state.bump_updated(ticket)
            self.state.changed()
            if any(f in _NOTIFYING_FIELDS for f in changed):
                self.notifier.notify(ticket_id, "ticket.updated")
            return ticket

    def add_conversation(self, ticket_id: int, author: Record, body: Any, *, source: int,
                         public: bool, incoming: bool = False,
                         notify: list[str] | None = None) -> Record:
        """A note or reply: stored, bumps the ticket's updated_at, fires ticket.updated."""
        if body is None or (isinstance(body, str) and not body.strip()):
            raise _missing("body")
        if not isinstance(body, str):
            raise validation_error("body", "It should be a/an String", "datatype_mismatch")
        with self.state.lock:
            ticket = self.get(ticket_id)
            requester = self.state.users[ticket["requester_id"]]
            if incoming and source == fs.REPLY and ticket["status"] in _REOPENED_BY_CUSTOMER:
                ticket["status"] = 2
            ts = self.state.bump_updated(ticket)
            markup = to_html(body)
            conv: Record = {
                "id": self.state.next_id("comment"), "ticket_id": ticket_id,
                "author_id": author["id"], "body": markup, "body_text": html_to_text(markup),
                "public": public, "incoming": incoming, "source": source,
                "from_email": author["email"] if source == fs.REPLY else None,
                "to_emails": [requester["email"]] if source == fs.REPLY and not incoming else [],
                "notified_to": list(notify or []), "created_ts": ts}
            self.state.comments[ticket_id].append(conv)
            self.state.changed()
            self.notifier.notify(ticket_id, "ticket.updated")
            return conv

    def add_note(self, ticket_id: int, data: Record, actor: Record) -> Record:
        """POST /tickets/{id}/notes: private unless "private": false."""
        private = data.get("private", True)
        notify = data.get("notify_emails", [])
        if not isinstance(private, bool):
            raise validation_error("private", "It should be a/an Boolean", "datatype_mismatch")
        if not isinstance(notify, list) or not all(isinstance(e, str) and "@" in e
                                                   for e in notify):
            raise validation_error("notify_emails", "It should be a/an Array of valid emails",
                                   "invalid_value")
        author = self.contact(data["user_id"]) if data.get("user_id") else actor
        return self.add_conversation(ticket_id, author, data.get("body"), source=fs.NOTE,
                                     public=not private, notify=notify,
                                     incoming=bool(data.get("incoming", False)))

    def _requester(self, data: Record) -> Record:
        if data.get("requester_id") is not None:
            user = self.state.users.get(data["requester_id"]) \
                if isinstance(data["requester_id"], int) else None
            if user is None:
                raise validation_error("requester_id", "There is no contact matching the "
                                       "given requester_id", "invalid_value")
            return user
        if data.get("email"):
            found = self.state.user_by_email(str(data["email"]))
            return found or self.create_contact({"name": data.get("name") or
                                                 str(data["email"]).split("@")[0],
                                                 "email": data["email"]})
        raise validation_error("requester_id", "Please fill at least 1 of requester_id, "
                               "phone, email, twitter_id, facebook_id, unique_external_id "
                               "fields", "missing_field")

    def _assign(self, ticket: Record, data: Record) -> None:
        """Validate and apply group_id, responder_id, tags and custom_fields in place."""
        if "group_id" in data:
            if data["group_id"] is not None and data["group_id"] not in self.state.groups:
                raise validation_error("group_id", "There is no group matching the given "
                                       "group_id", "invalid_value")
            ticket["group_id"] = data["group_id"]
        if "responder_id" in data:
            agent = self.state.users.get(data["responder_id"]) \
                if isinstance(data["responder_id"], int) else None
            if data["responder_id"] is not None and (agent is None or agent["role"] not in
                                                     ("agent", "admin")):
                raise validation_error("responder_id", "There is no agent matching the given "
                                       "responder_id", "invalid_value")
            ticket["responder_id"] = data["responder_id"]
        for field in ("due_by", "fr_due_by"):
            if field in data:
                try:
                    ticket[f"{field}_ts"] = parse_iso(str(data[field]))
                except ValueError:
                    raise validation_error(field, "It should be in the 'valid date time' "
                                           "format", "invalid_date") from None
        if "tags" in data:
            ticket["tags"] = _tags(data["tags"])
        if "custom_fields" in data:
            ticket["custom_fields"] = self._custom_fields(ticket["custom_fields"],
                                                          data["custom_fields"])

    def _custom_fields(self, current: Record, given: Any) -> Record:
        if not isinstance(given, dict):
            raise validation_error("custom_fields", "It should be a/an key/value pair",
                                   "datatype_mismatch")
        merged = dict(current)
        for name, value in given.items():
            kind = _CUSTOM_TYPES.get(name)
            if kind is None:
                raise validation_error(name, "Unexpected/invalid field in request",
                                       "invalid_field")
            if value is not None and kind == "custom_number" and (
                    not isinstance(value, int) or isinstance(value, bool)):
                raise validation_error(name, "It should be a/an Integer", "datatype_mismatch")
            if value is not None and kind == "custom_date_time":
                try:
                    value = iso(parse_iso(str(value)))
                except ValueError:
                    raise validation_error(name, "It should be in the 'valid date time' "
                                           "format", "invalid_date") from None
            merged[name] = value
        return merged
