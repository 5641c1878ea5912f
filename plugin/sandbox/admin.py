"""Unauthenticated /_sandbox control endpoints: faults, stats, reset, clock and webhook log."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import Blueprint, Response, jsonify, request

from plugin.sandbox.common import runtime
from plugin.sandbox.errors import bad_request
from plugin.sandbox.state import iso

admin_bp = Blueprint("sandbox_admin", __name__, url_prefix="/_sandbox")


def _json() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise bad_request("Body must be a JSON object")
    return data


@admin_bp.get("/info")
def info() -> Response:
    """Which helpdesk API this sandbox speaks (SandboxClient picks its dialect from it)."""
    return jsonify({"vendor": runtime().config.vendor})


@admin_bp.get("/faults")
def faults_show() -> Response:
    return jsonify(runtime().faults.describe())


@admin_bp.post("/faults")
def faults_set() -> Response:
    """Merge fault settings (error/stall/reset rates, stall_seconds, rate_limit_rpm/_window)."""
    try:
        return jsonify(runtime().faults.configure(_json()))
    except (TypeError, ValueError) as exc:
        raise bad_request(str(exc)) from None


@admin_bp.get("/stats")
def stats() -> Response:
    rt = runtime()
    bot = rt.config.bot_user_id
    with rt.state.lock:
        notes = Counter({tid: sum(1 for c in comments if not c["public"] and c["author_id"] == bot)
                         for tid, comments in rt.state.comments.items()})
        tickets = len(rt.state.tickets)
        callbacks = len(rt.state.callback_requests)
    return jsonify({
        "requests_by_status": dict(rt.faults.requests_by_status),
        "notes_by_ticket": {str(tid): n for tid, n in notes.items() if n},
        "webhooks": rt.sender.describe(), "tickets": tickets, "callback_requests": callbacks})


@admin_bp.post("/reset")
def reset() -> Response:
    """Reseed state and clear faults, limits, counters and the webhook log."""
    rt = runtime()
    rt.state.reset()
    rt.faults.reset()
    rt.sender.reset()
    return jsonify({"reset": True})


@admin_bp.post("/time")
def advance_time() -> Response:
    data = _json()
    try:
        seconds = float(data.get("advance_seconds", 0))
    except (TypeError, ValueError):
        raise bad_request("advance_seconds must be a number") from None
    clock = runtime().state.clock
    clock.offset += seconds
    runtime().state.changed()
    return jsonify({"now": iso(clock.now()), "offset_seconds": clock.offset})


@admin_bp.get("/webhooks/log")
def webhook_log() -> Response:
    return jsonify({"deliveries": list(runtime().sender.log)})


@admin_bp.post("/webhooks/flush")
def webhook_flush() -> Response:
    """Wait (up to `timeout` seconds, default 10) for the webhook queue to drain."""
    try:
        timeout = float(_json().get("timeout", 10))
    except (TypeError, ValueError):
        raise bad_request("timeout must be a number") from None
    return jsonify({"flushed": runtime().sender.flush(timeout)})
