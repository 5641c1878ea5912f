"""Find agent replies that push responsibility away (CONVENTIONS.md §2) with the YAML lexicon."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from itertools import product

from plugin.language import detect_language, fold
from plugin.ownership.config import CATEGORIES, GAP_MARKERS, DeflectionConfig
from plugin.ownership.text import Token, blank_quotes, normalise_word, one_typo, split_tokens

MAX_PHRASE = 160
_CACHE_LIMIT = 8
_TOKEN_CACHE_LIMIT = 20_000
Spec = tuple[str, str, bool]  # folded start, folded ending, wildcard between them


@dataclass(frozen=True)
class Deflection:
    """One deflecting phrase: its category, the agent's words, the better wording and offsets."""

    category: str
    phrase: str
    better: str
    start: int
    end: int


@dataclass(frozen=True)
class _Phrase:
    kind: str  # a category, or ownership / alternative / neg_before / neg_after / open / close
    lang: str
    first: int
    rest: tuple[tuple[int, int], ...]  # (spec id, words allowed before it)


@dataclass(frozen=True)
class _Hit:
    phrase: _Phrase
    first: int
    last: int


class _Lexicon:
    """The configuration compiled once: word specs indexed by their first letters, phrases by
    first word, coaching lines by language and category."""

    def __init__(self, config: DeflectionConfig) -> None:
        self.config = config
        self.specs: list[Spec] = []
        self.spec_ids: dict[Spec, int] = {}
        self.by_key: dict[str, list[int]] = {}
        self.suffix_ids: list[int] = []
        self.by_first: dict[int, list[_Phrase]] = {}
        self.token_cache: dict[str, frozenset[int]] = {}
        self.better: dict[tuple[str, str], str] = {}
        self.history_endings: tuple[str, ...] = ()
        for lang, lexicon in config.languages.items():
            for category, entry in lexicon.categories.items():
                self.better[(lang, category)] = entry.better
                for pattern in entry.patterns:
                    self._add(pattern, category, lang)
            for kind, patterns in (
                ("ownership", lexicon.ownership_cues),
                ("alternative", lexicon.alternative_cues),
                ("neg_before", lexicon.negations_before),
                ("neg_after", lexicon.negations_after),
                ("open", lexicon.quote_openers),
                ("close", lexicon.quote_closers),
            ):
                for pattern in patterns:
                    self._add(pattern, kind, lang)
            self.history_endings += tuple(fold(e) for e in lexicon.history_line_endings)

    def _add(self, pattern: str, kind: str, lang: str) -> None:
        """Compile one pattern; a word `a|b` gives one phrase per alternative."""
        slots: list[list[list[tuple[int, bool]]]] = []  # per word: alternatives of (spec, gap)
        gap = False
        for word in pattern.replace("…", " … ").split():
            if word in GAP_MARKERS:
                gap = True
                continue
            slots.append([self._word_specs(alt, gap) for alt in word.split("|")])
            gap = False
        for choice in product(*slots):
            ids = [
                (spec, self.config.max_gap_words if gapped else 0)
                for alt in choice
                for spec, gapped in alt
            ]
            phrase = _Phrase(kind, lang, ids[0][0], tuple(ids[1:]))
            self.by_first.setdefault(phrase.first, []).append(phrase)

    def _word_specs(self, word: str, gap: bool) -> list[tuple[int, bool]]:
        """Spec ids of one pattern word (a contraction gives two), the first after any gap."""
        if "*" in word.rstrip("*"):  # `*ending` or `stem*ending`
            head, tail = (normalise_word(fold(p))[-1] if p else "" for p in word.split("*", 1))
            return [(self._spec((head, tail, True)), gap)]
        prefix = word.endswith("*")
        parts = normalise_word(fold(word.rstrip("*")))
        last = len(parts) - 1
        return [
            (self._spec((part, "", prefix and i == last)), gap and i == 0)
            for i, part in enumerate(parts)
        ]

    def _spec(self, spec: Spec) -> int:
        if spec not in self.spec_ids:
            self.spec_ids[spec] = len(self.specs)
            self.specs.append(spec)
            if spec[0]:
                self.by_key.setdefault(spec[0][:2], []).append(self.spec_ids[spec])
            else:
                self.suffix_ids.append(self.spec_ids[spec])
        return self.spec_ids[spec]

    def word_hits(self, word: str) -> frozenset[int]:
        """Spec ids a normalised word matches: exactly, by wildcard, or with one typo.
        A typo never touches the last letter of a prefix stem, where Turkic suffixes begin
        ("görüşün*" must not catch "görüşüyoruz"), and never a word matched by its ending."""
        if (cached := self.token_cache.get(word)) is not None:
            return cached
        typo_min = self.config.typo_min_length
        found = set()
        for spec_id in (
            self.suffix_ids + self.by_key.get(word[:2], []) + self.by_key.get(word[:1], [])
        ):
            head, tail, wild = self.specs[spec_id]
            if word == head + tail or (
                wild
                and len(word) > len(head) + len(tail)
                and word.startswith(head)
                and word.endswith(tail)
            ):
                found.add(spec_id)
            elif typo_min and not tail and len(head) >= typo_min:
                start = word[: len(head)] if wild else word
                if one_typo(start, head) and not (wild and start[-1] != head[-1]):
                    found.add(spec_id)
        if len(self.token_cache) >= _TOKEN_CACHE_LIMIT:
            self.token_cache.clear()
        self.token_cache[word] = frozenset(found)
        return self.token_cache[word]

    def hits(self, toks: list[Token]) -> list[_Hit]:
        """Every phrase occurrence, each kept inside one sentence."""
        matched = [self.word_hits(t.word) for t in toks]
        found = []
        for start, specs in enumerate(matched):
            for spec_id in specs:
                for phrase in self.by_first.get(spec_id, []):
                    last = _match_rest(phrase.rest, 0, start, toks, matched)
                    if last is not None:
                        found.append(_Hit(phrase, start, last))
        return found


