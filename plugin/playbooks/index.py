"""Per-PlaybookSet matcher index: keyword table, TF-IDF n-gram postings and match conditions."""

from __future__ import annotations

import math
import threading
import weakref
from collections import Counter
from itertools import chain
from operator import itemgetter, mul
from typing import NamedTuple

from plugin.language import tokens
from plugin.playbooks.keywords import Keyword, KeywordTable, remember
from plugin.playbooks.loader import PlaybookSet
from plugin.playbooks.packed import SCALE, Layout
from plugin.playbooks.schema import LANGUAGES, MatchSpec, Playbook

# Example similarity: TF-IDF over character 3-5 grams within words (a ticket word counts once),
# one unit centroid per (playbook, language) of its unit example vectors, cut to its strongest
# CENTROID_GRAMS grams. A ticket word's dot with a centroid below WORD_FLOOR of its norm is dropped.
CENTROID_GRAMS = 400
WORD_FLOOR = 0.02
WORD_CACHE_LIMIT = 10_000  # words; a cached word vector takes up to 8 bytes per slot
_CONDITIONS = frozenset({"channels", "tags_any", "tags_none", "priorities", "groups", "forms"})

WordVector = tuple[float, int]  # (squared norm, packed dots)


class Conditions(NamedTuple):
    """A playbook's ticket conditions, lower-cased; an empty set means no restriction."""

    channels: frozenset[str]
    priorities: frozenset[str]
    groups: frozenset[str]
    forms: frozenset[str]
    tags_any: frozenset[str]
    tags_none: frozenset[str]


def grams(word: str) -> list[str]:
    """Character 3-, 4- and 5-grams of a word padded with one space on each side."""
    padded = f" {word} "
    return [padded[i : i + n] for n in (3, 4, 5) for i in range(len(padded) - n + 1)]


def stems(words: list[str]) -> frozenset[str]:
    """5-letter word stems, for the example shown as explanation."""
    return frozenset(word[:5] for word in words if not word.isdigit())


def _conditions(spec: MatchSpec) -> Conditions | None:
    if not _CONDITIONS & spec.model_fields_set:
        return None

    def lowered(values: list) -> frozenset[str]:
        return frozenset(str(v).lower() for v in values)

    return Conditions(
        *map(lowered, (spec.channels, spec.priorities, spec.groups, spec.forms)),
        lowered(spec.tags_any),
        lowered(spec.tags_none),
    )


