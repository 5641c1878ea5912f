"""Request helpers shared by the sandbox blueprints: runtime access, auth, bodies, paging."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import current_app, g, request

from plugin.sandbox.config import SandboxConfig
from plugin.sandbox.errors import bad_request, forbidden, unauthorized
from plugin.sandbox.faults import FaultControl
from plugin.sandbox.state import Record, SandboxState
from plugin.sandbox.tickets import TicketService
from plugin.sandbox.webhooks import WebhookSender


@dataclass
class SandboxRuntime:
    """What `app.extensions['sandbox']` holds."""

    config: SandboxConfig
    state: SandboxState
    sender: WebhookSender
    tickets: TicketService
    faults: FaultControl


# Marks traffic of simulated customers/agents (SandboxClient): in Zendesk their UI actions are
# not API calls, so they bypass the API budget, the per-ticket limit, faults and request stats.
SIMULATED_HEADER = "X-Sandbox-Simulated"


def simulated() -> bool:
    return request.headers.get(SIMULATED_HEADER) == "1"


def runtime() -> SandboxRuntime:
    return current_app.extensions["sandbox"]


def base_url() -> str:
    """This server's scheme and host, for absolute URLs in responses."""
    return request.host_url.rstrip("/")


def page_url(path: str, **params: Any) -> str:
    return f"{base_url()}/api/v2/{path}?{urlencode(params)}"


def authenticate() -> None:
    """Blueprint hook: HTTP Basic '{email}/token' + the sandbox API token picks the user."""
    auth = request.authorization
    state = runtime().state
    user = None
    if auth and auth.username and auth.username.endswith("/token") and hmac.compare_digest(
            (auth.password or "").encode(), runtime().config.api_token.encode()):
        user = state.user_by_email(auth.username[: -len("/token")])
    if user is None:
        raise unauthorized()
    g.user = user


def current_user() -> Record:
    return g.user


def agent() -> Record:
    """The authenticated user, who must be staff."""
    user: Record = g.user
    if user["role"] not in ("agent", "admin"):
        raise forbidden()
    return user


def body(key: str) -> Any:
    """The `key` object of the JSON request body (400 when the body is not JSON)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise bad_request("Request body must be a JSON object")
    return data.get(key)


def int_arg(name: str, default: int, low: int, high: int) -> int:
    try:
        value = int(request.args.get(name, default))
    except ValueError:
        raise bad_request(f"{name} must be an integer") from None
    return min(max(value, low), high)
