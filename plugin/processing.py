"""Process one inbox event: context → handlers → one vendor update → store, exactly once."""

from __future__ import annotations

import hashlib
import json
import logging
import random
import time
from dataclasses import replace
from datetime import UTC, timedelta

from plugin import metrics
from plugin.config import Settings
from plugin.context import TicketContext
from plugin.decisions import Plan, merge
from plugin.events import TicketEvent, normalise_freshdesk, normalise_zendesk
from plugin.helpdesk import Helpdesk
from plugin.helpdesk.errors import (
    Conflict,
    HelpdeskError,
    Permanent,
    RateLimited,
    TicketClosed,
    Transient,
)
from plugin.helpdesk.retry import call_with_retries
from plugin.language import detect_language
from plugin.models import InboxEvent
from plugin.playbooks import TicketText, match
from plugin.reconcile import missed_events
from plugin.routing import Router
from plugin.store import Store
from plugin.tickets import Ticket

log = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 600.0


def parse_stored(row: InboxEvent) -> TicketEvent:
    """The TicketEvent of a stored row: a vendor webhook body, or one of our own later checks."""
    body = json.loads(row.payload)
    if isinstance(body, dict) and "internal" in body:
        return TicketEvent(vendor=row.vendor, name=body["internal"], ticket_id=row.ticket_id,
                           delivery_key=row.delivery_key, change=body.get("change") or {},
                           occurred_at=row.next_attempt_at.isoformat() + "Z")
    if row.vendor == "freshdesk":
        return replace(normalise_freshdesk(body, ""), delivery_key=row.delivery_key)
    return normalise_zendesk(body)


def marker_for(vendor: str, delivery_key: str) -> str:
    """The hidden reference written into a note, unique per delivery."""
    return "ft-" + hashlib.sha256(f"{vendor}:{delivery_key}".encode()).hexdigest()[:16]


def marker_footer(marker: str) -> str:
    return f'<p><em>followthrough · ref {marker}</em></p>'


