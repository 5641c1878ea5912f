"""Check an agent's draft reply: deflections, phrases to avoid, promises and missed steps."""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from plugin.followups.zones import resolve_zone
from plugin.language import detect_language, fold, tokens
from plugin.ownership.config import DeflectionConfig
from plugin.ownership.deflection import find_deflections
from plugin.ownership.text import Token, blank_quotes, split_tokens
from plugin.playbooks.keywords import TYPO, Keyword, KeywordTable
from plugin.playbooks.loader import PlaybookSet
from plugin.playbooks.schema import LANGUAGES, SayInstead
from plugin.promises.extract import find_promises

MAX_CHARS = 8_000  # a longer draft is checked on its first MAX_CHARS characters
DETECT_CHARS = 2_000  # language detection reads this much of the draft
# An avoid line is found when a passage of one sentence holds its content words in order, at
# least two of them (or its only one), covering AVOID_SHARE of their letters (a word counts at
# least AVOID_MIN_LETTERS; a typo hit counts TYPO of them), within the line's own word count plus
# AVOID_SLACK words, and, when the line has personal pronouns, no pronoun of another person
# ("nothing you need to do" is not "nothing I can do"). Content words match by stem (AVOID_STEM
# of a word of 6+ letters, whole shorter words) with the playbook matcher's suffix and typo rules.
AVOID_SHARE = 0.75
AVOID_SLACK = 3
AVOID_STEM = 0.65
AVOID_MIN_LETTERS = 4
# Folded function words that carry none of an avoid line's meaning (English, Turkish, Azerbaijani).
_STOP = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "been", "by", "for", "in", "is", "it", "its",
    "of", "on", "or", "so", "that", "the", "this", "to", "was", "were", "with", "just", "please",
    "ve", "ile", "veya", "bir", "bu", "su", "de", "da", "ki", "mi", "mu", "ama", "amma", "icin",
    "ucun", "gibi", "kimi", "cok", "cox", "daha", "en", "bunu", "buna", "bunda", "burada",
    "lutfen",
})
# Folded personal pronouns by person: 1 = I/we, 2 = you.
_PERSON = {
    **dict.fromkeys(
        ["i", "me", "my", "we", "us", "our", "ben", "beni", "bana", "benim", "biz", "bize", "bizi",
         "bizim", "men", "meni", "mene", "menim"],
        1,
    ),
    **dict.fromkeys(
        ["you", "your", "sen", "seni", "sana", "senin", "siz", "size", "sizi", "sizin", "sene"], 2
    ),
}
_WEEKDAYS = {
    "tr": ("Pzt", "Sal", "Çar", "Per", "Cum", "Cmt", "Paz"),
    "az": ("B.e.", "Ç.a.", "Ç.", "C.a.", "C.", "Ş.", "B."),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}


@dataclass(frozen=True)
class _Avoid:
    """One say_instead pair with its content words compiled to keyword-table spec ids."""

    playbook: str
    pair: SayInstead
    specs: tuple[int, ...]
    weights: tuple[int, ...]  # letters per content word, at least AVOID_MIN_LETTERS
    window: int  # most words a matching passage may span
    persons: frozenset[int]  # persons of the line's pronouns


