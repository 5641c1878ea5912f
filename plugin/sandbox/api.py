"""Sandbox /api/v2 endpoints for users, groups, end-user requests and Talk callback requests."""

from __future__ import annotations

import re

from flask import Blueprint, Response, jsonify

from plugin.sandbox.common import agent, authenticate, base_url, body, current_user, runtime
from plugin.sandbox.errors import ApiError, invalid, not_found
from plugin.sandbox.serialize import group_json, request_json, ticket_json, user_json
from plugin.sandbox.state import Record, iso

api_bp = Blueprint("sandbox_api", __name__, url_prefix="/api/v2")
api_bp.before_request(authenticate)

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_CUSTOMER_FIELDS = ("subject", "comment", "priority", "type", "custom_fields", "due_at")


@api_bp.get("/users/me")
def users_me() -> Response:
    return jsonify({"user": user_json(current_user(), base_url())})


@api_bp.get("/users/<int:user_id>")
def user_show(user_id: int) -> Response:
    agent()
    user = runtime().state.users.get(user_id)
    if user is None:
        raise not_found()
    return jsonify({"user": user_json(user, base_url())})


@api_bp.post("/users")
def user_create() -> tuple[Response, int]:
    agent()
    data = body("user")
    if not isinstance(data, dict) or not data.get("email"):
        raise invalid("email", "Email: cannot be blank")
    state = runtime().state
    with state.lock:
        if state.user_by_email(data["email"]):
            raise ApiError(422, {"error": "RecordInvalid",
                                 "description": "Record validation errors",
                                 "details": {"email": [{
                                     "description": f"Email: {data['email']} is already being "
                                                    "used by another user",
                                     "error": "DuplicateValue"}]}})
        user = state.create_user({k: data.get(k) for k in (
            "name", "email", "role", "locale", "iana_time_zone", "time_zone", "phone")})
    return jsonify({"user": user_json(user, base_url())}), 201


@api_bp.get("/users/<int:user_id>/tickets/requested")
def user_requested(user_id: int) -> Response:
    agent()
    state = runtime().state
    with state.lock:
        if user_id not in state.users:
            raise not_found()
        tickets = [ticket_json(t, base_url()) for t in state.tickets.values()
                   if t["requester_id"] == user_id]
    return jsonify({"tickets": tickets, "next_page": None, "previous_page": None,
                    "count": len(tickets)})


@api_bp.get("/groups")
def groups_list() -> Response:
    agent()
    groups = [group_json(g, base_url()) for g in runtime().state.groups.values()]
    return jsonify({"groups": groups, "next_page": None, "previous_page": None,
                    "count": len(groups)})


@api_bp.get("/groups/<int:group_id>")
def group_show(group_id: int) -> Response:
    agent()
    group = runtime().state.groups.get(group_id)
    if group is None:
        raise not_found()
    return jsonify({"group": group_json(group, base_url())})


@api_bp.post("/requests")
def request_create() -> tuple[Response, int]:
    """A customer (or an agent on their behalf) opens a ticket through the web form."""
    data = body("request")
    user = current_user()
    if not isinstance(data, dict):
        raise invalid("request", "Request: is invalid")
    allowed = _CUSTOMER_FIELDS + (("requester",) if user["role"] != "end-user" else ())
    ticket, _ = runtime().tickets.create({k: data[k] for k in allowed if k in data}, user,
                                         channel="web")
    return jsonify({"request": request_json(ticket, base_url())}), 201


def _own_request(ticket_id: int) -> Record:
    ticket = runtime().tickets.get(ticket_id)
    user = current_user()
    if user["role"] == "end-user" and ticket["requester_id"] != user["id"]:
        raise not_found()
    return ticket


@api_bp.get("/requests/<int:ticket_id>")
def request_show(ticket_id: int) -> Response:
    return jsonify({"request": request_json(_own_request(ticket_id), base_url())})


@api_bp.put("/requests/<int:ticket_id>")
def request_update(ticket_id: int) -> Response:
    """The requester adds a public comment; pending/hold/solved tickets reopen."""
    ticket = runtime().tickets.customer_comment(ticket_id, body("request"), current_user())
    return jsonify({"request": request_json(ticket, base_url())})


@api_bp.post("/channels/voice/callback_requests")
def callback_create() -> tuple[Response, int]:
    user = agent()
    data = body("callback_request")
    if not isinstance(data, dict) or not _E164.match(str(data.get("requester_phone_number"))):
        raise invalid("requester_phone_number", "Requester phone number: must be E.164")
    state = runtime().state
    with state.lock:
        record = {"id": state.next_id("callback"), "phone_number_id": data.get("phone_number_id"),
                  "requester_phone_number": data["requester_phone_number"],
                  "group_ids": list(data.get("group_ids") or []), "requested_by": user["id"],
                  "created_at": iso(state.now())}
        state.callback_requests.append(record)
        state.changed()
    return jsonify({"callback_request": record}), 201