class Processor:
    """Turns one claimed inbox row into its effects; safe to run again after a crash."""

    def __init__(self, store: Store, helpdesk: Helpdesk, router: Router, settings: Settings,
                 playbooks=None) -> None:
        self.store = store
        self.helpdesk = helpdesk
        self.router = router
        self.settings = settings
        self.playbooks = playbooks
        self.scheduler = None  # set in the process that runs the scheduler
        self._groups_cache: tuple[float, dict[str, str]] | None = None
        self._bot: str | None = None

    def bot_id(self) -> str:
        """The plugin's API user: stored once, then kept in memory (it never changes)."""
        if self._bot is None:
            key = f"{self.helpdesk.vendor}:me"
            known = self.store.get_value(key)
            if known is None:
                known = call_with_retries(self.helpdesk.me)
                self.store.set_value(key, known)
            self._bot = known
        return self._bot

    def warm_up(self) -> None:
        """Load what the first event would otherwise wait for: the language models (seconds
        of CPU, while events pile up behind it) and the playbooks' match index."""
        detect_language("warm up")
        if self.playbooks:
            match(self.playbooks.current(), TicketText(text="warm up"), None)

    def process(self, row: InboxEvent) -> str:
        """Run ROW; returns the outcome it was left in (done, skipped, ignored, failed, retry)."""
        started = time.monotonic()
        try:
            outcome, reason = self._run(row)
            if outcome != "done":
                self.store.finish(row.id, outcome, reason)
        except RateLimited as exc:
            outcome, reason = "retry", str(exc)
            self.store.retry_later(row.id, exc.retry_after + random.uniform(0, 2), reason,
                                   refund_attempt=True)
        except Permanent as exc:
            outcome, reason = "failed", str(exc)
            self.store.finish(row.id, "failed", reason)
        except Exception as exc:
            transient = isinstance(exc, HelpdeskError) and exc.transient
            reason = str(exc) if isinstance(exc, HelpdeskError) else type(exc).__name__
            if row.attempts >= self.settings.max_attempts:
                outcome = "failed"
                self.store.finish(row.id, "failed", f"retry budget spent: {reason}")
            else:
                outcome = "retry"
                delay = min(MAX_BACKOFF_SECONDS, 2.0 ** row.attempts) * random.uniform(0.5, 1.0)
                self.store.retry_later(row.id, delay, reason)
            if not transient:
                log.exception("event failed", extra={"event_id": row.id, "error": reason})
        metrics.EVENTS_FINISHED.labels(row.vendor, row.event_type, outcome).inc()
        if outcome != "retry":
            metrics.PROCESSING_SECONDS.observe(
                (self.store.now() - row.received_at).total_seconds()
            )
        log.info("event finished", extra={
            "event_id": row.id, "vendor": row.vendor, "event_type": row.event_type,
            "ticket_id": row.ticket_id, "outcome": outcome, "attempt": row.attempts,
            "reason": reason, "duration_ms": round((time.monotonic() - started) * 1000, 1),
        })
        return outcome

    def _run(self, row: InboxEvent) -> tuple[str, str | None]:
        event = parse_stored(row)
        comment = event.change.get("comment")
        comment_author = ((comment.get("author") or {}).get("id")
                          if isinstance(comment, dict) else None)
        bot = self.bot_id()
        if bot in {event.actor_id, str(comment_author) if comment_author else None}:
            return "skipped", "caused by the plugin's own API user"
        if event.name.startswith("due.") and not self._still_due(event):
            return "skipped", "the follow-up was cancelled or moved"
        ticket = event.ticket or call_with_retries(lambda: self.helpdesk.ticket(event.ticket_id))
        state = self.store.ticket_state(row.vendor, event.ticket_id)
        memory = dict(state.memory) if state else {}
        seen_key = f"seen:{row.vendor}:{event.name}:{ticket.id}:{ticket.updated_at}"
        if row.delivery_key.startswith("unkeyed:") and self.store.get_value(seen_key):
            return "skipped", "the same change was delivered before"
        events = [event]
        if event.name == "ticket.updated":
            # An id-only webhook names no change: derive it from what the store last saw.
            events = [replace(event, name=name, change=change, ticket=ticket)
                      for name, change in missed_events(ticket, state, installed_at="")]
            events += self._new_comments(event, ticket, memory, bot)
        elif event.name == "ticket.created" and event.ticket is None:
            memory["last_comment_id"] = 0
        registrations = [(e, r) for e in events for r in self.router.registrations(e.name)]
        if not registrations and not row.delivery_key.startswith("unkeyed:"):
            return "ignored", "no handler for this event"
        needs = set().union(*(registration.needs for _, registration in registrations))
        extras = self._fetch(needs, ticket)
        playbooks = self.playbooks.current() if self.playbooks else None
        decisions = []
        for each, registration in registrations:
            context = TicketContext(event=each, ticket=ticket, settings=self.settings,
                                    now=self.store.now().replace(tzinfo=UTC), memory=memory,
                                    playbooks=playbooks,
                                    **extras)
            decisions.extend(registration.handler(context))
        plan = merge(decisions, set(memory.get("notes", [])))
        status = self._write(row, event, ticket, plan)
        self._commit(row, event, ticket, plan, memory, status)
        self._arm(row.vendor, event.ticket_id, plan)
        return ("skipped", "ticket is closed") if status == "closed" else ("done", None)

    def _new_comments(self, event: TicketEvent, ticket: Ticket, memory: dict,
                      bot: str) -> list[TicketEvent]:
        """comment_added events for the comments this store has not seen (id-only webhooks)."""
        comments = call_with_retries(lambda: self.helpdesk.comments(ticket.id))
        last = int(memory.get("last_comment_id", 0))
        fresh = [c for c in comments if c.id.isdigit() and int(c.id) > last]
        if comments:
            memory["last_comment_id"] = max([last, *(int(c.id) for c in comments
                                                    if c.id.isdigit())])
        return [replace(event, name="ticket.comment_added", ticket=ticket, change={"comment": {
            "id": comment.id, "body": comment.body, "html_body": comment.body,
            "is_public": comment.public, "author": {
                "id": comment.author_id,
                "is_staff": comment.author_is_agent or comment.author_id != ticket.requester_id,
            }}}) for comment in fresh if comment.author_id != bot]

    def _still_due(self, event: TicketEvent) -> bool:
        row = self.store.followup(event.change.get("job_id", ""))
        return row is not None and row.status == "pending" and \
            row.run_at.isoformat() + "Z" == event.change.get("run_at")

    def _fetch(self, needs: set[str], ticket: Ticket) -> dict:
        """Read from the helpdesk only what the registered handlers say they need."""
        extras: dict = {}
        if "requester" in needs and ticket.requester_id:
            extras["requester"] = call_with_retries(
                lambda: self.helpdesk.person(ticket.requester_id))
        if "comments" in needs:
            extras["comments"] = call_with_retries(lambda: self.helpdesk.comments(ticket.id))
        if "requester_tickets" in needs and ticket.requester_id:
            extras["requester_tickets"] = call_with_retries(
                lambda: self.helpdesk.requested_tickets(ticket.requester_id))
        if "groups" in needs:
            extras["groups"] = self._groups()
        if "survey_cooldown" in needs and ticket.requester_id:
            since = self.store.now() - timedelta(days=self.settings.survey_cooldown_days)
            extras["recently_surveyed"] = self.store.surveyed_since(
                self.helpdesk.vendor, ticket.requester_id, since)
        return extras

    def _groups(self) -> dict[str, str]:
        """Group names by id, read at most every 10 minutes."""
        if self._groups_cache is None or time.monotonic() - self._groups_cache[0] > 600:
            self._groups_cache = (time.monotonic(), call_with_retries(self.helpdesk.groups))
        return self._groups_cache[1]

    def _write(self, row: InboxEvent, event: TicketEvent, ticket: Ticket, plan: Plan) -> str:
        """Send the plan's update and tasks once; 'sent', 'nothing', 'dry_run' or 'closed'."""
        if plan.update.is_empty() and not plan.tickets and not plan.callbacks:
            return "nothing"
        if self.settings.dry_run:
            return "dry_run"
        status = self._update(row, event, ticket, plan) if not plan.update.is_empty() else "sent"
        if status != "closed":
            self._new_tickets(row, event, plan)
            self._callbacks(row, event, plan)
        return status

    def _update(self, row: InboxEvent, event: TicketEvent, ticket: Ticket, plan: Plan) -> str:
        """The one ticket update of this event, written once even across crashes."""
        marker = marker_for(row.vendor, row.delivery_key)
        if plan.update.public_reply:
            plan.update.public_reply += marker_footer(marker)
        elif plan.update.notes:
            plan.update.notes[-1] += marker_footer(marker)
        detail = {"notes": plan.note_keys, "add_tags": sorted(plan.update.add_tags),
                  "remove_tags": sorted(plan.update.remove_tags)}
        action = self.store.begin_action(row.id, row.vendor, event.ticket_id, "update", marker,
                                         detail)
        plan.action_id = action.id
        if action.status == "done":
            return "sent"
        if row.attempts > 1 and (plan.update.notes or plan.update.public_reply) and \
                call_with_retries(
            lambda: self.helpdesk.has_marker(event.ticket_id, marker)
        ):
            return "sent"  # an earlier attempt wrote it and crashed before recording that
        current = ticket
        try:
            for _ in range(3):
                try:
                    call_with_retries(lambda t=current: self.helpdesk.apply(t, plan.update),
                                      write=True)
                    return "sent"
                except Conflict:
                    current = call_with_retries(lambda: self.helpdesk.ticket(event.ticket_id))
        except TicketClosed:
            return "closed"
        raise Transient("the ticket kept changing under us (409 three times)")

    def _new_tickets(self, row: InboxEvent, event: TicketEvent, plan: Plan) -> None:
        """Create the plan's tickets once each (the marker is the new ticket's external id)."""
        for index, new in enumerate(plan.tickets):
            marker = f"{marker_for(row.vendor, row.delivery_key)}-t{index}"
            action = self.store.begin_action(row.id, row.vendor, event.ticket_id, "ticket",
                                             marker, {"subject": new.subject})
            if action.status == "done" or call_with_retries(
                    lambda t=new, m=marker: self.helpdesk.ticket_exists(t, m)):
                continue
            call_with_retries(lambda t=new, m=marker: self.helpdesk.create_ticket(t, m),
                              write=True)
            self._done(action.id)

    def _callbacks(self, row: InboxEvent, event: TicketEvent, plan: Plan) -> None:
        """Queue Talk callbacks at most once: after an unclear attempt, a call is not repeated."""
        for index, callback in enumerate(plan.callbacks):
            marker = f"{marker_for(row.vendor, row.delivery_key)}-c{index}"
            if self.store.action_by_marker(marker) is not None:
                continue  # an earlier attempt may have queued it: a call is never repeated
            action = self.store.begin_action(row.id, row.vendor, event.ticket_id, "callback",
                                             marker, {})
            call_with_retries(lambda c=callback: self.helpdesk.request_callback(c.phone),
                              write=True)
            self._done(action.id)

    def _done(self, action_id: int) -> None:
        with self.store.transaction() as session:
            self.store.set_action_status(session, action_id, "done")
            session.commit()

    def _arm(self, vendor: str, ticket_id: str, plan: Plan) -> None:
        """After the commit: tell the scheduler (when it runs in this process) what changed."""
        if self.scheduler is None:
            return
        for item in plan.schedule:
            self.scheduler.arm(f"{item.kind}:{vendor}:{ticket_id}", item.run_at)
        for item in plan.cancel:
            self.scheduler.disarm(f"{item.kind}:{vendor}:{ticket_id}")

    def _commit_followups(self, session, vendor: str, event: TicketEvent, ticket: Ticket,
                          plan: Plan) -> None:
        # Settle first: a follow-up may settle itself and be re-armed in the same event.
        if plan.settle is not None and event.change.get("job_id"):
            self.store.settle_followup(session, event.change["job_id"], plan.settle.status,
                                       plan.settle.reason)
        for item in plan.cancel:
            self.store.settle_followup(session, f"{item.kind}:{vendor}:{event.ticket_id}",
                                       "cancelled", item.reason)
        for item in plan.schedule:
            self.store.upsert_followup(
                session, f"{item.kind}:{vendor}:{event.ticket_id}", kind=item.kind,
                vendor=vendor, ticket_id=event.ticket_id, requester_id=ticket.requester_id,
                run_at=item.run_at.astimezone(UTC).replace(tzinfo=None), tz=item.tz,
                payload=item.payload)

    def _commit(self, row: InboxEvent, event: TicketEvent, ticket: Ticket, plan: Plan,
                memory: dict, status: str) -> None:
        """Store the ticket state, the audit and the event's completion in one transaction."""
        if status == "sent":
            memory["notes"] = sorted(set(memory.get("notes", [])) | set(plan.note_keys))
        memory.update(plan.memory)
        values: dict = {"memory": memory}
        newer = (ticket.updated_at or "") >= memory.get("ticket_updated_at", "")
        if newer:
            memory["ticket_updated_at"] = ticket.updated_at or ""
            values.update(status=ticket.status, group_id=ticket.group_id,
                          requester_id=ticket.requester_id)
        for key in ("language", "playbooks"):
            if key in plan.memory:
                values[key] = plan.memory[key]
        with self.store.transaction() as session:
            state = self.store.ticket_state(row.vendor, event.ticket_id, session)
            flags = list(state.flags) if state else []
            for flag in plan.flags:
                if not any(f["kind"] == flag.kind and f["detail"] == flag.detail for f in flags):
                    flags.append({"kind": flag.kind, "at": self.store.now().isoformat() + "Z",
                                  "detail": flag.detail, "group": flag.group,
                                  "agent": flag.agent})
            values["flags"] = flags
            self._commit_followups(session, row.vendor, event, ticket, plan)
            for later in plan.later:
                payload = {"internal": later.name, "ticket_id": event.ticket_id,
                           "change": later.change}
                self.store.schedule(session, row.vendor, f"internal:{later.key}", later.name,
                                    event.ticket_id, json.dumps(payload),
                                    later.due.replace(tzinfo=None))
            self.store.save_ticket_state(session, row.vendor, event.ticket_id, **values)
            if plan.action_id is not None:
                final = {"sent": "done", "closed": "skipped"}.get(status, status)
                reason = {"reason": "ticket is closed"} if status == "closed" else None
                self.store.set_action_status(session, plan.action_id, final, reason)
            elif status == "dry_run":
                self.store.record_action(session, row.id, row.vendor, event.ticket_id, "update",
                                         "dry_run", {"notes": plan.note_keys})
            if row.delivery_key.startswith("unkeyed:"):
                self.store.remember_once(session, f"seen:{row.vendor}:{event.name}:{ticket.id}:"
                                         f"{ticket.updated_at}")
            self.store.mark_done(session, row.id)
            session.commit()
