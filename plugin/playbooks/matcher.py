"""Pick the ticket playbooks that fit a ticket: keywords, example similarity, conditions, priority.

Per ticket playbook that passes its conditions and has no negative-keyword hit:
- keywords of all languages match folded tokens (`*` = prefix; plain words of 5+ letters also
  take suffixes; Turkish softening p/t/k -> b/d/g; phrases allow one word in between; words of
  6+ letters tolerate one typo). A distinct keyword adds 1.0 in the detected language, else
  _OTHER_LANG, times _TYPO for a typo hit; `kw = 1 - _KW_BASE ** total`.
- `sim`: cosine between the ticket and the playbook's per-language centroid of its examples
  (TF-IDF over character 3-5 grams within words; a ticket word counts once), `/ _SIM_FULL`.
- `score = _W_KW * kw + _W_SIM * sim` (0..1); nothing below MIN_SCORE is returned.
Rank = score + PRIORITY_WEIGHT * priority / 100, so near-ties follow the conventions order
(escalation > refund > concrete problem > complaint > praise). A second playbook is returned
only when it has keyword evidence and scores >= SECOND_MIN and >= SECOND_RATIO x the first.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple, TypeVar

from plugin.language import tokens
from plugin.playbooks.loader import PlaybookSet
from plugin.playbooks.schema import MatchSpec, Playbook

MIN_SCORE = 0.4
SECOND_MIN = 0.45
SECOND_RATIO = 0.75
PRIORITY_WEIGHT = 0.3
_W_KW, _W_SIM, _SIM_FULL = 0.6, 0.4, 0.45
_OTHER_LANG, _TYPO, _KW_BASE = 0.8, 0.6, 0.4
_SOFT = {"p": "b", "t": "d", "k": "g"}
_CACHE_LIMIT = 50_000
_WORD_FLOOR = 0.02  # a word's dot with a centroid below this share of its norm is dropped
_CENTROID_GRAMS = 400  # strongest n-grams kept per centroid; bounds memory and time
_CONDITIONS = frozenset({"channels", "tags_any", "tags_none", "priorities", "groups", "forms"})
_V = TypeVar("_V")


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


class _Keyword(NamedTuple):
    playbook: int
    text: str
    lang: str
    negative: bool


def _grams(word: str) -> list[str]:
    padded = f" {word} "
    return [padded[i : i + n] for n in (3, 4, 5) for i in range(len(padded) - n + 1)]


def _counts(text: str) -> Counter[str]:
    return Counter(g for word in tokens(text) if not word.isdigit() for g in _grams(word))


def _stems(words: list[str]) -> frozenset[str]:
    return frozenset(word[:5] for word in words if not word.isdigit())


def _deletes(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def _one_edit(a: str, b: str) -> bool:
    """Levenshtein distance 1, or one swap of neighbours."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    i = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    if len(a) != len(b):
        return a[i + 1 :] == b[i:] if len(a) > len(b) else a[i:] == b[i + 1 :]
    swapped = a[i + 2 :] == b[i + 2 :] and a[i : i + 2] == b[i : i + 2][::-1]
    return a[i + 1 :] == b[i + 1 :] or swapped


def _word_hits(spec: tuple[str, bool], token: str) -> bool:
    stem, prefix = spec
    softened = len(stem) >= 4 and token.startswith(stem[:-1] + _SOFT.get(stem[-1], stem[-1]))
    if prefix or token == stem:
        return token.startswith(stem) or (prefix and softened)
    return len(stem) >= 5 and len(token) - len(stem) <= 10 and (token.startswith(stem) or softened)


def _remember(cache: dict[str, _V], key: str, value: _V) -> _V:
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[key] = value
    return value


