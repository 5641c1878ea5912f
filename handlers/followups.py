"""Follow-up calls: after a solve (per playbook) or a bad survey, a task for the agent inside
the customer's call window; it sends the customer nothing."""

from __future__ import annotations

import html

from plugin.context import TicketContext
from plugin.decisions import Callback, Cancel, CreateTicket, Schedule, Settle
from plugin.followups.policy import (
    SOLVED,
    active_playbook,
    became,
    call_delay,
    call_window,
    changed_at,
    customer_zone,
)
from plugin.followups.texts import text
from plugin.followups.windows import call_time, describe_local
from plugin.routing import Router
from plugin.tickets import parse_time

router = Router()


@router.register("ticket.status_changed", needs=("requester",))
def schedule_call(context: TicketContext):
    """On solved, when the playbook asks for it (e.g. complaint: 2 days after), a follow-up
    call at the first call-window moment after the delay, on the customer's clock (weekdays
    09:00–18:00, never on a public holiday, by default). Cancelled when the ticket reopens."""
    previous, current = became(context)
    if current == "solved" and previous not in SOLVED:
        delay = call_delay(active_playbook(context))
        if delay is None:
            return
        zone = customer_zone(context)
        when = call_time(changed_at(context) + delay, zone, call_window(active_playbook(context)))
        yield Schedule("followup_call", when, zone,
                       {"reason": "confirm", "assignee": context.ticket.assignee_id})
    elif previous in SOLVED and current not in SOLVED:
        yield Cancel("followup_call", "the ticket was reopened")


@router.register("due.followup_call", needs=("requester",))
def create_call_task(context: TicketContext):
    """When a call is due: a task ticket, due now, for the agent who solved the ticket, with
    what to confirm, the customer's local time, their phone and a link to the ticket."""
    change, ticket = context.event.change, context.ticket
    language = context.note_language(context.memory.get("language"))
    run_at = parse_time(change.get("run_at")) or context.now
    zone = change.get("tz") or context.settings.default_timezone
    reason = "call_recovery" if change.get("reason") == "recovery" else "call_confirm"
    phone = context.requester.phone if context.requester else None
    lines = [
        f"<p>{text(language, reason)}</p>",
        f"<p><strong>{text(language, 'local_time')}:</strong> "
        f"{html.escape(describe_local(run_at, zone, language))}</p>",
        f"<p><strong>{text(language, 'ticket')}:</strong> "
        f'<a href="{html.escape(context.settings.agent_ticket_url(ticket.id))}">'
        f"#{html.escape(ticket.id)}</a> {html.escape(ticket.subject[:120])}</p>",
    ]
    if phone:
        lines.append(f"<p><strong>{text(language, 'phone')}:</strong> {html.escape(phone)}</p>")
    if change.get("comment"):
        lines.append(f"<p><strong>{text(language, 'comment')}:</strong> "
                     f"{html.escape(change['comment'])}</p>")
    yield CreateTicket(
        subject=f"{text(language, 'call_subject')} · #{ticket.id}", html="".join(lines),
        due_at=run_at, requester_id=ticket.requester_id,
        assignee_id=change.get("assignee") or ticket.assignee_id, tags=("ft_followup_call",),
        about=ticket.id)
    if context.settings.talk_callbacks and phone:
        yield Callback(phone)
    yield Settle("done")