class Index:
    """Everything the matcher needs from a PlaybookSet, computed once."""

    def __init__(self, playbooks: list[Playbook]) -> None:
        self.playbooks = playbooks
        self.conditions = [_conditions(p.match or MatchSpec()) for p in playbooks]
        self.keywords = KeywordTable()
        self.examples: list[list[tuple[str, str]]] = []
        for number, playbook in enumerate(playbooks):
            spec = playbook.match or MatchSpec()
            for negative, groups in ((False, spec.keywords), (True, spec.negative)):
                for lang, keywords in groups.items():
                    for text in keywords:
                        self.keywords.add(Keyword(number, text, lang, negative))
            self.examples.append([(lang, ex) for lang, exs in spec.examples.items() for ex in exs])
        self.priorities = [p.priority for p in playbooks]
        self._stems: dict[tuple[int, str | None], list[tuple[str, frozenset[str]]]] = {}
        # Centroid of playbook n in LANGUAGES[i] is slot n * len(LANGUAGES) + i.
        self.slots = len(playbooks) * len(LANGUAGES)
        self.layout = Layout(self.slots)
        self.postings: dict[str, int] = {}  # gram -> packed idf-weighted centroid values
        self.word_cache: dict[str, WordVector] = {}
        self._language_slots: dict[str | None, tuple[int, int]] = {}
        self._build_vectors()

    def _build_vectors(self) -> None:
        word_grams: dict[str, list[str]] = {}

        def grams_of(word: str) -> list[str]:
            if (found := word_grams.get(word)) is None:
                found = word_grams[word] = grams(word)
            return found

        def counts(text: str) -> Counter[str]:
            words = [w for w in tokens(text) if not w.isdigit()]
            return Counter(chain.from_iterable(map(grams_of, words)))

        vectors = [[(lang, counts(ex)) for lang, ex in exs] for exs in self.examples]
        df = Counter(chain.from_iterable(count for _, count in chain.from_iterable(vectors)))
        total = sum(map(len, vectors)) + 1
        self.idf = {g: math.log(total / (1 + n)) + 1 for g, n in df.items()}
        self.default_idf = math.log(total) + 1
        idf = self.idf.__getitem__
        postings: dict[str, tuple[list[int], list[float]]] = {}  # gram -> slots, idf * weight
        for number, pairs in enumerate(vectors):
            for slot, lang in enumerate(LANGUAGES, start=number * len(LANGUAGES)):
                centroid: dict[str, float] = {}
                get = centroid.get
                for count in (c for ex_lang, c in pairs if ex_lang == lang):
                    weights = list(map(mul, count.values(), map(idf, count)))
                    scale = 1.0 / (math.sqrt(sum(map(mul, weights, weights))) or 1.0)
                    for g, w in zip(count, map(scale.__mul__, weights), strict=True):
                        centroid[g] = get(g, 0.0) + w
                values = list(centroid.values())
                norm = math.sqrt(sum(map(mul, values, values))) or 1.0
                strongest = sorted(centroid.items(), key=itemgetter(1), reverse=True)
                for g, value in strongest[:CENTROID_GRAMS]:
                    entries = postings.setdefault(g, ([], []))
                    entries[0].append(slot)
                    entries[1].append(value / norm * self.idf[g])
        self.postings = {g: self.layout.pack(*entries) for g, entries in postings.items()}

    def word_vector(self, word: str) -> WordVector:
        """(squared norm, packed dots with the centroids, those below WORD_FLOOR * norm dropped)."""
        if (cached := self.word_cache.get(word)) is not None:
            return cached
        dots = 0
        postings, idf, default = self.postings, self.idf, self.default_idf
        norm2 = 0.0
        for g, count in Counter(grams(word)).items():
            weight = count * idf.get(g, default)
            norm2 += weight * weight
            if (posting := postings.get(g)) is not None:
                dots += posting if count == 1 else count * posting
        vector = (norm2, self.layout.keep_at_least(dots, WORD_FLOOR * math.sqrt(norm2)))
        return remember(self.word_cache, word, vector, WORD_CACHE_LIMIT)

    def language_slots(self, language: str | None) -> tuple[int, int]:
        """Packed 1s in the slots of the ticket's language (all when unknown), and in the rest."""
        if language not in LANGUAGES:
            language = None if language is None else "other"
        if (found := self._language_slots.get(language)) is None:
            same = [i for i, lang in enumerate(LANGUAGES) if language in (None, lang)]
            layout, step = self.layout, len(LANGUAGES)
            ones = layout.pack(
                [n * step + i for n in range(len(self.playbooks)) for i in same],
                [1 / SCALE] * (len(self.playbooks) * len(same)),
            )
            found = self._language_slots[language] = (ones, layout.ones - ones)
        return found

    def example_stems(self, number: int, language: str | None) -> list[tuple[str, frozenset[str]]]:
        """A playbook's examples in `language` (all when it has none) with their word stems."""
        key = (number, language)
        if (found := self._stems.get(key)) is None:
            pairs = self.examples[number]
            chosen = [ex for lang, ex in pairs if lang == language] or [ex for _, ex in pairs]
            found = self._stems[key] = [(ex, stems(tokens(ex))) for ex in chosen]
        return found


_INDEXES: weakref.WeakKeyDictionary[PlaybookSet, Index] = weakref.WeakKeyDictionary()
_INDEX_LOCK = threading.Lock()


def index_for(playbook_set: PlaybookSet) -> Index:
    """The index of a PlaybookSet, built on first use and kept while the set lives."""
    if (index := _INDEXES.get(playbook_set)) is not None:
        return index
    with _INDEX_LOCK:
        if (index := _INDEXES.get(playbook_set)) is None:
            chosen = [p for _, p in sorted(playbook_set.playbooks.items()) if p.match is not None]
            index = _INDEXES[playbook_set] = Index(chosen)
        return index