class _Index:
    """Keyword lookups and example vectors, built once per PlaybookSet."""

    def __init__(self, playbooks: list[Playbook]) -> None:
        self.playbooks = playbooks
        self.specs: list[tuple[str, bool]] = []  # (folded stem, is prefix wildcard)
        self.spec_ids: dict[tuple[str, bool], int] = {}
        self.by_key: dict[str, list[int]] = defaultdict(list)
        self.by_delete: dict[str, list[int]] = defaultdict(list)
        self.by_first: dict[int, dict[tuple[int, ...], list[_Keyword]]] = defaultdict(dict)
        self.stems: list[list[tuple[str, str, frozenset[str]]]] = []
        examples: list[list[tuple[str, str]]] = []  # n-grams are recounted to save memory
        for number, playbook in enumerate(playbooks):
            spec = playbook.match or MatchSpec()
            for negative, groups in ((False, spec.keywords), (True, spec.negative)):
                for lang, keywords in groups.items():
                    for text in keywords:
                        ids = tuple(self._spec(word) for word in text.split())
                        owners = self.by_first[ids[0]].setdefault(ids, [])
                        owners.append(_Keyword(number, text, lang, negative))
            pairs = [(lang, ex) for lang, exs in spec.examples.items() for ex in exs]
            examples.append(pairs)
            self.stems.append([(lang, ex, _stems(tokens(ex))) for lang, ex in pairs])
        df = Counter(g for pairs in examples for _, ex in pairs for g in _counts(ex))
        total = sum(map(len, examples)) + 1
        self.idf = {g: math.log(total / (1 + n)) + 1 for g, n in df.items()}
        self.default_idf = math.log(total) + 1
        self.docs: list[tuple[int, str]] = []  # one centroid per (playbook, language)
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for number, exs in enumerate(examples):
            for lang in sorted({lang for lang, _ in exs}):
                centroid: Counter[str] = Counter()
                for grams in (_counts(ex) for ex_lang, ex in exs if ex_lang == lang):
                    centroid.update(_unit({g: c * self.idf[g] for g, c in grams.items()}))
                self.docs.append((number, lang))
                for g, value in _unit(centroid).most_common(_CENTROID_GRAMS):
                    self.postings[g].append((len(self.docs) - 1, value))
        self.token_cache: dict[str, tuple[frozenset[int], frozenset[int]]] = {}
        self.word_cache: dict[str, tuple[float, dict[int, float]]] = {}

    def _spec(self, word: str) -> int:
        key = ("".join(tokens(word.rstrip("*"))), word.endswith("*"))
        if key in self.spec_ids:
            return self.spec_ids[key]
        number, stem = len(self.specs), key[0]
        self.specs.append(key)
        self.spec_ids[key] = number
        soft = stem[:-1] + _SOFT[stem[-1]] if stem[-1:] in _SOFT else stem
        for variant in {stem[:4], soft[:4]}:
            self.by_key[variant].append(number)
        for deleted in _deletes(stem) if len(stem) >= 6 else ():
            self.by_delete[deleted].append(number)
        return number

    def token_hits(self, token: str) -> tuple[frozenset[int], frozenset[int]]:
        """Keyword-word ids a token hits: (direct hits, typo hits when there is no direct hit)."""
        if (cached := self.token_cache.get(token)) is not None:
            return cached
        direct = frozenset(
            s
            for key in {token[:4], token[:3], token[:2], token[:1]}
            for s in self.by_key.get(key, ())
            if _word_hits(self.specs[s], token)
        )
        typo: set[int] = set()
        for length in range(5, len(token) + 1) if not direct and len(token) >= 6 else ():
            head = token[:length]
            for deleted in _deletes(head):
                candidates = self.by_delete.get(deleted, ())
                typo.update(s for s in candidates if _one_edit(head, self.specs[s][0]))
        return _remember(self.token_cache, token, (direct, frozenset(typo)))

    def word_vector(self, word: str) -> tuple[float, dict[int, float]]:
        """(squared norm, dot product with each centroid) of one word's weighted n-grams."""
        if (cached := self.word_cache.get(word)) is not None:
            return cached
        dots: dict[int, float] = defaultdict(float)
        norm2 = 0.0
        for g, count in Counter(_grams(word)).items():
            weight = count * self.idf.get(g, self.default_idf)
            norm2 += weight * weight
            for doc, value in self.postings.get(g, ()):
                dots[doc] += weight * value
        floor = _WORD_FLOOR * math.sqrt(norm2)
        kept = {doc: value for doc, value in dots.items() if value >= floor}
        return _remember(self.word_cache, word, (norm2, kept))


def _unit(vector: dict[str, float]) -> Counter[str]:
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return Counter({g: v / norm for g, v in vector.items()})


def _passes(spec: MatchSpec, ticket: TicketText) -> bool:
    if not _CONDITIONS & spec.model_fields_set:
        return True

    def allowed(values: list, value: str | None) -> bool:
        return not values or (
            value is not None and value.lower() in {str(v).lower() for v in values}
        )

    tags = {tag.lower() for tag in ticket.tags}
    return (
        allowed(spec.channels, ticket.channel)
        and allowed(spec.priorities, ticket.priority)
        and allowed(spec.groups, ticket.group)
        and allowed(spec.forms, ticket.form)
        and (not spec.tags_any or bool(tags & {t.lower() for t in spec.tags_any}))
        and not tags & {t.lower() for t in spec.tags_none}
    )


_INDEXES: weakref.WeakKeyDictionary[PlaybookSet, _Index] = weakref.WeakKeyDictionary()
_INDEX_LOCK = threading.Lock()


