"""Catch-up through the incremental export: tickets whose events never reached us."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from plugin.helpdesk import Helpdesk
from plugin.store import Store
from plugin.tickets import Ticket

log = logging.getLogger(__name__)
GRACE_SECONDS = 120  # leave fresh changes to their own webhooks, which may be in flight


def synthetic_event(name: str, ticket: Ticket, change: dict) -> tuple[str, str]:
    """(delivery key, payload) of an event the export tells us we missed; the worker re-reads
    the ticket when it runs it."""
    body = {"internal": name, "change": change}
    return f"reconcile:{name}:{ticket.id}:{ticket.updated_at}", json.dumps(body)


def missed_events(ticket: Ticket, state, installed_at: str) -> list[tuple[str, dict]]:
    """The events that explain how TICKET differs from what the store last saw."""
    if state is None:
        created_after_install = (ticket.created_at or "") >= installed_at
        return [("ticket.created", {})] if created_after_install else []
    missed = []
    if state.status and state.status != ticket.status:
        missed.append(("ticket.status_changed",
                       {"previous": state.status.upper(), "current": ticket.status.upper()}))
    if state.group_id != ticket.group_id:
        missed.append(("ticket.group_assignment_changed",
                       {"previous": state.group_id, "current": ticket.group_id}))
    return missed


def reconcile_once(store: Store, helpdesk: Helpdesk, now: datetime | None = None) -> int:
    """Enqueue the missed events of tickets changed since the cursor; returns how many."""
    now = now or datetime.now(UTC)
    vendor = helpdesk.vendor
    cursor_key = f"{vendor}:reconcile_cursor"
    installed_key = f"{vendor}:installed_at"
    horizon = int(now.timestamp()) - GRACE_SECONDS
    if store.get_value(cursor_key) is None:
        store.set_value(cursor_key, str(horizon))
        store.set_value(installed_key, now.strftime("%Y-%m-%dT%H:%M:%SZ"))
        return 0
    since = int(store.get_value(cursor_key))
    installed_at = store.get_value(installed_key) or ""
    tickets, end_time = helpdesk.changed_tickets(since)
    states = store.ticket_states(vendor)
    queued = 0
    for ticket in tickets:
        if ticket.updated_at and _unix(ticket.updated_at) > horizon:
            continue
        for name, change in missed_events(ticket, states.get(ticket.id), installed_at):
            key, payload = synthetic_event(name, ticket, change)
            _, duplicate = store.enqueue(vendor, key, name, ticket.id, payload)
            queued += not duplicate
    store.set_value(cursor_key, str(min(end_time, horizon)))
    if queued:
        log.info("reconciliation queued missed events", extra={"count": queued})
    return queued


def _unix(stamp: str) -> int:
    return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())
