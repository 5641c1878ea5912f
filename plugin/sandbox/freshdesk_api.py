"""Sandbox Freshdesk API v2 endpoints, auth, rate-limit headers and paging, mounted by vendor."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request

from plugin.sandbox import freshdesk_serialize as fs
from plugin.sandbox.common import runtime, simulated
from plugin.sandbox.errors import ApiError
from plugin.sandbox.freshdesk_tickets import FreshdeskService
from plugin.sandbox.freshdesk_webhooks import FreshdeskWebhookSender
from plugin.sandbox.guard import API_PREFIX, Headers, guard_request
from plugin.sandbox.state import Record, parse_iso

fd_bp = Blueprint("sandbox_freshdesk", __name__, url_prefix=API_PREFIX)
# Simulated customers: Freshdesk requesters reply by e-mail/portal, not through API v2.
fd_sim_bp = Blueprint("sandbox_freshdesk_sim", __name__, url_prefix="/_sandbox/freshdesk")
_EXTENSION = "sandbox_freshdesk"
_SORTABLE = ("created_at", "due_by", "updated_at", "status")
_RECENT_SECONDS = 30 * 86400  # the ticket list shows the last 30 days unless updated_since


def service() -> FreshdeskService:
    return current_app.extensions[_EXTENSION]


def _rate_headers(headers: Headers) -> Headers:
    out = {"X-RateLimit-Total": headers["X-Rate-Limit"],
           "X-RateLimit-Remaining": headers["X-Rate-Limit-Remaining"],
           "X-RateLimit-Used-CurrentRequest": "1"}
    if "Retry-After" in headers:
        out["Retry-After"] = headers["Retry-After"]
    return out


def _limited() -> ApiError:
    return ApiError(429, {"message": "You have exceeded the limit of requests per minute"})


def _fault(status: int) -> ApiError:
    return ApiError(status, {"code": "internal_error", "message": "Injected sandbox fault"})


def _before_api() -> Response | None:
    if not request.path.startswith(API_PREFIX) or simulated():
        return None
    return guard_request(_limited, _fault, _rate_headers)


def _version_header(response: Response) -> Response:
    if request.path.startswith(API_PREFIX):
        response.headers["X-Freshdesk-API-Version"] = "latest=v2; requested=v2"
    return response


def _not_found(_exc: Exception) -> Response:
    """Freshdesk answers unknown records with an empty 404."""
    return Response(status=404, mimetype="application/json")


def _method_not_allowed(exc: Any) -> tuple[Response, int]:
    allowed = ", ".join(m for m in exc.valid_methods or [] if m not in ("HEAD", "OPTIONS"))
    return jsonify({"message": f"{request.method} method is not allowed. It should be one of "
                               f"these method(s): {allowed}"}), 405


@fd_bp.before_request
def _authenticate() -> None:
    """HTTP Basic with an agent's API key as the user name and any password."""
    auth = request.authorization
    given = (auth.username or "") if auth else ""
    user_id = next((uid for key, uid in runtime().config.api_keys.items()
                    if hmac.compare_digest(key.encode(), given.encode())), None)
    user = runtime().state.users.get(user_id) if user_id is not None else None
    if user is None or user["role"] not in ("agent", "admin"):
        raise ApiError(401, {"code": "invalid_credentials",
                             "message": "You have to be logged in to perform this action."})
    g.user = user


def _body() -> Record:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise fs.validation_error("body", "Request body has invalid json format",
                                  "invalid_json")
    return data


def _int_arg(name: str, default: int, high: int) -> int:
    raw = request.args.get(name, str(default))
    if not raw.isdigit() or not 1 <= int(raw) <= high:
        raise fs.validation_error(name, f"It should be a Positive Integer less than or equal "
                                  f"to {high}", "invalid_value")
    return int(raw)


def _paged(rows: list[Record], render: Callable[[Record], Record]) -> Response:
    """page/per_page (default 30, max 100) with a `link: <...>;rel="next"` header."""
    page, per_page = _int_arg("page", 1, 10**6), _int_arg("per_page", 30, 100)
    response = jsonify([render(r) for r in rows[(page - 1) * per_page: page * per_page]])
    if page * per_page < len(rows):
        query = urlencode({**request.args.to_dict(), "page": page + 1, "per_page": per_page})
        response.headers["link"] = f'<{request.base_url}?{query}>;rel="next"'
    return response


def _created(record: Record, path: str) -> tuple[Response, int, Headers]:
    return jsonify(record), 201, {"Location": f"{request.host_url}api/v2/{path}"}


@fd_bp.get("/tickets/<int:ticket_id>")
def ticket_show(ticket_id: int) -> Response:
    return jsonify(fs.ticket_json(service().get(ticket_id)))


@fd_bp.post("/tickets")
def ticket_create() -> tuple[Response, int, Headers]:
    ticket = service().create_ticket(_body())
    return _created(fs.ticket_json(ticket), f"tickets/{ticket['id']}")


