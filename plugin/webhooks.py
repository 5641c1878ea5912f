"""The intake blueprint: verify → normalise → store → acknowledge. No vendor I/O here."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy.exc import SQLAlchemyError

from plugin import metrics
from plugin.events import BadEvent, normalise_freshdesk, normalise_zendesk
from plugin.signatures import SignatureError, verify_shared_secret, verify_zendesk

log = logging.getLogger(__name__)
bp = Blueprint("webhooks", __name__)


def _error(status: int, message: str):
    response = jsonify(error=message)
    response.status_code = status
    return response


@bp.post("/webhooks/zendesk")
def zendesk():
    services = current_app.extensions["followthrough"]
    body = request.get_data(cache=False)
    try:
        verify_zendesk(services.webhook_secrets.get("zendesk"), request.headers, body,
                       datetime.now(UTC))
    except SignatureError as exc:
        log.warning("webhook refused", extra={"vendor": "zendesk", "reason": str(exc)})
        return _error(401, f"signature refused: {exc}")
    invocation = request.headers.get("X-Zendesk-Webhook-Invocation-Id")
    return _intake(services, "zendesk", body, lambda payload: normalise_zendesk(payload,
                                                                                invocation))


@bp.post("/webhooks/freshdesk")
def freshdesk():
    services = current_app.extensions["followthrough"]
    try:
        verify_shared_secret(services.webhook_secrets.get("freshdesk"), request.headers)
    except SignatureError as exc:
        log.warning("webhook refused", extra={"vendor": "freshdesk", "reason": str(exc)})
        return _error(401, f"refused: {exc}")
    body = request.get_data(cache=False)
    delivery = uuid.uuid4().hex
    return _intake(services, "freshdesk", body,
                   lambda payload: normalise_freshdesk(payload, delivery))


def storable(event) -> None:
    """Refuse (400) what no store could keep, rather than failing the commit (503 forever)."""
    # Lone surrogates ("\ud800") decode from JSON but cannot be encoded; PostgreSQL refuses NUL.
    fields = (event.delivery_key, event.name, event.ticket_id)
    "".join(fields).encode()
    if any("\x00" in field for field in fields):
        raise BadEvent("the event carries a NUL character")
    if len(event.name) > 80 or len(event.delivery_key) > 200:
        raise BadEvent("the event type or id is too long")


def _intake(services, vendor: str, body: bytes, normalise):
    """Parse, store, acknowledge: the same for every vendor once the sender is verified."""
    try:
        payload = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):  # bad UTF-8, bad JSON, a 4,300-digit number
        return _error(400, "the body is not JSON in UTF-8")
    try:
        event = normalise(payload)
        storable(event)
    except BadEvent as exc:
        return _error(400, f"not a {vendor.title()} ticket event: {exc}")
    except UnicodeEncodeError:
        return _error(400, "the event carries text that is not valid Unicode")
    wanted = services.router.wants(event.name) or event.name == "ticket.updated"
    try:
        event_id, duplicate = services.store.enqueue(
            vendor, event.delivery_key, event.name, event.ticket_id,
            body.decode("utf-8"), status="pending" if wanted else "ignored",
        )
    except SQLAlchemyError:
        log.exception("inbox commit failed; asking the sender to retry")
        response = _error(503, "the event could not be stored; retry later")
        response.headers["Retry-After"] = "10"
        return response
    if duplicate:
        return jsonify(status="duplicate"), 200
    metrics.EVENTS_RECEIVED.labels(vendor, event.name).inc()
    if not wanted:
        metrics.EVENTS_FINISHED.labels(vendor, event.name, "ignored").inc()
    log.info("event received", extra={"event_id": event_id, "vendor": vendor,
                                       "event_type": event.name, "ticket_id": event.ticket_id,
                                       "status": "pending" if wanted else "ignored"})
    return jsonify(status="queued" if wanted else "ignored", event_id=event_id), 202
