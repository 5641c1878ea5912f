"""Tests for the playbook matcher and note rendering on the small fixture set."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from plugin.playbooks.loader import PlaybookSet, load_playbooks
from plugin.playbooks.matcher import MIN_SCORE, TicketText, match
from plugin.playbooks.note import MAX_VISIBLE_CHARS, render_note, visible_length

VALID = Path(__file__).parent / "fixtures" / "playbooks" / "valid"


@pytest.fixture(scope="module")
def playbooks() -> PlaybookSet:
    return load_playbooks(VALID)


def _ids(playbooks: PlaybookSet, text: str, lang: str | None = None, **kw: object) -> list[str]:
    return [m.id for m in match(playbooks, TicketText(text=text, **kw), lang)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Ürünü iade etmek istiyorum", "tr", "refund_exchange"),
        ("urunu iadesini istiyorum", "tr", "refund_exchange"),  # no diacritics, suffix
        ("IADE ISTIYORUM", "tr", "refund_exchange"),  # Turkish upper-case I
        ("Paramı hemen geri verin", "tr", "refund_exchange"),  # phrase with one word between
        ("Siparişlerimden biri gelmedi, kargo nerede", "tr", "order_problem"),
        ("I want a refund for the jacket", "en", "refund_exchange"),
        ("The parcel was not deliverd", "en", "order_problem"),  # typo in a 6+ letter word
        ("Temsilciniz çok kaba davrandı", "tr", "complaint"),
        ("Sizin işçiniz çox kobud idi", "az", "complaint"),
    ],
)
def test_best_playbook(playbooks: PlaybookSet, text: str, lang: str, expected: str) -> None:
    found = match(playbooks, TicketText(text=text), lang)
    assert found, text
    assert found[0].id == expected
    assert MIN_SCORE <= found[0].score <= 1.0
    assert found[0].score == round(found[0].score, 3)


@pytest.mark.parametrize("text", ["", "Açılış saatleriniz nedir?", "test", "12345"])
def test_nothing_fits(playbooks: PlaybookSet, text: str) -> None:
    assert match(playbooks, TicketText(text=text), "tr") == []


def test_negative_keyword_vetoes(playbooks: PlaybookSet) -> None:
    assert "complaint" in _ids(playbooks, "The agent was rude", "en")
    assert "complaint" not in _ids(playbooks, "The agent was rude, test ticket", "en")


def test_why_names_keyword_and_surface(playbooks: PlaybookSet) -> None:
    (best, *_) = match(playbooks, TicketText(text="iadesini istiyorum"), "tr")
    assert 'keyword "iade*" matched "iadesini"' in best.why
    assert any(reason.startswith("example ~") for reason in best.why)


def test_typo_is_marked_and_weaker(playbooks: PlaybookSet) -> None:
    exact = match(playbooks, TicketText(text="my package was not delivered"), "en")[0]
    typo = match(playbooks, TicketText(text="my pakcage was not delivered"), "en")[0]
    assert any("(typo)" in reason for reason in typo.why)
    assert typo.score < exact.score


def test_short_words_need_exact_match(playbooks: PlaybookSet) -> None:
    # "kaba" (rude, 4 letters) takes no implicit suffix, so "kabak" (zucchini) does not hit it.
    assert "complaint" not in _ids(playbooks, "kabak tatlısı tarifi", "tr")


def test_detected_language_weights_keywords(playbooks: PlaybookSet) -> None:
    text = "I want a refund for this jacket, please"
    in_language = match(playbooks, TicketText(text=text), "en")[0].score
    other = match(playbooks, TicketText(text=text), "tr")[0].score
    assert in_language > other


def test_conditions_filter(playbooks: PlaybookSet) -> None:
    text = "urgent help needed"
    base = {"channel": "email", "tags": ("vip",), "priority": "high"}
    assert "vip_only" in _ids(playbooks, text, "en", **base)
    assert "vip_only" not in _ids(playbooks, text, "en", **{**base, "channel": "chat"})
    assert "vip_only" not in _ids(playbooks, text, "en", **{**base, "tags": ("other",)})
    assert "vip_only" not in _ids(playbooks, text, "en", **{**base, "tags": ("vip", "blocked")})
    assert "vip_only" not in _ids(playbooks, text, "en", **{**base, "priority": "low"})
    assert "vip_only" not in _ids(playbooks, text, "en")


def test_second_match_only_when_it_clearly_applies(playbooks: PlaybookSet) -> None:
    both = _ids(playbooks, "Your agent was rude and ignored me. I want a refund, money back", "en")
    assert set(both) == {"refund_exchange", "complaint"}
    assert both[0] == "refund_exchange"  # higher priority wins a near-tie
    assert _ids(playbooks, "I want a refund for this jacket", "en") == ["refund_exchange"]


def test_support_playbooks_are_never_matched(playbooks: PlaybookSet) -> None:
    assert "helper" not in _ids(playbooks, "Bir İki Üç helper yardımcı", "tr")


def test_render_note_structure_and_escaping(playbooks: PlaybookSet) -> None:
    playbook = playbooks.playbooks["refund_exchange"]
    found = match(playbooks, TicketText(text="<script>x</script> iade istiyorum"), "tr")[0]
    note = render_note(playbook, found, "en", "tr", marker="T-42")
    allowed = {"p", "strong", "ul", "ol", "li", "br", "em", "a"}
    assert set(re.findall(r"</?([a-z]+)", note)) <= allowed
    assert "class=" not in note and "style=" not in note
    assert "<script>" not in note
    assert "☐ Greet the customer" in note
    assert "✗ That is our policy → ✓ Here is what I can do for you" in note
    assert "Merhaba" in note  # first reply in the customer's language
    assert "{name}" not in note
    assert "Order number" in note
    assert note.endswith("<p><em>followthrough · ref T-42</em></p>")
    assert 'keyword "iade*"' in html.unescape(note)


def test_render_note_falls_back_and_truncates(playbooks: PlaybookSet) -> None:
    playbook = playbooks.playbooks["complaint"]
    long_guidance = playbook.guidance["en"].model_copy(update={"steps": ["x" * 300] * 7})
    big = playbook.model_copy(update={"guidance": {**playbook.guidance, "en": long_guidance}})
    found = match(playbooks, TicketText(text="rude agent"), "en")[0]
    note = render_note(big, found, "en", "ru", marker="m1")
    assert visible_length(note) < MAX_VISIBLE_CHARS
    assert "more)" in note
    assert "Hello, thanks for your message" in note  # ru reply falls back to the note language
    assert note.endswith("ref m1</em></p>")