@fd_bp.put("/tickets/<int:ticket_id>")
def ticket_update(ticket_id: int) -> Response:
    return jsonify(fs.ticket_json(service().update_ticket(ticket_id, _body())))


@fd_bp.get("/tickets")
def ticket_list() -> Response:
    """Filters requester_id, email, updated_since; order_by/order_type; description on request."""
    state, args = runtime().state, request.args
    order_by = args.get("order_by", "created_at")
    if order_by not in _SORTABLE:
        raise fs.choice_error("order_by", _SORTABLE)
    order_type = args.get("order_type", "desc")
    if order_type not in ("asc", "desc"):
        raise fs.choice_error("order_type", ("asc", "desc"))
    try:
        since = parse_iso(args["updated_since"]) if "updated_since" in args else None
    except ValueError:
        raise fs.validation_error("updated_since", "It should be in the 'valid date time' "
                                  "format", "invalid_date") from None
    with state.lock:
        earliest = since if since is not None else state.now() - _RECENT_SECONDS
        stamp = "updated_ts" if since is not None else "created_ts"
        wanted = [args["requester_id"]] if "requester_id" in args else []
        if "email" in args:
            found = state.user_by_email(args["email"])
            wanted.append(str(found["id"]) if found else "")
        rows = [t for t in state.tickets.values() if t[stamp] >= earliest
                and all(str(t["requester_id"]) == w for w in wanted)]
        key = order_by if order_by == "status" else f"{order_by.removesuffix('_at')}_ts"
        rows.sort(key=lambda t: (t[key], t["id"]), reverse=order_type == "desc")
        with_description = "description" in args.get("include", "").split(",")
        return _paged(rows, lambda t: fs.ticket_json(t, description=with_description))


@fd_bp.get("/tickets/<int:ticket_id>/conversations")
def conversations(ticket_id: int) -> Response:
    service().get(ticket_id)
    with runtime().state.lock:
        rows = list(runtime().state.comments[ticket_id])
    return _paged(rows, fs.conversation_json)


@fd_bp.post("/tickets/<int:ticket_id>/notes")
def note_create(ticket_id: int) -> tuple[Response, int, Headers]:
    conv = service().add_note(ticket_id, _body(), g.user)
    return _created(fs.conversation_json(conv), f"conversations/{conv['id']}")


@fd_bp.post("/tickets/<int:ticket_id>/reply")
def reply_create(ticket_id: int) -> tuple[Response, int, Headers]:
    """A public agent reply; the ticket's status does not change."""
    data = _body()
    author = service().contact(data["user_id"]) if data.get("user_id") else g.user
    conv = service().add_conversation(ticket_id, author, data.get("body"), source=fs.REPLY,
                                      public=True)
    return _created(fs.conversation_json(conv), f"conversations/{conv['id']}")


@fd_bp.get("/contacts/<int:contact_id>")
def contact_show(contact_id: int) -> Response:
    return jsonify(fs.contact_json(service().contact(contact_id)))


@fd_bp.post("/contacts")
def contact_create() -> tuple[Response, int, Headers]:
    contact = service().create_contact(_body())
    return _created(fs.contact_json(contact), f"contacts/{contact['id']}")


@fd_bp.get("/agents/me")
def agents_me() -> Response:
    return jsonify(fs.agent_json(g.user))


@fd_bp.get("/groups")
def groups_list() -> Response:
    return _paged(list(runtime().state.groups.values()), fs.group_json)


@fd_bp.get("/ticket_fields")
def ticket_fields() -> Response:
    state = runtime().state
    return jsonify(fs.ticket_fields_json(min(g["created_ts"] for g in state.groups.values())))


@fd_sim_bp.post("/tickets/<int:ticket_id>/customer_reply")
def customer_reply(ticket_id: int) -> Response:
    """The requester answers (e-mail/portal): an incoming public reply; 4/5 reopen to 2."""
    data = _body()
    ticket = service().get(ticket_id)
    requester = runtime().state.users[ticket["requester_id"]]
    if str(data.get("email", "")).strip().lower() != requester["email"]:
        raise fs.validation_error("email", "Only the requester can reply here", "invalid_value")
    service().add_conversation(ticket_id, requester, data.get("body"), source=fs.REPLY,
                               public=True, incoming=True)
    return jsonify(fs.ticket_json(ticket))


def install_freshdesk(app: Flask) -> None:
    """Speak Freshdesk on /api/v2 (called by create_sandbox_app when vendor == "freshdesk")."""
    rt = app.extensions["sandbox"]
    assert isinstance(rt.sender, FreshdeskWebhookSender)
    app.extensions[_EXTENSION] = FreshdeskService(rt.state, rt.sender)
    app.before_request(_before_api)
    app.after_request(_version_header)
    app.register_error_handler(404, _not_found)
    app.register_error_handler(405, _method_not_allowed)
    app.register_blueprint(fd_bp)
    app.register_blueprint(fd_sim_bp)
