"""Surveys: ask for satisfaction 24–48 h after a solve, in the customer's hours and language,
and turn the answer into tags, a note, a recovery call or a referral prompt."""

from __future__ import annotations

import html

from handlers.transfers import split_conversation
from plugin.context import TicketContext
from plugin.decisions import Cancel, CreateTicket, Field, Note, Reply, Schedule, Settle, Tags
from plugin.followups.policy import (
    SOLVED,
    active_playbook,
    became,
    call_window,
    changed_at,
    customer_zone,
    survey_window,
)
from plugin.followups.texts import text
from plugin.followups.windows import call_time, survey_time
from plugin.routing import Router
from plugin.surveys.links import survey_links
from plugin.surveys.tokens import issue_token

router = Router()


def _language(context: TicketContext) -> str:
    return context.note_language(context.memory.get("language"))


def _asks(context: TicketContext) -> tuple[str, ...]:
    playbook = active_playbook(context)
    survey = playbook.followup.survey if playbook and playbook.followup else None
    if survey is None:
        return ("csat",)
    asked = tuple(kind for kind in ("csat", "nps", "ces") if getattr(survey, kind))
    return asked or ("csat",)


@router.register("ticket.status_changed", needs=("requester",))
def schedule_survey(context: TicketContext):
    """On solved: a survey at the first survey-window moment at or after solved + 24 h (no
    later than + 48 h where the window allows), on the customer's clock. On reopen: cancelled."""
    previous, current = became(context)
    if current == "solved" and previous not in SOLVED:
        zone = customer_zone(context)
        when = survey_time(changed_at(context), zone, survey_window(active_playbook(context)))
        yield Schedule("survey", when, zone, {"language": _language(context)})
    elif previous in SOLVED and current not in SOLVED:
        yield Cancel("survey", "the ticket was reopened")


@router.register("due.survey", needs=("comments", "survey_cooldown"))
def send_survey(context: TicketContext):
    """At send time the survey is skipped, with the reason, when the ticket is no longer
    solved, is closed, carries the no-survey tag, was solved without a public agent reply, or
    its requester was surveyed within the cooldown; otherwise a public comment with one-click
    links goes to the customer and the ticket stays solved."""
    ticket, settings = context.ticket, context.settings
    _, agent_replies = split_conversation(context)
    closed_skips = settings.survey_on_closed == "skip"
    reasons = [
        (ticket.status not in SOLVED, "the ticket is no longer solved"),
        (ticket.status == "closed" and closed_skips,
         "the ticket is closed and cannot take a comment (FT_SURVEY_ON_CLOSED=skip)"),
        (settings.no_survey_tag in ticket.tags, f"the ticket carries {settings.no_survey_tag}"),
        (not agent_replies, "solved without a public agent reply"),
        (bool(context.recently_surveyed),
         f"requester surveyed in the last {settings.survey_cooldown_days} days"),
    ]
    for applies, reason in reasons:
        if applies:
            yield Settle("skipped", reason)
            return
    language = context.event.change.get("language") or _language(context)
    asks = _asks(context)
    _, token = issue_token(settings.secret_key, context.vendor, ticket.id, language, asks)
    links = survey_links(settings.public_url, token, asks, language)
    if ticket.status == "closed":
        # A closed ticket is immutable: the survey goes out as its follow-up ticket.
        yield CreateTicket(subject=ticket.subject, html=links, requester_id=ticket.requester_id,
                           tags=("ft_survey_sent",), followup_source=ticket.id,
                           about=ticket.id)
    else:
        yield Reply(links, key="survey")
        yield Tags(add=frozenset({"ft_survey_sent"}))
    yield Settle("done")


def _mood(csat: int | None, nps: int | None) -> str | None:
    if csat is not None:
        return "good" if csat >= 4 else "neutral" if csat == 3 else "bad"
    if nps is not None:
        return "good" if nps >= 9 else "neutral" if nps >= 7 else "bad"
    return None


@router.register("survey.answered", needs=("requester",))
def record_answer(context: TicketContext):
    """The answer goes back as a private note and a tag (ft_csat_good / neutral / bad), NPS and
    CES into custom fields when configured; a bad score books a recovery call in the next call
    window, a great one (CSAT 5 or NPS 9–10) prompts the agent to ask for a referral."""
    answer = context.event.change
    csat, nps, ces = answer.get("csat"), answer.get("nps"), answer.get("ces")
    language = _language(context)
    scores = ", ".join(f"{name.upper()} {value}" for name, value in
                       (("csat", csat), ("nps", nps), ("ces", ces)) if value is not None)
    body = f"<p><strong>{text(language, 'survey_result')}:</strong> {html.escape(scores)}</p>"
    if answer.get("comment"):
        body += (f"<p><strong>{text(language, 'comment')}:</strong> "
                 f"{html.escape(answer['comment'])}</p>")
    mood = _mood(csat, nps)
    if mood == "bad":
        body += f"<p>{text(language, 'recovery')}</p>"
        zone = customer_zone(context)
        when = call_time(context.now, zone, call_window(active_playbook(context)))
        yield Schedule("followup_call", when, zone, {
            "reason": "recovery", "comment": (answer.get("comment") or "")[:500],
            "assignee": context.ticket.assignee_id})
    yield Note(body, key=f"survey_answer:{answer.get('token_id')}")
    if mood:
        yield Tags(add=frozenset({f"ft_csat_{mood}"}))
    if csat == 5 or (nps is not None and nps >= 9):
        yield from _referral(context, language)
    if nps is not None and context.settings.nps_field:
        yield Field(context.settings.nps_field, nps)
    if ces is not None and context.settings.ces_field:
        yield Field(context.settings.ces_field, ces)


def _referral(context: TicketContext, language: str):
    playbook = context.support_playbook("referral")
    guidance = playbook.guidance.get(language) if playbook else None
    steps = "".join(f"<li>☐ {html.escape(step)}</li>" for step in guidance.steps) \
        if guidance else ""
    title = html.escape(playbook.title.get(language, "")) if playbook else ""
    yield Note(f"<p><strong>{text(language, 'referral')}</strong></p><p>{title}</p>"
               f"<ul>{steps}</ul>", key="referral")
