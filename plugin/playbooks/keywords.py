"""Keyword lookup for the matcher: folded word specs found through prefix and one-typo dicts."""

from __future__ import annotations

from collections import defaultdict
from contextlib import suppress
from typing import NamedTuple, TypeVar

from plugin.language import tokens

# Keywords of all languages match folded tokens (`*` = prefix; plain words of 5+ letters also
# take suffixes; Turkish softening p/t/k -> b/d/g; phrases allow one word in between; words of
# 6+ letters tolerate one typo). A distinct keyword adds 1.0 in the detected language, else
# OTHER_LANG, times TYPO for a typo hit.
OTHER_LANG, TYPO = 0.8, 0.6
TOKEN_CACHE_LIMIT = 50_000
_SOFT = {"p": "b", "t": "d", "k": "g"}
_TYPO_MIN = 6  # keyword words of this length or more tolerate one typo
_V = TypeVar("_V")


class Keyword(NamedTuple):
    playbook: int
    text: str
    lang: str
    negative: bool


_Group = tuple[str, str, bool]  # (text, language, negative): shared by one or more playbooks
# Per playbook: summed keyword weight; vetoed playbooks; (keyword, matched text) reasons.
Evidence = tuple[dict[int, float], set[int], dict[int, list[tuple[str, str]]]]


def remember(cache: dict[str, _V], key: str, value: _V, limit: int) -> _V:
    """Store `value` in a size-bounded cache, dropping the oldest entry when full."""
    if len(cache) >= limit:
        with suppress(KeyError, RuntimeError, StopIteration):  # another thread got there first
            del cache[next(iter(cache))]
    cache[key] = value
    return value


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


class KeywordTable:
    """Keyword words by prefix and by one-deletion neighbourhood; phrases by their first word."""

    def __init__(self) -> None:
        self.specs: list[tuple[str, bool]] = []  # (folded stem, is prefix wildcard)
        self.spec_ids: dict[tuple[str, bool], int] = {}
        self.by_key: dict[str, list[int]] = defaultdict(list)
        self.by_delete: dict[str, list[int]] = defaultdict(list)
        self.by_first: dict[int, dict[tuple[int, ...], list[_Group]]] = defaultdict(dict)
        self.owners: dict[_Group, list[int]] = {}
        self.longest = 0  # longest typo-tolerant stem; longer token heads cannot be one edit away
        self.word_ids: dict[str, int] = {}  # keyword word as written -> spec id
        self.cache: dict[str, tuple[frozenset[int], frozenset[int]]] = {}

    def add(self, keyword: Keyword) -> None:
        """Register one keyword or phrase of a playbook."""
        group = keyword[1:]
        if group not in self.owners:
            ids = tuple(map(self._spec, keyword.text.split()))
            self.by_first[ids[0]].setdefault(ids, []).append(group)
        self.owners.setdefault(group, []).append(keyword.playbook)

    def _spec(self, word: str) -> int:
        if (known := self.word_ids.get(word)) is not None:
            return known
        key = ("".join(tokens(word.rstrip("*"))), word.endswith("*"))
        if (known := self.spec_ids.get(key)) is not None:
            self.word_ids[word] = known
            return known
        number, stem = len(self.specs), key[0]
        self.word_ids[word] = number
        self.specs.append(key)
        self.spec_ids[key] = number
        soft = stem[:-1] + _SOFT[stem[-1]] if stem[-1:] in _SOFT else stem
        for variant in {stem[:4], soft[:4]}:
            self.by_key[variant].append(number)
        if len(stem) >= _TYPO_MIN:
            self.longest = max(self.longest, len(stem))
            for deleted in _deletes(stem):
                self.by_delete[deleted].append(number)
        return number

    def token_hits(self, token: str) -> tuple[frozenset[int], frozenset[int]]:
        """Keyword-word ids a token hits: (direct hits, typo hits when there is no direct hit)."""
        if (cached := self.cache.get(token)) is not None:
            return cached
        specs, by_key = self.specs, self.by_key
        direct = frozenset(
            s
            for size in range(1, min(4, len(token)) + 1)
            for s in by_key.get(token[:size], ())
            if _word_hits(specs[s], token)
        )
        typo: set[int] = set()
        if not direct and len(token) >= _TYPO_MIN:
            by_delete = self.by_delete
            for length in range(_TYPO_MIN - 1, min(len(token), self.longest + 1) + 1):
                head = token[:length]
                for deleted in _deletes(head):
                    for s in by_delete.get(deleted, ()):
                        if _one_edit(head, specs[s][0]):
                            typo.add(s)
        return remember(self.cache, token, (direct, frozenset(typo)), TOKEN_CACHE_LIMIT)

    def evidence(self, words: list[str], language: str | None) -> Evidence:
        """Per playbook: summed keyword weight, negative-keyword vetoes and reasons.

        A keyword counts once per playbook, with its best weight; among equal weights the
        first occurrence names the matched text.
        """
        hits = [self.token_hits(word) for word in words]
        merged = [direct | typo if typo else direct for direct, typo in hits]
        found: dict[_Group, tuple[float, int, str]] = {}  # best (weight, order, surface)
        order = 0
        for start, specs in enumerate(merged):
            for spec in specs:
                for sequence, groups in self.by_first.get(spec, {}).items():
                    if (end := _phrase_end(sequence, merged, start)) is None:
                        continue
                    typo = not hits[start][0] or not hits[end][0]
                    surface = " ".join(words[start : end + 1]) + (" (typo)" if typo else "")
                    for group in groups:
                        weight = (1.0 if group[1] == language else OTHER_LANG) * (
                            TYPO if typo else 1.0
                        )
                        order += 1
                        if weight > found.get(group, (0.0,))[0]:
                            found[group] = (weight, order, surface)
        best: dict[tuple[int, str, bool], tuple[float, int, str]] = {}
        for group, value in found.items():
            for playbook in self.owners[group]:
                key = (playbook, group[0], group[2])
                known = best.get(key)
                if known is None or (value[0], -value[1]) > (known[0], -known[1]):
                    best[key] = value
        totals: dict[int, float] = defaultdict(float)
        vetoed: set[int] = set()
        why: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for (playbook, text, negative), (weight, _, surface) in best.items():
            if negative:
                vetoed.add(playbook)
                continue
            totals[playbook] += weight
            why[playbook].append((text, surface))
        return totals, vetoed, why


def _phrase_end(words: tuple[int, ...], hits: list[frozenset[int]], start: int) -> int | None:
    """Position of a phrase's last word, allowing one intervening word between its words."""
    position = start
    for word in words[1:]:
        after = (position + 1, position + 2)
        position = next((j for j in after if j < len(hits) and word in hits[j]), -1)
        if position < 0:
            return None
    return position
