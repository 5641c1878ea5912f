"""Sandbox /api/v2 ticket endpoints: CRUD, comments, tags, audits and incremental exports."""

from __future__ import annotations

import base64
import json

from flask import Blueprint, Response, jsonify, request

from plugin.sandbox.common import (
    agent,
    authenticate,
    base_url,
    body,
    int_arg,
    page_url,
    runtime,
    simulated,
)
from plugin.sandbox.errors import ApiError, bad_request
from plugin.sandbox.serialize import audit_json, comment_json, ticket_json
from plugin.sandbox.state import Record

tickets_bp = Blueprint("sandbox_tickets", __name__, url_prefix="/api/v2")
tickets_bp.before_request(authenticate)
_TAG_MODES = {"PUT": "add", "POST": "set", "DELETE": "remove"}


@tickets_bp.before_request
def _staff_only() -> None:
    agent()


def _ticket_audit(ticket: Record, audit: Record) -> Response:
    return jsonify({"ticket": ticket_json(ticket, base_url()), "audit": audit_json(audit)})


def _limit_update(ticket_id: int) -> None:
    """Zendesk's per-user, per-ticket update limit (checked for every update attempt)."""
    user = agent()
    if simulated():
        return
    retry_after = runtime().faults.ticket_limiter.check(ticket_id, user["id"])
    if retry_after is not None:
        raise ApiError(429, {"error": "TooManyRequests", "description":
                             "Too many updates to this ticket, please try again later"},
                       {"Retry-After": str(retry_after)})


@tickets_bp.post("/tickets")
def ticket_create() -> tuple[Response, int]:
    ticket, audit = runtime().tickets.create(body("ticket"), agent())
    return _ticket_audit(ticket, audit), 201


@tickets_bp.get("/tickets")
def ticket_list() -> Response:
    """GET /tickets?external_id=X: the tickets carrying that external id (Zendesk's filter)."""
    wanted = request.args.get("external_id")
    state = runtime().state
    with state.lock:
        found = [ticket_json(t, base_url()) for t in state.tickets.values()
                 if wanted is None or t.get("external_id") == wanted]
    return jsonify({"tickets": found, "next_page": None, "previous_page": None,
                    "count": len(found)})


@tickets_bp.get("/tickets/<int:ticket_id>")
def ticket_show(ticket_id: int) -> Response:
    return jsonify({"ticket": ticket_json(runtime().tickets.get(ticket_id), base_url())})


@tickets_bp.get("/tickets/show_many")
def ticket_show_many() -> Response:
    try:
        ids = [int(i) for i in request.args.get("ids", "").split(",") if i.strip()]
    except ValueError:
        raise bad_request("ids must be a comma separated list of integers") from None
    state = runtime().state
    with state.lock:
        found = [ticket_json(state.tickets[i], base_url()) for i in ids if i in state.tickets]
    return jsonify({"tickets": found, "next_page": None, "previous_page": None,
                    "count": len(found)})


@tickets_bp.put("/tickets/<int:ticket_id>")
def ticket_update(ticket_id: int) -> Response:
    runtime().tickets.get(ticket_id)
    _limit_update(ticket_id)
    ticket, audit = runtime().tickets.update(ticket_id, body("ticket"), agent())
    return _ticket_audit(ticket, audit)


@tickets_bp.route("/tickets/<int:ticket_id>/tags", methods=["PUT", "POST", "DELETE"])
def ticket_tags(ticket_id: int) -> Response:
    runtime().tickets.get(ticket_id)
    _limit_update(ticket_id)
    data = request.get_json(silent=True)
    tags = data.get("tags") if isinstance(data, dict) else request.args.get("tags", "").split(",")
    ticket = runtime().tickets.set_tags(ticket_id, tags or [], _TAG_MODES[request.method],
                                        agent())
    return jsonify({"tags": list(ticket["tags"])})