class _Compiled:
    """What one PlaybookSet needs for reply checks, built once per set."""

    def __init__(self, playbook_set: PlaybookSet) -> None:
        ownership = playbook_set.playbooks.get("ownership")
        self.deflection: DeflectionConfig | None = ownership.deflection if ownership else None
        self.endings = tuple(
            fold(ending)
            for lexicon in (self.deflection.languages.values() if self.deflection else ())
            for ending in lexicon.history_line_endings
        )
        self.checks = KeywordTable()  # reply_checks keywords; owner = a number in check_ids
        self.words = KeywordTable()  # content-word stems of avoid lines
        self.check_ids: dict[tuple[str, str], list[int | None]] = {}  # None = promise check
        self.avoid: dict[tuple[str, str], list[_Avoid]] = {}
        number = 0
        for playbook_id, playbook in playbook_set.playbooks.items():
            for lang, guidance in playbook.guidance.items():
                ids: list[int | None] = []
                for check in guidance.reply_checks:
                    if check.any is None:
                        ids.append(None)
                        continue
                    for keyword in check.any:
                        self.checks.add(Keyword(number, keyword, lang, False))
                    ids.append(number)
                    number += 1
                self.check_ids[(playbook_id, lang)] = ids
                lines = (self._avoid(playbook_id, lang, pair) for pair in guidance.say_instead)
                self.avoid[(playbook_id, lang)] = [line for line in lines if line is not None]

    def _avoid(self, playbook_id: str, lang: str, pair: SayInstead) -> _Avoid | None:
        words = [token.word for token in split_tokens(pair.avoid)]
        content = [word for word in words if len(word) > 1 and word not in _STOP]
        if not content:
            return None
        specs = []
        for word in content:
            stem = word if len(word) <= 3 else word[: max(4, round(AVOID_STEM * len(word)))] + "*"
            self.words.add(Keyword(0, stem, lang, False))
            specs.append(self.words.word_ids[stem])
        weights = tuple(max(AVOID_MIN_LETTERS, len(word)) for word in content)
        persons = frozenset(_PERSON[word] for word in words if word in _PERSON)
        return _Avoid(
            playbook_id, pair, tuple(specs), weights, len(words) + AVOID_SLACK, persons
        )


_COMPILED: weakref.WeakKeyDictionary[PlaybookSet, _Compiled] = weakref.WeakKeyDictionary()
_COMPILE_LOCK = threading.Lock()


def _compiled(playbook_set: PlaybookSet) -> _Compiled:
    if (found := _COMPILED.get(playbook_set)) is not None:
        return found
    with _COMPILE_LOCK:
        if (found := _COMPILED.get(playbook_set)) is None:
            found = _COMPILED[playbook_set] = _Compiled(playbook_set)
        return found


def check_reply(
    text: str,
    *,
    playbook_set: PlaybookSet,
    active: list[str],
    language: str | None,
    now: datetime,
    agent_tz: str,
    customer_tz: str,
) -> dict:
    """Check a draft public reply against the ownership lexicon and the active playbooks.

    `active` lists the ticket's matched playbook ids (unknown ids are ignored); `language` is
    the draft's language, or None to detect it (anything but tr/az/en gives "en"). `now` is the
    moment the reply would be sent (a naive time counts as UTC); the zones are IANA or helpdesk
    names (an unknown agent zone counts as UTC, an unknown customer zone as the agent's).
    Only the first MAX_CHARS characters are checked. Texts are returned as written (not escaped).

    Returns {"language": "tr"|"az"|"en",
             "deflections": [{"category", "phrase", "better", "start", "end"}],
             "avoid": [{"playbook", "phrase", "avoid", "say", "start", "end"}],
             "promises": [{"phrase", "rule", "deadline": "2026-11-24T12:00:00Z",
                           "customer": {"zone", "local": "2026-11-24 16:00", "weekday": "Sal"},
                           "agent": {"zone", "local", "weekday"}}],
             "missing": [{"playbook", "title", "step"}],
             "truncated": bool}
    with offsets into `text`, deflections and avoid phrases in text order, promises by deadline,
    and missing steps in the order of `active` and of each playbook's reply_checks.
    """
    cut = _cut(text)
    lang = language if language in LANGUAGES else detect_language(cut[:DETECT_CHARS])
    lang = lang if lang in LANGUAGES else "en"
    result: dict = {
        "language": lang,
        "deflections": [],
        "avoid": [],
        "promises": [],
        "missing": [],
        "truncated": len(cut) < len(text),
    }
    if not cut.strip():
        return result
    compiled = _compiled(playbook_set)
    keys = [
        (playbook_id, lang)
        for playbook_id in dict.fromkeys(active)
        if playbook_id in playbook_set.playbooks
        and lang in playbook_set.playbooks[playbook_id].guidance
    ]
    deflection = compiled.deflection
    visible = blank_quotes(cut, deflection.quotes, compiled.endings) if deflection else cut
    if deflection is not None:
        result["deflections"] = [
            {"category": d.category, "phrase": d.phrase, "better": d.better,
             "start": d.start, "end": d.end}
            for d in find_deflections(cut, deflection, lang)
        ]
    result["avoid"] = _avoid_hits(compiled, keys, cut, split_tokens(visible))
    moment = now if now.tzinfo else now.replace(tzinfo=UTC)
    agent_zone = resolve_zone(agent_tz, "UTC")
    customer_zone = resolve_zone(customer_tz, agent_zone)
    promises = find_promises(cut, moment, agent_zone, lang)
    result["promises"] = [
        {
            "phrase": p.phrase,
            "rule": p.rule,
            "deadline": p.deadline.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "customer": _local(p.deadline, customer_zone, lang),
            "agent": _local(p.deadline, agent_zone, lang),
        }
        for p in promises
    ]
    totals = compiled.checks.evidence(tokens(visible), lang)[0] if keys else {}
    for playbook_id, _ in keys:
        playbook = playbook_set.playbooks[playbook_id]
        checks = playbook.guidance[lang].reply_checks
        for check, number in zip(checks, compiled.check_ids[(playbook_id, lang)], strict=True):
            done = bool(promises) if number is None else totals.get(number, 0.0) > 0
            if not done:
                title = playbook.title.get(lang) or playbook_id
                result["missing"].append({"playbook": playbook_id, "title": title,
                                          "step": check.step})
    return result


