"""Pick the playbooks that fit a ticket: keywords, example similarity, conditions, priority."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import mul

from plugin.language import tokens
from plugin.playbooks.index import Conditions, Index, index_for, stems
from plugin.playbooks.loader import PlaybookSet
from plugin.playbooks.packed import CAPACITY, SCALE
from plugin.playbooks.schema import LANGUAGES

# Per ticket playbook that passes its conditions and has no negative-keyword hit:
# - keyword evidence (plugin/playbooks/keywords.py) sums to `total`; `kw = 1 - _KW_BASE ** total`.
# - `sim`: cosine between the ticket and the playbook's per-language centroid of its examples
#   (plugin/playbooks/index.py), times 0.9 for another language than the ticket's, `/ _SIM_FULL`.
# - `score = _W_KW * kw + _W_SIM * sim` (0..1); nothing below MIN_SCORE is returned.
# Rank = score + PRIORITY_WEIGHT * priority / 100, so near-ties follow the conventions order
# (escalation > refund > concrete problem > complaint > praise). A second playbook is returned
# only when it has keyword evidence and scores >= SECOND_MIN and >= SECOND_RATIO x the first.
MIN_SCORE = 0.4
SECOND_MIN = 0.45
SECOND_RATIO = 0.75
PRIORITY_WEIGHT = 0.3
_W_KW, _W_SIM, _SIM_FULL = 0.6, 0.4, 0.45
_KW_BASE = 0.4
_OTHER_LANG = 0.9  # similarity factor for examples in another language than the ticket's
# Without keyword evidence a score reaches MIN_SCORE only when sim is (about) _SIM_FULL or more;
# playbooks clearly below that are skipped before scoring (0.98 leaves room for rounding).
_SIM_ALONE = 0.98 * _SIM_FULL * MIN_SCORE / _W_SIM


@dataclass(frozen=True)
class TicketText:
    """The parts of a ticket the matcher looks at."""

    subject: str = ""
    text: str = ""
    channel: str | None = None
    tags: tuple[str, ...] = ()
    priority: str | None = None
    group: str | None = None
    form: str | None = None


@dataclass(frozen=True)
class Match:
    """A fitting playbook, its score in 0..1 and short reasons."""

    id: str
    score: float
    why: list[str] = field(default_factory=list)


def _passes(conditions: Conditions | None, ticket: TicketText) -> bool:
    if conditions is None:
        return True

    def allowed(values: frozenset[str], value: str | None) -> bool:
        return not values or (value is not None and value.lower() in values)

    tags = {tag.lower() for tag in ticket.tags}
    return (
        allowed(conditions.channels, ticket.channel)
        and allowed(conditions.priorities, ticket.priority)
        and allowed(conditions.groups, ticket.group)
        and allowed(conditions.forms, ticket.form)
        and (not conditions.tags_any or bool(tags & conditions.tags_any))
        and not tags & conditions.tags_none
    )


def _similarity(
    index: Index, words: list[str], language: str | None, keyword_hits: Iterable[int]
) -> dict[int, float]:
    """Best cosine per playbook that has keyword evidence or reaches _SIM_ALONE on its own."""
    norm2, bound, dots = 0.0, 0.0, 0
    for word in {w for w in words if not w.isdigit()}:
        word_norm2, word_dots = index.word_vector(word)
        bound += math.sqrt(word_norm2)  # a word's dot with a unit centroid is at most its norm
        if bound >= CAPACITY:  # hundreds of millions of characters; the rest is left out
            break
        norm2 += word_norm2
        dots += word_dots
    norm = math.sqrt(norm2) or 1.0
    same, other = index.language_slots(language)
    layout, step = index.layout, len(LANGUAGES)
    thresholds = layout.spread(_SIM_ALONE * norm, same) + layout.spread(
        _SIM_ALONE * norm / _OTHER_LANG, other
    )
    strong = {slot // step for slot in layout.slots_set(layout.at_least(dots, thresholds))}
    candidates = strong.union(keyword_hits)
    if not candidates:
        return {}
    fields = layout.fields(dots)
    factors = [1.0 if language in (None, lang) else _OTHER_LANG for lang in LANGUAGES]
    scale = 1.0 / (SCALE * norm)
    return {
        number: scale * max(map(mul, fields[number * step : (number + 1) * step], factors))
        for number in candidates
    }


def _nearest_example(
    index: Index, playbook: int, ticket_stems: frozenset[str], language: str | None
) -> str:
    """The closest example by overlap of 5-letter word stems, for the explanation only."""
    examples = index.example_stems(playbook, language)
    if not examples or not ticket_stems:
        return ""
    value, text = max(
        (len(ticket_stems & g) / math.sqrt(len(ticket_stems) * len(g) or 1), text)
        for text, g in examples
    )
    return f'example ~{value:.2f} "{text if len(text) <= 40 else text[:40].rstrip() + "…"}"'


def match(playbook_set: PlaybookSet, ticket: TicketText, language: str | None) -> list[Match]:
    """The best fitting ticket playbook, plus a second one when it clearly applies too."""
    index = index_for(playbook_set)
    words = tokens(f"{ticket.subject}\n{ticket.text}")
    totals, vetoed, why = index.keywords.evidence(words, language)
    similarity = _similarity(index, words, language, totals.keys())
    ranked: list[tuple[float, float, int]] = []
    for number in similarity.keys() - vetoed:
        keyword_part = 1.0 - _KW_BASE ** totals.get(number, 0.0)
        score = _W_KW * keyword_part + _W_SIM * min(1.0, similarity[number] / _SIM_FULL)
        if score >= MIN_SCORE and _passes(index.conditions[number], ticket):
            ranked.append((score + PRIORITY_WEIGHT * index.priorities[number] / 100, score, number))
    ranked.sort(reverse=True)
    chosen = ranked[:1] + [
        r
        for r in ranked[1:2]
        if r[2] in totals and r[1] >= max(SECOND_MIN, SECOND_RATIO * ranked[0][1])
    ]
    results = []
    ticket_stems = stems(words) if chosen else frozenset()
    for _, score, number in chosen:
        reasons = [f'keyword "{text}" matched "{surface}"' for text, surface in why[number][:3]]
        if example := _nearest_example(index, number, ticket_stems, language):
            reasons.append(example)
        results.append(Match(index.playbooks[number].id, round(score, 3), reasons))
    return results
