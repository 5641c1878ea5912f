"""The sandbox's agent view of a ticket, hosting the plugin's side panel as Zendesk would: a
signed first request (RS256 app token) and a stand-in for the ZAF client."""

from __future__ import annotations

import secrets
import threading
import time
from urllib.parse import urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Blueprint, Response, current_app, jsonify, render_template, request

from plugin.sandbox.common import runtime

agent_bp = Blueprint("sandbox_agent", __name__)
APP_ID = 1
INSTALLATION_ID = 1
SUBDOMAIN = "sandbox"
TOKEN_SECONDS = 300
_key_lock = threading.Lock()


def app_key() -> rsa.RSAPrivateKey:
    """The sandbox app's signing key, made once per sandbox."""
    with _key_lock:
        key = current_app.extensions.get("sandbox_app_key")
        if key is None:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            current_app.extensions["sandbox_app_key"] = key
        return key


def app_token(agent_id: int, now: float | None = None) -> str:
    """What Zendesk POSTs to a signedUrls app's first page (see plugin/panel/signin.py)."""
    now = time.time() if now is None else now
    claims = {"iss": f"{SUBDOMAIN}.zendesk.com",
              "aud": f"https://{SUBDOMAIN}.zendesk.com/api/v2/apps/installations/"
                     f"{INSTALLATION_ID}.json",
              "sub": str(agent_id), "iat": int(now), "nbf": int(now),
              "jti": secrets.token_hex(8),
              "exp": int(now) + TOKEN_SECONDS,
              "context": {"product": "support", "location": "ticket_sidebar"}}
    return jwt.encode(claims, app_key(), algorithm="RS256")


@agent_bp.get(f"/api/v2/apps/{APP_ID}/public_key.pem")
def public_key() -> Response:
    pem = app_key().public_key().public_bytes(serialization.Encoding.PEM,
                                              serialization.PublicFormat.SubjectPublicKeyInfo)
    return Response(pem, mimetype="application/x-pem-file")


def _plugin_url() -> str:
    target = runtime().config.webhook_targets[0] if runtime().config.webhook_targets else ""
    parts = urlsplit(target)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else "http://127.0.0.1:8080"


@agent_bp.get("/agent/tickets/<int:ticket_id>")
def agent_ticket(ticket_id: int):
    """The ticket as an agent sees it: conversation, a reply box and the side panel (320 px)."""
    state = runtime().state
    ticket = runtime().tickets.get(ticket_id)
    agent = state.user_by_email(request.args.get("agent", "ayse@sandbox.test")) or \
        state.user_by_email("ayse@sandbox.test")
    comments = list(state.comments.get(ticket_id, []))
    return render_template(
        "agent_ticket.html", ticket=ticket, comments=comments, agent=agent,
        token=app_token(agent["id"]), plugin_url=_plugin_url(),
        lang=request.args.get("lang", agent.get("locale", "en"))[:10],
        agent_tz=request.args.get("agent_tz", "Europe/Istanbul")[:64],
        customer_tz=request.args.get("customer_tz", "Europe/Istanbul")[:64])


@agent_bp.post("/agent/tickets/<int:ticket_id>/reply")
def agent_reply(ticket_id: int):
    """The agent's reply from the agent view (public comment, or private with public=false)."""
    body = request.get_json(silent=True) or {}
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        return jsonify(error="text is required"), 400
    state = runtime().state
    agent = state.user_by_email(str(body.get("agent", "ayse@sandbox.test")))
    if agent is None:
        return jsonify(error="unknown agent"), 400
    ticket, _audit = runtime().tickets.update(
        ticket_id, {"comment": {"body": text, "public": body.get("public", True) is not False}},
        agent)
    return jsonify(ticket_id=ticket["id"], updated_at=ticket.get("updated_at"))
