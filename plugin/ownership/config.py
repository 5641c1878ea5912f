"""Pydantic models for the `deflection` and `transfers` sections of playbooks/ownership.yaml."""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

Lang = Literal["tr", "az", "en"]
Category = Literal[
    "not_my_department",
    "not_our_fault",
    "policy_wall",
    "go_elsewhere",
    "cannot_do",
    "manager_bare",
    "marketplace",
]
CATEGORIES: tuple[Category, ...] = get_args(Category)
CueKind = Literal["ownership", "alternative"]
GAP_MARKERS = ("…", "...")
_LETTERS = re.compile(r"^[^\W_]+(?:['’-][^\W_]+)*$")


def _word_ok(word: str) -> bool:
    """`stem`, `stem*`, `*ending` or `stem*ending`; `a|b` for alternatives."""
    return all(
        alt.count("*") <= 1
        and all(not p or _LETTERS.match(p) for p in alt.split("*"))
        and alt.replace("*", "")
        for alt in word.split("|")
    )


def _check_pattern(pattern: str) -> str:
    words = pattern.replace("…", " … ").split()
    gaps = [w in GAP_MARKERS for w in words]
    if not words or gaps[0] or gaps[-1]:
        raise ValueError("a pattern starts and ends with a word")
    if any(a and b for a, b in pairwise(gaps)):
        raise ValueError("two gaps in a row")
    if not all(gap or _word_ok(w) for w, gap in zip(words, gaps, strict=True)):
        raise ValueError(
            "a pattern is words with at most one '*' each ('stem*', '*ending', 'stem*ending'),"
            " '|' between alternatives, and '…' for a gap"
        )
    return pattern


def _group_key(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError("a group id is a number or a name")
    return str(value)


Pattern = Annotated[str, AfterValidator(_check_pattern)]
GroupId = Annotated[str, BeforeValidator(_group_key)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CategoryLexicon(_Model):
    patterns: list[Pattern] = Field(
        default=[],
        description="Phrases that deflect; `stem*`, `*ending`, `stem*ending` = wildcards, "
        "`a|b` = alternatives, `…` = gap of words.",
    )
    better: str = Field(default="", description="Coaching line: what to say instead.")


class LanguageLexicon(_Model):
    categories: dict[Category, CategoryLexicon] = Field(
        default={}, description="Deflection phrases and the better wording, by category."
    )
    ownership_cues: list[Pattern] = Field(
        default=[], description="Markers that the agent keeps ownership (a warm handoff)."
    )
    alternative_cues: list[Pattern] = Field(
        default=[], description="Markers that a refusal or policy comes with an alternative."
    )
    negations_before: list[Pattern] = Field(
        default=[], description="Negations that cancel a hit they precede ('not your fault')."
    )
    negations_after: list[Pattern] = Field(
        default=[], description="Negations that cancel a hit they follow ('suçunuz değil')."
    )
    quote_openers: list[Pattern] = Field(
        default=[], description="Reported speech: the rest of the sentence quotes someone."
    )
    quote_closers: list[Pattern] = Field(
        default=[], description="Reported speech: the sentence up to here quotes someone."
    )
    history_line_endings: list[str] = Field(
        default=[],
        description="A line ending so ('wrote:', 'yazdı:') with a date or address starts history.",
    )


class QuoteHandling(_Model):
    strip_quotation_marks: bool = Field(
        default=True, description='Ignore text inside "…", “…”, „…“ and «…» on one line.'
    )
    strip_quoted_lines: bool = Field(default=True, description="Ignore lines starting with '>'.")
    strip_reply_history: bool = Field(
        default=True, description="Ignore everything from an e-mail history marker on."
    )
    history_separators: list[str] = Field(
        default=["-----Original Message-----", "-----Orijinal Mesaj-----"],
        description="Lines that start e-mail history (compared folded, dashes trimmed).",
    )


class DeflectionConfig(_Model):
    enabled: bool = Field(default=True, description="Run the deflection detector on replies.")
    max_gap_words: int = Field(
        default=4, ge=1, le=10, description="Most words a `…` gap in a pattern may span."
    )
    typo_min_length: int = Field(
        default=6, ge=0, le=20, description="Pattern words this long tolerate one typo; 0 = off."
    )
    negation_window: int = Field(
        default=3, ge=0, le=10, description="Most words between a negation and the hit it cancels."
    )
    negatable: list[Category] = Field(
        default=["not_our_fault", "go_elsewhere", "manager_bare"],
        description="Categories a nearby negation cancels ('not your fault', 'no need to call').",
    )
    cue_sentences: int = Field(
        default=1, ge=0, le=3, description="A cue counts in the hit's sentence and this many after."
    )
    suppressed_by: dict[Category, list[CueKind]] = Field(
        default={
            "not_my_department": ["ownership", "alternative"],
            "not_our_fault": [],
            "policy_wall": ["ownership", "alternative"],
            "go_elsewhere": ["ownership", "alternative"],
            "cannot_do": ["ownership", "alternative"],
            "manager_bare": ["ownership"],
            "marketplace": ["ownership", "alternative"],
        },
        description="Per category, the cue kinds that turn a hit into a non-deflection.",
    )
    quotes: QuoteHandling = Field(
        default=QuoteHandling(), description="How quoted text is removed before matching."
    )
    languages: dict[Lang, LanguageLexicon] = Field(
        default={}, description="The lexicon per language; all languages are matched on a reply."
    )


class TransfersConfig(_Model):
    cold_transfer_minutes: int = Field(
        default=10, ge=1, le=1440, description="A transfer with no agent note within this is cold."
    )
    ping_pong_days: int = Field(
        default=14, ge=1, le=365, description="Window in days for counting group changes."
    )
    ping_pong_changes: int = Field(
        default=3, ge=2, le=50, description="Group changes within the window that are ping-pong."
    )
    late_transfer_replies: int = Field(
        default=3, ge=1, le=50, description="Agent replies before a transfer that make it late."
    )
    group_languages: dict[GroupId, list[Lang]] = Field(
        default={}, description="Group id → languages it serves; empty turns language_mismatch off."
    )
    repeat_contact_tickets: int = Field(
        default=3, ge=2, le=50, description="Tickets from one requester that are repeat contact."
    )
    repeat_contact_days: int = Field(
        default=30, ge=1, le=365, description="Window in days for counting repeat contacts."
    )