def _index_for(playbook_set: PlaybookSet) -> _Index:
    with _INDEX_LOCK:
        if (index := _INDEXES.get(playbook_set)) is None:
            chosen = [p for _, p in sorted(playbook_set.playbooks.items()) if p.match is not None]
            index = _INDEXES[playbook_set] = _Index(chosen)
        return index


def _phrase_end(words: tuple[int, ...], hits: list[frozenset[int]], start: int) -> int | None:
    """Position of a phrase's last word, allowing one intervening word between its words."""
    position = start
    for word in words[1:]:
        after = (position + 1, position + 2)
        position = next((j for j in after if j < len(hits) and word in hits[j]), -1)
        if position < 0:
            return None
    return position


def _keyword_evidence(
    index: _Index, words: list[str], language: str | None
) -> tuple[dict[int, float], set[int], dict[int, list[str]]]:
    hits = [index.token_hits(word) for word in words]
    merged = [direct | typo for direct, typo in hits]
    found: dict[tuple[int, str, bool], tuple[float, str]] = {}
    for start, specs in enumerate(merged):
        for sequence, owners in (
            item for spec in specs for item in index.by_first.get(spec, {}).items()
        ):
            if (end := _phrase_end(sequence, merged, start)) is None:
                continue
            typo = not hits[start][0] or not hits[end][0]
            surface = " ".join(words[start : end + 1]) + (" (typo)" if typo else "")
            for kw in owners:
                weight = (1.0 if kw.lang == language else _OTHER_LANG) * (_TYPO if typo else 1.0)
                key = (kw.playbook, kw.text, kw.negative)
                if weight > found.get(key, (0.0, ""))[0]:
                    found[key] = (weight, surface)
    totals: dict[int, float] = defaultdict(float)
    vetoed: set[int] = set()
    why: dict[int, list[str]] = defaultdict(list)
    for (playbook, text, negative), (weight, surface) in found.items():
        if negative:
            vetoed.add(playbook)
            continue
        totals[playbook] += weight
        why[playbook].append(f'keyword "{text}" matched "{surface}"')
    return totals, vetoed, why


def _similarity(index: _Index, words: list[str], language: str | None) -> dict[int, float]:
    norm2 = 0.0
    dots: dict[int, float] = defaultdict(float)
    for word in {w for w in words if not w.isdigit()}:
        word_norm2, word_dots = index.word_vector(word)
        norm2 += word_norm2
        for doc, value in word_dots.items():
            dots[doc] += value
    scale = 1.0 / (math.sqrt(norm2) or 1.0)
    best: dict[int, float] = {}
    for doc, value in dots.items():
        playbook, lang = index.docs[doc]
        cosine = value * scale * (1.0 if language in (None, lang) else 0.9)
        if cosine > best.get(playbook, 0.0):
            best[playbook] = cosine
    return best


def _nearest_example(index: _Index, playbook: int, words: list[str], language: str | None) -> str:
    """The closest example by overlap of 5-letter word stems, for the explanation only."""
    examples = [e for e in index.stems[playbook] if e[0] == language] or index.stems[playbook]
    stems = _stems(words)
    if not examples or not stems:
        return ""
    value, text = max(
        (len(stems & g) / math.sqrt(len(stems) * len(g) or 1), text) for _, text, g in examples
    )
    return f'example ~{value:.2f} "{text if len(text) <= 40 else text[:40].rstrip() + "…"}"'


def match(playbook_set: PlaybookSet, ticket: TicketText, language: str | None) -> list[Match]:
    """The best fitting ticket playbook, plus a second one when it clearly applies too."""
    index = _index_for(playbook_set)
    words = tokens(f"{ticket.subject}\n{ticket.text}")
    totals, vetoed, why = _keyword_evidence(index, words, language)
    similarity = _similarity(index, words, language)
    ranked: list[tuple[float, float, int]] = []
    for number in (totals.keys() | similarity.keys()) - vetoed:
        playbook = index.playbooks[number]
        if not _passes(playbook.match or MatchSpec(), ticket):
            continue
        keyword_part = 1.0 - _KW_BASE ** totals.get(number, 0.0)
        score = _W_KW * keyword_part + _W_SIM * min(1.0, similarity.get(number, 0.0) / _SIM_FULL)
        if score >= MIN_SCORE:
            ranked.append((score + PRIORITY_WEIGHT * playbook.priority / 100, score, number))
    ranked.sort(reverse=True)
    chosen = ranked[:1] + [
        r
        for r in ranked[1:2]
        if r[2] in totals and r[1] >= max(SECOND_MIN, SECOND_RATIO * ranked[0][1])
    ]
    results = []
    for _, score, number in chosen:
        example = _nearest_example(index, number, words, language)
        reasons = [*why.get(number, [])[:3], *([example] if example else [])]
        results.append(Match(index.playbooks[number].id, round(score, 3), reasons))
    return results
