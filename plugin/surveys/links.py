"""The survey e-mail: a thank-you and one-click score links, as e-mail-safe HTML."""

from __future__ import annotations

from markupsafe import Markup, escape

from plugin.surveys import QUESTIONS, SCALE_WORDS, SCALES, TEXTS, survey_language


def _link(base: str, ask: str, value: int, text: str) -> Markup:
    return Markup('<a href="{}">{}</a>').format(f"{base}?{ask}={value}", text)


def _csat(base: str, words: dict[int, str]) -> list[Markup]:
    low, high = SCALES["csat"]
    return [_link(base, "csat", value, f"{value} – {words[value]}")
            for value in range(low, high + 1)]


def _ends_named(base: str, ask: str, words: dict[int, str]) -> list[Markup]:
    """One line of bare number links, then a line saying what the two ends mean."""
    low, high = SCALES[ask]
    numbers = Markup(" · ").join(_link(base, ask, value, str(value))
                                 for value in range(low, high + 1))
    return [numbers, escape(f"{low} = {words[low]}, {high} = {words[high]}")]


def survey_links(public_url: str, token: str, asks: tuple[str, ...], language: str) -> str:
    """The public comment's HTML body: p, a, br and strong only, every text escaped."""
    language = survey_language(language)
    texts, words = TEXTS[language], SCALE_WORDS[language]
    base = f"{public_url.rstrip('/')}/s/{token}"
    parts = [Markup("<p>{}<br>{}</p>").format(texts["thanks"], texts["ask"])]
    for ask in SCALES:
        if ask not in asks:
            continue
        lines = (_csat(base, words["csat"]) if ask == "csat"
                 else _ends_named(base, ask, words[ask]))
        parts.append(Markup("<p><strong>{}</strong><br>{}</p>").format(
            QUESTIONS[language][ask], Markup("<br>").join(lines)))
    return str(Markup("\n").join(parts))
