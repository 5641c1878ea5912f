"""Promises: a deadline given in a public reply is tracked until it is kept or broken."""

from __future__ import annotations

import html
from datetime import timedelta

from plugin.context import TicketContext
from plugin.decisions import Cancel, Flag, Note, Schedule, Settle, Tags
from plugin.followups.policy import SOLVED, became
from plugin.followups.texts import text
from plugin.followups.windows import describe_local
from plugin.language import detect_language
from plugin.ownership.notes import plain
from plugin.promises import latest_promise
from plugin.routing import Router
from plugin.tickets import parse_time

router = Router()
SHORT_PROMISE = timedelta(hours=8)


@router.register("ticket.comment_added")
def track_promise(context: TicketContext):
    """A public agent reply that commits to a time ("yarın", "cuma gününe kadar", "2 gün
    ərzində", "by Friday"…) is tracked: a reminder 2 h before the deadline (at 75 % of the span
    for short promises); a newer promise replaces the older; a customer's reply does not."""
    comment = context.event.change.get("comment") or {}
    author = comment.get("author") or {}
    body = comment.get("body") or comment.get("html_body")
    if not comment.get("is_public") or not author.get("is_staff") or not isinstance(body, str):
        return
    replied = parse_time(context.ticket.updated_at) or context.now
    words = plain(body)
    zone = context.settings.default_timezone
    promise = latest_promise(words, replied, zone, detect_language(words))
    if promise is None or promise.deadline <= context.now:
        return
    span = promise.deadline - replied
    reminder = replied + span * 0.75 if span <= SHORT_PROMISE else \
        promise.deadline - timedelta(hours=2)
    yield Schedule("promise_check", max(reminder, context.now), zone, {
        "stage": "at_risk", "deadline": promise.deadline.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "phrase": promise.phrase, "agent": str(author.get("id")), "group": context.ticket.group_id,
    })


@router.register("ticket.status_changed")
def keep_promise(context: TicketContext):
    """Solving the ticket keeps the promise: tracking stops."""
    previous, current = became(context)
    if current in SOLVED and previous not in SOLVED:
        yield Cancel("promise_check", "kept")


@router.register("due.promise_check")
def check_promise(context: TicketContext):
    """Before the deadline, if still unsolved: a private reminder with a suggested update to
    the customer and tag ft_promise_at_risk. At the deadline, if still unsolved: tag
    ft_promise_broken and a flag."""
    change = context.event.change
    if context.ticket.status in SOLVED:
        yield Settle("done", "kept")
        return
    deadline = parse_time(change.get("deadline")) or context.now
    language = context.note_language(context.memory.get("language"))
    due_text = describe_local(deadline, change.get("tz") or context.settings.default_timezone,
                              language)
    if change.get("stage") == "at_risk":
        yield Note(f"<p><strong>{text(language, 'promise_risk')}</strong></p>"
                   f"<p>“{html.escape(change.get('phrase', ''))}” — "
                   f"{text(language, 'promise_due')}: {html.escape(due_text)}</p>"
                   f"<p>{text(language, 'promise_update', due=due_text)}</p>",
                   key=f"promise_at_risk:{change.get('deadline')}")
        yield Tags(add=frozenset({"ft_promise_at_risk"}))
        yield Schedule("promise_check", deadline, change.get("tz") or "UTC",
                       {**{k: change[k] for k in ("deadline", "phrase", "agent", "group")
                           if k in change}, "stage": "deadline"})
        return
    yield Tags(add=frozenset({"ft_promise_broken"}))
    yield Flag("promise_broken", f"“{change.get('phrase', '')}” by {change.get('deadline')}",
               group=change.get("group"), agent=change.get("agent"))
    yield Settle("done", "broken")
