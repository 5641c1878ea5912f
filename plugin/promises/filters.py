"""Reply clean-up and the tests that tell a commitment from past, policy, hours and questions."""

from __future__ import annotations

import re
from collections.abc import Iterator

from plugin.language import fold
from plugin.promises import lexicon

_HISTORY = re.compile(
    r"^\s*(?:on\b.*\bwrote:|.*\b(?:yazdi|yazib):|-{2,}\s*original message|from:\s)", re.I
)
_SENTENCE_END = re.compile(r"[.!?;]+(?=\s|$)|\n")
_CLAUSE_SPLIT = re.compile(
    r",|:\s|\s(?:ve|ama|fakat|ancak|lakin|amma|but|and|however|so|yet|bu\s+yuzden|bu\s+nedenle"
    r"|dolayisiyla|buna\s+gore|ona\s+gore|bu\s+sebeble|odur\s+ki)\s"
)
_NORMALISE = str.maketrans({"’": "'", "‘": "'", "`": "'", "–": "-", "—": "-", "\u00a0": " "})
_DOTTED = re.compile(r"\b([ap])\.m\.|\b(jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.")

_CONDITIONAL = re.compile(
    r"\b(?:if|unless|provided|assuming|in\s+case|when|as\s+soon\s+as(?!\s+possible)|eger|egerki"
    r"|sayet|halinde|durumunda|takdirde|teqdirde|halda)\b"
)
_TURKIC_CONDITIONAL = re.compile(
    r"\b\w{2,}(?:ir|ur|ar|er|maz|mez)s[ae](?:k|n[iu]z)?\b|\b\w*[aeiou][^\Waeiou]s[ae]\b"
    r"|\b\w+[dt][iu]g[iu]nda\b|\b\w+[dt][iu]g[iu]\s+zaman\b|\b\w+[dt][iu][qk]d[ae]\b"
)
_QUESTION = re.compile(
    r"\b(?:mi|mu|misiniz|musunuz|miyiz|muyuz|\w+sinizmi|\w+sunuzmu)\b"
    r"|^\s*(?:can|could|would|will|are|is|do|does)\s+(?:you|it|we)\b"
)
_POLICY = re.compile(
    r"\b(?:valid|offer|promotion|campaign|policy|warranty|discount|eligible|usually|normally"
    r"|typically|generally|standard|expires?|you\s+(?:can|may|have)|customers\s+can"
    r"|gecerli\w*|kampanya\w*|indirim\w*|firsat\w*|politika\w*|garanti\w*|hakkiniz\w*"
    r"|genellikle|genelde|normalde|standart|mumkundur|sure(?:si|miz)\w*|\w+[ae]bilirsiniz"
    r"|kecerli\w*|etibarli\w*|kampaniya\w*|endirim\w*|qayda\w*|zemanet\w*|huququnuz\w*"
    r"|adeten|normalda|bilersiniz|muddeti\w*|itibaren|etibaren|since)\b"
)
_REQUEST = re.compile(
    r"\b(?:please|kindly|lutfen|rica\s+eder\w*|zehmet\s+olmasa|xahis\s+edir\w*)\b"
)
_FUTURE_TURKIC = re.compile(
    r"(?:acak|ecek|acag|eceg|acaq|acay|ecey)|[iu]yor"
    r"|\w(?<!l)(?:ir|ur|ar|er)(?:iz|im|iq|ik|am|em)\b|\w(?:il|ul|in|un)(?:ir|ur)\b|\b(?:ulasir|olur)\b"
)
_FUTURE_EN = re.compile(r"\b(?:will|ll|shall|going|expect|should|plan|aim|arrange)\b")
_PARTICIPLE = r"[dt][iu][gy][iu](?:n[iu]z|m[iu]z|n)?\b"
_PAST_TURKIC = re.compile(
    r"\b\w+[dt][iu](?:k|q|m|n|niz|nuz|ler|lar)?\b|\b\w+m[iu]s(?:t[iu]r|t[iu]k|[iu]q|[iu]k)?\b"
    r"|\b\w{3,}[iu]b(?:dir|dur)?\b|\b\w+" + _PARTICIPLE
)
_NOT_PAST = frozenset(
    ["simdi", "kendi", "yedi", "yeddi", "haydi", "hadi", "indi", "saati", "vaxti", "kredi", "kutu"]
)
_PAST_EN = re.compile(
    r"\b(?:was|were|did|had|ago|yesterday|last|placed|ordered|received|shipped|sent|delivered"
    r"|arrived|closed|returned|submitted|requested|paid|booked|dispatched|made|came|told|said)\b"
    r"|\b(?:we|i|you|they|it|he|she)\s+\w+ed\b"
)
_PAST_BEFORE = re.compile(
    r"\b(?:from|dated|since|last|previous|past|not|gecen|kecen|(?:order|purchase|invoice)\s+of)\s*$"
)
_PAST_AFTER = re.compile(
    r"^\s*(?:tarihli|tarixli|\w*" + _PARTICIPLE + r"|itibaren|etibaren|degil|deyil)\b"
)