def _match_rest(
    rest: tuple[tuple[int, int], ...], index: int, pos: int, toks: list[Token], matched: list
) -> int | None:
    if index == len(rest):
        return pos
    spec_id, gap = rest[index]
    for nxt in range(pos + 1, min(pos + 2 + gap, len(toks))):
        if toks[nxt].sentence != toks[pos].sentence:
            return None
        if nxt > pos + 1 and toks[nxt].clause != toks[pos].clause:
            return None  # a gap stays inside one clause
        if spec_id in matched[nxt]:
            end = _match_rest(rest, index + 1, nxt, toks, matched)
            if end is not None:
                return end
    return None


_compiled: dict[int, _Lexicon] = {}
_compile_lock = threading.Lock()


def _lexicon(config: DeflectionConfig) -> _Lexicon:
    found = _compiled.get(id(config))
    if found is not None and found.config is config:
        return found
    with _compile_lock:
        if len(_compiled) >= _CACHE_LIMIT:
            _compiled.clear()
        _compiled[id(config)] = compiled = _Lexicon(config)
    return compiled


def _kept(hit: _Hit, found: list[_Hit], toks: list[Token], config: DeflectionConfig) -> bool:
    """False when the hit is quoted, negated, or followed by an ownership/alternative cue."""
    head, tail = toks[hit.first], toks[hit.last]
    window = config.negation_window if hit.phrase.kind in config.negatable else -1
    cue_kinds = config.suppressed_by.get(hit.phrase.kind, [])
    for other in found:
        first, last, kind = toks[other.first], toks[other.last], other.phrase.kind
        same_sentence = first.sentence == head.sentence
        if (
            (kind == "open" and same_sentence and other.last < hit.first)
            or (kind == "close" and same_sentence and other.first > hit.last)
            or (kind in cue_kinds and 0 <= first.sentence - head.sentence <= config.cue_sentences)
            or (
                kind == "neg_before"
                and last.clause == head.clause
                and 0 <= hit.first - other.last - 1 <= window
            )
            or (
                kind == "neg_after"
                and first.clause == tail.clause
                and 0 <= other.first - hit.last - 1 <= window
            )
        ):
            return False
    return True


def _longest(hits: list[_Hit]) -> list[_Hit]:
    chosen: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (h.first - h.last, h.first)):
        if all(hit.last < c.first or hit.first > c.last for c in chosen):
            chosen.append(hit)
    return sorted(chosen, key=lambda h: h.first)


def find_deflections(
    text: str, lexicon: DeflectionConfig, language: str | None = None
) -> list[Deflection]:
    """Deflecting phrases in an agent's public reply; [] for a reply that owns the problem."""
    if not lexicon.enabled or not text.strip():
        return []
    compiled = _lexicon(lexicon)
    visible = blank_quotes(text, lexicon.quotes, compiled.history_endings)
    toks = split_tokens(visible)
    found = compiled.hits(toks)
    categories = [h for h in found if h.phrase.kind in CATEGORIES]
    kept = _longest([h for h in categories if _kept(h, found, toks, lexicon)])
    if not kept:
        return []
    reply_lang = language if language in lexicon.languages else detect_language(visible)
    result = []
    for hit in kept:
        start, end = toks[hit.first].start, toks[hit.last].end
        end = min(end, start + MAX_PHRASE)
        category = hit.phrase.kind
        better = compiled.better.get((reply_lang or "", category)) or compiled.better.get(
            (hit.phrase.lang, category), ""
        )
        result.append(Deflection(category, text[start:end], better, start, end))
    return result