def _cut(text: str) -> str:
    """The text, or its first MAX_CHARS characters ending at a space when one is near."""
    if len(text) <= MAX_CHARS:
        return text
    head = text[:MAX_CHARS]
    space = head.rfind(" ", MAX_CHARS - 200)
    return head[:space] if space > 0 else head


def _local(moment: datetime, zone: str, lang: str) -> dict:
    local = moment.astimezone(ZoneInfo(zone))
    return {"zone": zone, "local": local.strftime("%Y-%m-%d %H:%M"),
            "weekday": _WEEKDAYS[lang][local.weekday()]}


def _avoid_hits(
    compiled: _Compiled, keys: list[tuple[str, str]], text: str, toks: list[Token]
) -> list[dict]:
    """Avoid lines of the active playbooks found in the draft, non-overlapping, in text order."""
    lines = [line for key in keys for line in compiled.avoid.get(key, ())]
    if not lines or not toks:
        return []
    hits = [compiled.words.token_hits(token.word) for token in toks]
    found = [
        (share, first, last, order, line)
        for order, line in enumerate(lines)
        for first, last, share in _passages(line, toks, hits)
    ]
    chosen: list[tuple[float, int, int, int, _Avoid]] = []
    for hit in sorted(found, key=lambda f: (-f[0], f[1], f[3])):
        if all(hit[2] < c[1] or hit[1] > c[2] for c in chosen):
            chosen.append(hit)
    return [
        {"playbook": line.playbook, "phrase": text[toks[first].start : toks[last].end],
         "avoid": line.pair.avoid, "say": line.pair.say,
         "start": toks[first].start, "end": toks[last].end}
        for _, first, last, _, line in sorted(chosen, key=lambda c: (c[1], c[3]))
    ]


def _passages(
    line: _Avoid, toks: list[Token], hits: list[tuple[frozenset[int], frozenset[int]]]
) -> list[tuple[int, int, float]]:
    """(first token, last token, share of letters matched) of each passage that says the line."""
    specs, weights, total = line.specs, line.weights, sum(line.weights)
    wanted = frozenset(specs)
    needed = min(2, len(specs))
    found: list[tuple[int, int, float]] = []
    first = 0
    while first < len(toks):
        if not (hits[first][0] & wanted or hits[first][1] & wanted):
            first += 1
            continue
        next_word, letters, count, last = 0, 0.0, 0, first
        for position in range(first, min(first + line.window, len(toks))):
            if toks[position].sentence != toks[first].sentence:
                break
            direct, typo = hits[position]
            word = next(
                (k for k in range(next_word, len(specs)) if specs[k] in direct or specs[k] in typo),
                None,
            )
            if word is None:
                person = _PERSON.get(toks[position].word)
                if person is not None and line.persons and person not in line.persons:
                    break  # another person's pronoun: the passage says something else
                continue
            weight = weights[word] * (1.0 if specs[word] in direct else TYPO)
            letters, count, next_word, last = letters + weight, count + 1, word + 1, position
            if next_word == len(specs):
                break
        if count >= needed and letters >= AVOID_SHARE * total:
            found.append((first, last, letters / total))
            first = last + 1
        else:
            first += 1
    return found