def strip_quoted(text: str) -> str:
    """Drop quoted lines ('>') and everything from an 'On … wrote:' / '… yazdı:' line on."""
    kept: list[str] = []
    for line in text.splitlines():
        if _HISTORY.match(fold(line)):
            break
        if not line.lstrip().startswith(">"):
            kept.append(line)
    return "\n".join(kept)


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """fold() char by char; the list maps each folded char back to its index in `text`."""
    parts: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text.translate(_NORMALISE)):
        folded = fold(ch)
        parts.append(folded)
        origin.extend([index] * len(folded))
    joined = _DOTTED.sub(lambda m: m.group(0).replace(".", " "), "".join(parts))
    return joined, origin


def sentences(folded: str) -> Iterator[tuple[int, int, bool]]:
    """(start, end, is_question) for each sentence of folded text."""
    start = 0
    for match in _SENTENCE_END.finditer(folded):
        if folded[start : match.start()].strip():
            yield start, match.start(), "?" in match.group(0)
        start = match.end()
    if folded[start:].strip():
        yield start, len(folded), False


def clauses(folded: str, start: int, end: int) -> list[tuple[int, int]]:
    """Clause spans of one sentence, split at commas and conjunctions."""
    spans, cursor = [], start
    for match in _CLAUSE_SPLIT.finditer(folded, start, end):
        spans.append((cursor, match.start()))
        cursor = match.end()
    spans.append((cursor, end))
    return spans


def sentence_states_no_promise(sentence: str, is_question: bool, turkic: bool) -> bool:
    """Questions, conditionals and opening-hours ranges carry no commitment."""
    if is_question or _QUESTION.search(sentence) or _CONDITIONAL.search(sentence):
        return True
    if turkic and _TURKIC_CONDITIONAL.search(sentence):
        return True
    return bool(lexicon.TIME_RANGE.search(sentence) or lexicon.WEEKDAY_RANGE.search(sentence))


def _future(clause: str, turkic: bool) -> bool:
    return bool(_FUTURE_EN.search(clause) or (turkic and _FUTURE_TURKIC.search(clause)))


def clause_states_no_promise(clause: str, turkic: bool) -> bool:
    """Policies, opening hours and requests to the customer."""
    if _POLICY.search(clause) or lexicon.HOURS_WORDS.search(clause):
        return True
    return bool(_REQUEST.search(clause)) and not _future(clause, turkic)


def clause_in_past(clause: str, turkic: bool) -> bool:
    """A clause in the past tense with no future verb ('we were closed on Friday')."""
    if _future(clause, turkic):
        return False
    if _PAST_EN.search(clause):
        return True
    return turkic and any(m.group(0) not in _NOT_PAST for m in _PAST_TURKIC.finditer(clause))


def mention_is_past(before: str, after: str) -> bool:
    """'from 3 November', 'last Friday', '3 Kasım tarihli', 'not tomorrow', 'yarın değil'."""
    return bool(_PAST_BEFORE.search(before) or _PAST_AFTER.search(after))
