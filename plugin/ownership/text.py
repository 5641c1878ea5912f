"""Reply text for the deflection detector: quotes blanked, folded words with offsets."""

from __future__ import annotations

import re
from typing import NamedTuple

from plugin.language import fold
from plugin.ownership.config import QuoteHandling

_QUOTED = re.compile(r'"[^"\n]*"|“[^”\n]*”|„[^“”\n]*[“”]|«[^»\n]*»')
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_SENTENCE_END = re.compile(r"[.!?…\n]")
_CLAUSE_END = re.compile(r"[,;:()–—]|\s-\s")
_SUFFIXES = {"n't": "not", "'ll": "will", "'m": "am", "'re": "are", "'ve": "have", "'d": "would"}
_NOT_BASES = {"ca": "can", "wo": "will", "sha": "shall"}
_BARE = {"cant": "can not", "cannot": "can not", "dont": "do not", "wont": "will not"}
_BARE |= {"isnt": "is not", "doesnt": "does not", "didnt": "did not", "im": "i am", "ive": "i have"}
_BARE |= {"arent": "are not", "wasnt": "was not", "werent": "were not", "hasnt": "has not"}
_BARE |= {
    "havent": "have not",
    "couldnt": "could not",
    "shouldnt": "should not",
    "youll": "you will",
}


class Token(NamedTuple):
    """A normalised word, its span in the reply, and its sentence and clause numbers."""

    word: str
    start: int
    end: int
    sentence: int
    clause: int


def blank_quotes(text: str, quotes: QuoteHandling, endings: tuple[str, ...]) -> str:
    """The text with quoted parts and e-mail history turned to spaces (offsets unchanged)."""
    separators = {fold(s).strip("-").strip() for s in quotes.history_separators}
    out, history = [], False
    for line in text.splitlines(keepends=True):
        key = fold(line).strip().strip("-").strip()
        dated = any(c.isdigit() or c == "@" for c in key)
        if quotes.strip_reply_history and (key in separators or (dated and key.endswith(endings))):
            history = True
        if history or (quotes.strip_quoted_lines and line.lstrip().startswith(">")):
            line = re.sub(r"[^\r\n]", " ", line)
        elif quotes.strip_quotation_marks:
            line = _QUOTED.sub(lambda m: " " * len(m.group()), line)
        out.append(line)
    return "".join(out)


def normalise_word(word: str) -> list[str]:
    """A folded word with apostrophes dropped and English contractions spelled out."""
    word = word.replace("’", "'")
    if word in _BARE:
        return _BARE[word].split()
    for suffix, full in _SUFFIXES.items():
        if word.endswith(suffix) and len(word) > len(suffix):
            base = word[: -len(suffix)]
            return [_NOT_BASES.get(base, base) if suffix == "n't" else base, full]
    return [word.replace("'", "")]


def split_tokens(text: str) -> list[Token]:
    """Folded, normalised words with their offsets in `text` and sentence and clause numbers."""
    folded = fold(text)
    offsets = list(range(len(text) + 1))
    if len(folded) != len(text):  # rare letters whose folding changes length: map char by char
        pieces = [fold(ch) for ch in text]
        folded = "".join(pieces)
        offsets = [i for i, piece in enumerate(pieces) for _ in piece] + [len(text)]
    toks: list[Token] = []
    sentence = clause = previous = 0
    for m in _WORD.finditer(folded):
        between = folded[previous : m.start()]
        decimal = between == "." and toks and toks[-1].word.isdigit() and m.group().isdigit()
        if toks and _SENTENCE_END.search(between) and not decimal:
            sentence, clause = sentence + 1, clause + 1
        elif toks and _CLAUSE_END.search(between):
            clause += 1
        previous = m.end()
        for word in normalise_word(m.group()):
            toks.append(Token(word, offsets[m.start()], offsets[m.end()], sentence, clause))
    return toks


def one_typo(a: str, b: str) -> bool:
    """Same length and one letter replaced or two neighbours swapped; an added or dropped letter
    is never a typo here, since Turkic negation adds one ("veriyor" / "vermiyor")."""
    diff = [k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y]
    if len(a) != len(b) or not diff:
        return False
    swap = len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
    return len(diff) == 1 or (swap and a[diff[1]] == b[diff[0]])
