"""Transfers: record every group change, flag late, ping-pong, language-mismatched and cold
transfers, and write the handoff note for the receiving group."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from plugin.context import TicketContext
from plugin.decisions import Flag, Later, Note, Remember, Tags
from plugin.ownership.config import TransfersConfig
from plugin.ownership.notes import handoff_note, identifiers, local_time, plain
from plugin.promises import latest_promise
from plugin.routing import Router
from plugin.tickets import Comment, parse_time

router = Router()
OWN_NOTE = "followthrough · ref"


def settings(context: TicketContext) -> TransfersConfig:
    playbook = context.support_playbook("ownership")
    return (playbook.transfers if playbook and playbook.transfers else None) or TransfersConfig()


def split_conversation(context: TicketContext) -> tuple[list[Comment], list[Comment]]:
    """(the customer's public comments, the agents' public replies), oldest first."""
    customer, agents = [], []
    for comment in context.comments or []:
        if not comment.public or OWN_NOTE in comment.body:
            continue
        if comment.author_id == context.ticket.requester_id:
            customer.append(comment)
        else:
            agents.append(comment)
    return customer, agents


def _flag(kind: str, detail: str, group: str, agent: str | None):
    yield Flag(kind, detail, group=group, agent=agent)
    yield Tags(add=frozenset({f"ft_{kind}"}))


@router.register("ticket.group_assignment_changed", needs=("comments", "groups", "requester"))
def record_transfer(context: TicketContext):
    """A group change from one group to another is a transfer: recorded with from, to, actor
    and time; flagged late after 3+ public agent replies, ping-pong when the ticket returns to
    a group it left within 14 days or changes group 3+ times, language mismatch when the
    receiving group does not list the customer's language; a cold-transfer check runs 10
    minutes later; the receiving group gets a handoff note."""
    change = context.event.change
    source, target = change.get("previous"), change.get("current")
    if not source or not target or source == target:
        return
    source, target = str(source), str(target)
    at = parse_time(context.ticket.updated_at) or parse_time(context.event.occurred_at)
    stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    actor = context.event.actor_id
    known = list(context.memory.get("transfers", []))
    if any(t["from"] == source and t["to"] == target and t["at"] == stamp for t in known):
        return  # the same transfer delivered again
    transfers = sorted([*known, {"from": source, "to": target, "actor": actor, "at": stamp}],
                       key=lambda t: t["at"])
    yield Remember("transfers", transfers)
    created = parse_time(context.ticket.created_at)
    if created and transfers[0]["at"] == stamp:
        yield Remember("first_transfer_after_s", int((at - created).total_seconds()))
    config = settings(context)
    names = context.groups or {}
    path = [transfers[0]["from"], *(t["to"] for t in transfers)]
    known_names = dict(context.memory.get("group_names") or {})
    if any(names.get(g) and known_names.get(g) != names[g] for g in path):
        yield Remember("group_names", {**known_names, **{g: names[g] for g in path
                                                          if names.get(g)}})
    route = " → ".join(names.get(g, g) for g in path)
    customer, agents = split_conversation(context)
    before = [c for c in agents if (parse_time(c.created_at) or at) <= at]
    if len(before) >= config.late_transfer_replies:
        yield from _flag("late_transfer", f"{route} after {len(before)} replies", target, actor)
    if _returns(transfers, config.ping_pong_days) or len(transfers) >= config.ping_pong_changes:
        yield from _flag("ping_pong", route, target, actor)
    language = context.memory.get("language")
    allowed = config.group_languages.get(target)
    if allowed and language and language not in allowed:
        yield from _flag("language_mismatch", f"{names.get(target, target)} ∌ {language}",
                         target, actor)
    yield Later("ft.transfer_check", at + timedelta(minutes=config.cold_transfer_minutes),
                key=f"transfer_check:{context.ticket.id}:{stamp}:{target}",
                change={"from": source, "to": target, "actor": actor, "at": stamp})
    note_language = context.note_language(language)
    handoff = context.support_playbook("handoff")
    guidance = handoff.guidance.get(note_language) if handoff else None
    zone, local = local_time(context.requester, context.settings.default_timezone, context.now)
    yield Note(handoff_note(
        note_language, [names.get(g, g) for g in path], (language, zone, local), customer,
        agents, _promised(agents, context.settings.default_timezone, zone),
        identifiers(context.comments or []),
        handoff.title.get(note_language, "") if handoff else "",
        guidance.steps if guidance else [],
    ), key=f"handoff:{target}:{stamp}")


def _promised(agents: list[Comment], agent_zone: str, customer_zone: str) -> str | None:
    """The last deadline an agent gave the customer, with its time on the customer's clock."""
    for reply in reversed(agents):
        replied = parse_time(reply.created_at)
        promise = latest_promise(plain(reply.body), replied, agent_zone) if replied else None
        if promise:
            due = promise.deadline.astimezone(ZoneInfo(customer_zone)).strftime("%Y-%m-%d %H:%M")
            return f"“{promise.phrase}” → {due}"
    return None


def _returns(transfers: list[dict], days: int) -> bool:
    """True when a transfer brings the ticket back to a group it left within DAYS."""
    for index, later in enumerate(transfers):
        for earlier in transfers[:index]:
            gap = parse_time(later["at"]) - parse_time(earlier["at"])
            if later["to"] == earlier["from"] and gap <= timedelta(days=days):
                return True
    return False


@router.register("ft.transfer_check", needs=("comments",))
def check_cold_transfer(context: TicketContext):
    """Ten minutes after a transfer: if the agent who moved the ticket left no comment, public
    or private, within 10 minutes either side of the change, it was a cold transfer."""
    change = context.event.change
    at = parse_time(change.get("at"))
    if at is None:
        return
    window = timedelta(minutes=settings(context).cold_transfer_minutes)
    actor = change.get("actor")
    spoke = any(
        comment.author_id == actor and abs((parse_time(comment.created_at) or at) - at) <= window
        for comment in context.comments or []
    )
    if not spoke:
        yield from _flag("cold_transfer", f"{change.get('from')} → {change.get('to')} at "
                         f"{change.get('at')}", str(change.get("to")), actor)