@tickets_bp.get("/tickets/<int:ticket_id>/comments")
def ticket_comments(ticket_id: int) -> Response:
    """Offset pagination like Zendesk: page, per_page (≤100), sort_order asc|desc."""
    runtime().tickets.get(ticket_id)
    page = int_arg("page", 1, 1, 10**6)
    per_page = int_arg("per_page", 100, 1, 100)
    order = "desc" if request.args.get("sort_order") == "desc" else "asc"
    with runtime().state.lock:
        comments = list(runtime().state.comments[ticket_id])
    if order == "desc":
        comments.reverse()
    chunk = comments[(page - 1) * per_page: page * per_page]
    path = f"tickets/{ticket_id}/comments.json"
    more = page * per_page < len(comments)
    return jsonify({
        "comments": [comment_json(c) for c in chunk],
        "next_page": page_url(path, page=page + 1, per_page=per_page, sort_order=order)
        if more else None,
        "previous_page": page_url(path, page=page - 1, per_page=per_page, sort_order=order)
        if page > 1 else None,
        "count": len(comments)})


@tickets_bp.get("/tickets/<int:ticket_id>/audits")
def ticket_audits(ticket_id: int) -> Response:
    runtime().tickets.get(ticket_id)
    with runtime().state.lock:
        audits = [audit_json(a) for a in runtime().state.audits[ticket_id]]
    return jsonify({"audits": audits, "next_page": None, "previous_page": None,
                    "count": len(audits)})


def _ordered(after: tuple[int, int]) -> list[Record]:
    """Tickets whose (updated_at, id) is greater than `after`, oldest change first."""
    state = runtime().state
    with state.lock:
        rows = [t for t in state.tickets.values() if (t["updated_ts"], t["id"]) > after]
    return sorted(rows, key=lambda t: (t["updated_ts"], t["id"]))


@tickets_bp.get("/incremental/tickets")
def incremental_time() -> Response:
    """Time-based export; a page is extended so one timestamp never spans two pages."""
    if "start_time" not in request.args:
        raise bad_request("start_time is required")
    start = int_arg("start_time", 0, 0, 2**40)
    per_page = int_arg("per_page", 1000, 1, 1000)
    rows = _ordered((start, 0))
    page = rows[:per_page]
    if page:
        last = page[-1]["updated_ts"]
        page += [t for t in rows[per_page:] if t["updated_ts"] == last]
        end_time = last + 1 if page[0]["updated_ts"] == last and len(page) >= per_page else last
    else:
        end_time = start
    return jsonify({
        "tickets": [ticket_json(t, base_url()) for t in page],
        "next_page": page_url("incremental/tickets.json", start_time=end_time,
                              per_page=per_page),
        "count": len(page), "end_time": end_time, "end_of_stream": len(page) < per_page})


def _encode_cursor(position: tuple[int, int]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(position)).encode()).decode()


def _decode_cursor(cursor: str) -> tuple[int, int]:
    try:
        ts, tid = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return int(ts), int(tid)
    except (ValueError, TypeError):
        raise bad_request("Invalid cursor") from None


@tickets_bp.get("/incremental/tickets/cursor")
def incremental_cursor() -> Response:
    if "cursor" in request.args:
        position = _decode_cursor(request.args["cursor"])
    elif "start_time" in request.args:
        position = (int_arg("start_time", 0, 0, 2**40), 0)
    else:
        raise bad_request("start_time or cursor is required")
    per_page = int_arg("per_page", 1000, 1, 1000)
    page = _ordered(position)[:per_page]
    if page:
        position = (page[-1]["updated_ts"], page[-1]["id"])
    after = _encode_cursor(position)
    return jsonify({
        "tickets": [ticket_json(t, base_url()) for t in page],
        "after_cursor": after,
        "after_url": page_url("incremental/tickets/cursor.json", cursor=after,
                              per_page=per_page),
        "before_cursor": None, "before_url": None,
        "end_of_stream": len(page) < per_page})
