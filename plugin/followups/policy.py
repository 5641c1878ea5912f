"""What follow-ups read from a ticket: the customer's zone, the active playbook, its windows."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from plugin.context import TicketContext
from plugin.followups.windows import CALL_WINDOW, SURVEY_WINDOW, Window
from plugin.followups.zones import resolve_zone
from plugin.tickets import parse_time

_DURATION = re.compile(r"^(\d+)([hd])$")
SOLVED = {"solved", "closed"}


def customer_zone(context: TicketContext) -> str:
    profile = context.requester.time_zone if context.requester else None
    return resolve_zone(profile, context.settings.default_timezone)


def active_playbook(context: TicketContext):
    """The ticket's best playbook (the first guidance match), or None."""
    known = context.memory.get("playbooks") or []
    if not known or context.playbooks is None:
        return None
    return context.playbooks.playbooks.get(known[0]["id"])


def _window(spec, default: Window, skip_holidays: bool) -> Window:
    if spec is None:
        return default
    return Window.parse(days=spec.days, start=spec.start, end=spec.end,
                        skip_holidays=skip_holidays)


def call_window(playbook) -> Window:
    spec = playbook.followup.call_window if playbook and playbook.followup else None
    return _window(spec, CALL_WINDOW, skip_holidays=True)


def survey_window(playbook) -> Window:
    spec = playbook.followup.survey_window if playbook and playbook.followup else None
    return _window(spec, SURVEY_WINDOW, skip_holidays=False)


def call_delay(playbook) -> timedelta | None:
    """The playbook's call_after_solved ("2d", "36h") as a timedelta, or None."""
    text = playbook.followup.call_after_solved if playbook and playbook.followup else None
    found = _DURATION.match(text or "")
    if not found:
        return None
    amount = int(found.group(1))
    return timedelta(days=amount) if found.group(2) == "d" else timedelta(hours=amount)


def became(context: TicketContext) -> tuple[str, str]:
    """(previous, current) status of a status change, lower-case."""
    change = context.event.change
    return str(change.get("previous") or "").lower(), str(change.get("current") or "").lower()


def changed_at(context: TicketContext) -> datetime:
    return parse_time(context.ticket.updated_at) or parse_time(context.event.occurred_at) or \
        context.now
