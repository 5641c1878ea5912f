"""Tests for the matcher's index: packed vectors, keyword lookups and n-gram dots vs plain loops."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest

from plugin.playbooks.index import WORD_FLOOR, Index, grams, index_for
from plugin.playbooks.keywords import _one_edit, _word_hits, remember
from plugin.playbooks.loader import PlaybookSet, load_playbooks
from plugin.playbooks.packed import SCALE, Layout

ROOT = Path(__file__).resolve().parent.parent
WORDS = [
    "iadesini",
    "istiyorum",
    "pakcage",
    "deliverd",
    "siparisim",
    "gelmedi",
    "kabak",
    "temsilciniz",
    "refund",
    "xyz",
]


@pytest.fixture(scope="module")
def index() -> Index:
    return index_for(load_playbooks(ROOT / "playbooks"))


def test_packed_sums_and_thresholds() -> None:
    layout = Layout(5)
    a = layout.pack([0, 3], [1.5, 0.25])
    b = layout.pack([3, 4], [2.0, 0.01])
    total = a + b
    assert [round(v / SCALE, 6) for v in layout.fields(total)] == [1.5, 0.0, 0.0, 2.25, 0.01]
    kept = layout.keep_at_least(total, 1.0)
    assert [round(v / SCALE, 6) for v in layout.fields(kept)] == [1.5, 0.0, 0.0, 2.25, 0.0]
    assert layout.slots_set(layout.at_least(total, layout.spread(2.0, layout.ones))) == [3]
    assert layout.slots_set(layout.at_least(total, layout.spread(9.0, layout.ones))) == []


def test_remember_drops_the_oldest_entry() -> None:
    cache: dict[str, int] = {}
    for number in range(5):
        remember(cache, str(number), number, limit=3)
    assert list(cache) == ["2", "3", "4"]


def test_token_hits_equal_a_scan_of_all_keywords(index: Index) -> None:
    table = index.keywords
    for token in WORDS:
        direct, typo = table.token_hits(token)
        expected = {s for s, spec in enumerate(table.specs) if _word_hits(spec, token)}
        assert direct == expected, token
        scanned = set()
        if not expected and len(token) >= 6:
            scanned = {
                s
                for s, (stem, _) in enumerate(table.specs)
                for length in range(5, len(token) + 1)
                if len(stem) >= 6 and _one_edit(token[:length], stem)
            }
        assert typo == scanned, token


def test_word_vector_equals_float_dot_products(index: Index) -> None:
    """Packed fixed-point dots match a plain float loop over the postings."""
    for word in WORDS:
        norm2, packed = index.word_vector(word)
        dots: Counter[int] = Counter()
        expected_norm2 = 0.0
        for g, count in Counter(grams(word)).items():
            weight = count * index.idf.get(g, index.default_idf)
            expected_norm2 += weight * weight
            for slot, value in enumerate(index.layout.fields(index.postings.get(g, 0))):
                dots[slot] += count * value / SCALE
        assert norm2 == pytest.approx(expected_norm2)
        floor = WORD_FLOOR * math.sqrt(norm2)
        kept = {slot: v for slot, v in dots.items() if v >= floor}
        got = {s: v / SCALE for s, v in enumerate(index.layout.fields(packed)) if v}
        assert got.keys() == kept.keys(), word
        assert all(got[s] == pytest.approx(kept[s], abs=1e-7) for s in kept)


def test_index_is_built_once_per_set() -> None:
    playbooks = load_playbooks(ROOT / "tests" / "fixtures" / "playbooks" / "valid")
    assert index_for(playbooks) is index_for(playbooks)
    copy = PlaybookSet(playbooks=dict(playbooks.playbooks))
    assert index_for(copy) is not index_for(playbooks)
