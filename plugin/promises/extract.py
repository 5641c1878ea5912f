"""Deadlines an agent committed to in a public reply, per CONVENTIONS §3."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from plugin.language import detect_language
from plugin.promises import filters, resolve
from plugin.promises.mentions import Mention, find_mentions
from plugin.promises.resolve import Clock

MAX_PHRASE = 120
_PAIR_GAP = 25  # a time of day this close to a day mention belongs to it
_AZ_LETTERS = re.compile(r"\b\w*[qx]\w*\b")


@dataclass(frozen=True)
class Promise:
    """One commitment: the deadline (aware UTC), the agent's words, the table row used."""

    deadline: datetime
    phrase: str
    rule: str


def find_promises(
    text: str, replied_at: datetime, agent_tz: str, language: str | None = None
) -> list[Promise]:
    """All commitments in the reply, ordered by deadline."""
    return sorted(_scan(text, replied_at, agent_tz, language), key=lambda p: p.deadline)


def latest_promise(
    text: str, replied_at: datetime, agent_tz: str, language: str | None = None
) -> Promise | None:
    """The promise that counts: the last one stated in the reply, or None."""
    promises = _scan(text, replied_at, agent_tz, language)
    return promises[-1] if promises else None


def _scan(text: str, replied_at: datetime, agent_tz: str, language: str | None) -> list[Promise]:
    """Commitments in text order."""
    clock = Clock.at(replied_at, agent_tz)
    clean = filters.strip_quoted(text)
    folded, origin = filters.fold_with_map(clean)
    lang = language or detect_language(clean)
    turkic = lang in ("tr", "az")
    azerbaijani = lang == "az" or (
        language is None and turkic and ("ə" in clean.lower() or bool(_AZ_LETTERS.search(folded)))
    )
    mentions = find_mentions(folded, clock, azerbaijani)
    promises: list[Promise] = []
    for start, end, is_question in filters.sentences(folded):
        if filters.sentence_states_no_promise(folded[start:end], is_question, turkic):
            continue
        kept: list[tuple[Mention, bool]] = []
        for c_start, c_end in filters.clauses(folded, start, end):
            clause = folded[c_start:c_end]
            if filters.clause_states_no_promise(clause, turkic):
                continue
            in_past = filters.clause_in_past(clause, turkic)
            for mention in mentions:
                if c_start <= mention.start < c_end:
                    past = (in_past and mention.rule != "tomorrow") or filters.mention_is_past(
                        folded[c_start : mention.start], folded[mention.end : c_end]
                    )
                    kept.append((mention, past))
        seen: set[datetime] = set()
        for mention, deadline, rule in _pair(clock, kept):
            if deadline not in seen:
                seen.add(deadline)
                phrase = _phrase(clean, origin, start, end, mention)
                promises.append(Promise(deadline, phrase, rule))
    return promises


def _pair(clock: Clock, kept: list[tuple[Mention, bool]]) -> list[tuple[Mention, datetime, str]]:
    """Join each time of day to the nearest day mention, then resolve; past mentions drop out."""
    partner: dict[int, int] = {}
    for t_index, (tod, _) in enumerate(kept):
        if tod.at is None:
            continue
        candidates = [
            (max(day.start - tod.end, tod.start - day.end), d_index)
            for d_index, (day, _) in enumerate(kept)
            if day.day is not None and d_index not in partner.values()
        ]
        gap, d_index = min(candidates, default=(_PAIR_GAP + 1, -1))
        if gap <= _PAIR_GAP:
            partner[t_index] = d_index
    paired_tods = set(partner)
    tod_of = {d_index: kept[t_index][0] for t_index, d_index in partner.items()}
    resolved: list[tuple[Mention, datetime, str]] = []
    for index, (mention, past) in enumerate(kept):
        if past or index in paired_tods:
            continue
        result = _resolve(clock, mention, tod_of.get(index))
        if result is not None:
            resolved.append((mention, *result))
    return resolved


def _resolve(clock: Clock, mention: Mention, tod: Mention | None) -> tuple[datetime, str] | None:
    if mention.deadline is not None:
        return mention.deadline, mention.rule
    if mention.day is not None:
        deadline = mention.day(tod.at if tod and tod.at else resolve.END_OF_BUSINESS)
        if deadline is None:
            return None
        if mention.rule == "tomorrow" and tod is not None and tod.rule != "eod":
            morning = tod.rule in ("noon", "morning")
            return deadline, "tomorrow_morning" if morning else "tomorrow_time"
        return deadline, "time" if mention.rule == "today" and tod and tod.at else mention.rule
    if mention.rule == "eod":
        return resolve.on_day(clock, 0), "today"
    if mention.rule in ("time", "noon") and mention.at is not None:
        return resolve.explicit_time(clock, mention.at), "time"
    return None


def _phrase(clean: str, origin: list[int], start: int, end: int, mention: Mention) -> str:
    """The agent's sentence, or a window of it around the mention when it is long."""
    first, last = origin[start], origin[end - 1] + 1
    sentence = " ".join(clean[first:last].split())
    if len(sentence) <= MAX_PHRASE:
        return sentence
    window_start = max(first, origin[mention.start] - 40)
    return " ".join(clean[window_start:last].split())[:MAX_PHRASE].strip()
