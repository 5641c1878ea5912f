"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import time

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text

from plugin import metrics

bp = Blueprint("health", __name__)
HELPDESK_CHECK_TTL = 30.0
_helpdesk_check: dict = {"at": 0.0, "error": None}


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


def _helpdesk_error(services) -> str | None:
    """Reach the helpdesk at most every 30 s, whatever the probe rate."""
    if time.monotonic() - _helpdesk_check["at"] > HELPDESK_CHECK_TTL:
        try:
            services.helpdesk.ping()
            _helpdesk_check["error"] = None
        except Exception as exc:
            _helpdesk_check["error"] = f"{type(exc).__name__}: {str(exc)[:200]}"
        _helpdesk_check["at"] = time.monotonic()
    return _helpdesk_check["error"]


@bp.get("/readyz")
def readyz():
    services = current_app.extensions["followthrough"]
    problems: dict[str, str] = {}
    try:
        with services.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        problems["store"] = type(exc).__name__
    error = _helpdesk_error(services)
    if error:
        problems["helpdesk"] = error
    playbook_errors = [str(error) for error in services.playbooks.current().errors]
    body = {"status": "ready" if not problems else "not ready", "problems": problems,
            "playbooks": {"loaded": sorted(services.playbooks.current().playbooks),
                          "errors": playbook_errors}}
    return jsonify(body), 200 if not problems else 503


@bp.get("/metrics")
def prometheus():
    services = current_app.extensions["followthrough"]
    payload, content_type = metrics.render(services.store.count_by_status)
    return Response(payload, content_type=content_type)
