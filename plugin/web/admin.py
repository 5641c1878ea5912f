"""Admin JSON API: what the plugin knows and did for a ticket, events, and job control."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from plugin.reports import build_promise_report, build_transfer_report, parse_since
from plugin.web.auth import require_admin

bp = Blueprint("admin", __name__, url_prefix="/api")
VENDORS = {"zendesk", "freshdesk"}


def _services():
    return current_app.extensions["followthrough"]


def followup_json(row) -> dict:
    return {"job_id": row.job_id, "kind": row.kind, "run_at": row.run_at.isoformat() + "Z",
            "tz": row.tz, "status": row.status, "reason": row.reason}


def ticket_report(services, vendor: str, ticket_id: str) -> dict:
    """The ticket's language, playbooks, flags, follow-ups and audit trail."""
    state = services.store.ticket_state(vendor, ticket_id)
    actions = services.store.actions(vendor, ticket_id)
    return {
        "vendor": vendor,
        "ticket_id": ticket_id,
        "language": state.language if state else None,
        "playbooks": list(state.playbooks) if state else [],
        "flags": list(state.flags) if state else [],
        "scheduled": [followup_json(row) for row in services.store.followups(
            vendor=vendor, ticket_id=ticket_id)],
        "surveys": [{"csat": a.csat, "nps": a.nps, "ces": a.ces, "comment": a.comment,
                     "at": a.answered_at.isoformat() + "Z"}
                    for a in services.store.survey_answers(vendor, ticket_id)],
        "actions": [
            {"at": action.created_at.isoformat() + "Z", "kind": action.kind,
             "status": action.status, "detail": action.detail}
            for action in actions
        ],
    }


@bp.get("/tickets/<vendor>/<ticket_id>")
@require_admin
def ticket(vendor: str, ticket_id: str):
    if vendor not in VENDORS or not (ticket_id.isascii() and ticket_id.isdigit()) or \
            len(ticket_id) > 40:
        return jsonify(error="unknown vendor or malformed ticket id"), 404
    return jsonify(ticket_report(_services(), vendor, ticket_id))


@bp.get("/events")
@require_admin
def events():
    status = request.args.get("status")
    rows = _services().store.events(status=status, limit=200)
    return jsonify(events=[
        {"id": row.id, "vendor": row.vendor, "type": row.event_type, "ticket_id": row.ticket_id,
         "status": row.status, "attempts": row.attempts, "error": row.last_error,
         "received_at": row.received_at.isoformat() + "Z"}
        for row in rows
    ])


@bp.post("/events/<int:event_id>/replay")
@require_admin
def replay(event_id: int):
    if event_id >= 2**31 or not _services().store.requeue(event_id):
        return jsonify(error="no finished event with that id"), 404
    return jsonify(status="queued", event_id=event_id), 202


@bp.post("/jobs/<job_id>/run")
@require_admin
def run_job(job_id: str):
    """Run a pending follow-up now: it is moved to now and handed to the worker."""
    if not _services().store.run_now(job_id):
        return jsonify(error=f"no pending job {job_id[:100]!r}"), 404
    return jsonify(status="queued", job_id=job_id), 202


REPORTS = {"transfers": build_transfer_report, "promises": build_promise_report}


@bp.get("/reports/<kind>")
@require_admin
def report(kind: str):
    """GET /api/reports/transfers and /api/reports/promises (?since=30d)."""
    if kind not in REPORTS:
        return jsonify(error="reports: transfers, promises"), 404
    try:
        window = parse_since(request.args.get("since", "30d"))
    except ValueError as exc:
        return jsonify(error=str(exc)), 400
    return jsonify(REPORTS[kind](_services(), window))
