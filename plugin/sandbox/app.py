"""Flask application factory of the sandbox helpdesk: wiring, rate limits, faults, errors."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, jsonify, request

from plugin.sandbox.admin import admin_bp
from plugin.sandbox.agent_view import agent_bp
from plugin.sandbox.api import api_bp
from plugin.sandbox.api_tickets import tickets_bp
from plugin.sandbox.common import SandboxRuntime, runtime, simulated
from plugin.sandbox.config import SandboxConfig
from plugin.sandbox.errors import ApiError
from plugin.sandbox.faults import FaultControl
from plugin.sandbox.freshdesk_api import install_freshdesk
from plugin.sandbox.freshdesk_webhooks import FreshdeskWebhookSender
from plugin.sandbox.guard import API_PREFIX, guard_request
from plugin.sandbox.state import SandboxState
from plugin.sandbox.tickets import TicketService
from plugin.sandbox.webhooks import WebhookSender

_ERROR_NAMES = {500: "InternalServerError", 502: "BadGateway", 503: "ServiceUnavailable"}
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _strip_json_suffix(wsgi_app: WsgiApp) -> WsgiApp:
    """Accept zenpy's `/api/v2/tickets/1.json` as `/api/v2/tickets/1`."""

    def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(API_PREFIX) and path.endswith(".json"):
            environ["PATH_INFO"] = path[: -len(".json")]
        return wsgi_app(environ, start_response)

    return middleware


def _zendesk_limited() -> ApiError:
    return ApiError(429, {"error": "TooManyRequests",
                          "description": "Rate limit exceeded for this account"})


def _zendesk_fault(status: int) -> ApiError:
    return ApiError(status, {"error": _ERROR_NAMES[status],
                             "description": "Injected sandbox fault"})


def _before_api() -> Response | None:
    if not request.path.startswith(API_PREFIX) or simulated():
        return None
    return guard_request(_zendesk_limited, _zendesk_fault, dict)


def _after_api(response: Response) -> Response:
    if (request.path.startswith(API_PREFIX) and not simulated()
            and not request.environ.get("sandbox.dropped")):
        response.headers.update(request.environ.get("sandbox.rate_headers", {}))
        runtime().faults.count(response.status_code)
    return response


def _api_error(exc: ApiError) -> tuple[Response, int, dict[str, str]]:
    return jsonify(exc.body), exc.status, exc.headers


def _not_found(_exc: Exception) -> tuple[Response, int]:
    if request.path.startswith(API_PREFIX):
        return jsonify({"error": "InvalidEndpoint", "description": "Not found"}), 404
    return jsonify({"error": "NotFound"}), 404


def _method_not_allowed(_exc: Exception) -> tuple[Response, int]:
    return jsonify({"error": "InvalidEndpoint", "description": "Method not allowed"}), 405


def create_sandbox_app(config: SandboxConfig | None = None) -> Flask:
    """Build the sandbox Flask app; `app.extensions['sandbox']` is its SandboxRuntime."""
    config = config or SandboxConfig()
    app = Flask("plugin.sandbox")
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    state = SandboxState(config)
    freshdesk = config.vendor == "freshdesk"
    sender = (FreshdeskWebhookSender if freshdesk else WebhookSender)(config, state.clock.now)
    app.extensions["sandbox"] = SandboxRuntime(
        config=config, state=state, sender=sender, tickets=TicketService(state, sender),
        faults=FaultControl(config.rate_limit_rpm, config.ticket_updates_per_window,
                            config.ticket_update_window_seconds))
    sender.start()
    app.after_request(_after_api)
    app.register_error_handler(ApiError, _api_error)
    app.register_blueprint(admin_bp)
    if freshdesk:
        install_freshdesk(app)
        return app
    app.before_request(_before_api)
    app.register_error_handler(404, _not_found)
    app.register_error_handler(405, _method_not_allowed)
    app.register_blueprint(api_bp)
    app.register_blueprint(tickets_bp)
    app.register_blueprint(agent_bp)
    app.wsgi_app = _strip_json_suffix(app.wsgi_app)  # type: ignore[method-assign]
    return app
