"""Pydantic models for the playbook YAML contract (docs/playbook-schema.md)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from plugin.ownership.config import DeflectionConfig, TransfersConfig

Lang = Literal["tr", "az", "en"]
LANGUAGES: tuple[Lang, ...] = ("tr", "az", "en")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Loc = tuple[str | int, ...]

_KEYWORD_WORD = re.compile(r"^[^\W_]+(?:['’-][^\W_]+)*\*?$")
_PLACEHOLDER = re.compile(r"\{[^}]*\}")
_DURATION = r"^[1-9]\d*[hd]$"
_CLOCK = r"^([01]\d|2[0-3]):[0-5]\d$"


def _check_keyword(keyword: str) -> str:
    words = keyword.split()
    if not words or not all(_KEYWORD_WORD.match(w) for w in words):
        raise ValueError("a keyword is words of letters/digits with '*' only at a word end")
    return keyword


Keyword = Annotated[str, AfterValidator(_check_keyword)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SayInstead(_Model):
    avoid: str = Field(min_length=1)
    say: str = Field(min_length=1)


class ReplyCheck(_Model):
    """One thing a draft reply should do: a short label and how to see it was done."""

    step: str = Field(min_length=1)
    any: list[Keyword] | None = Field(default=None, min_length=1)
    promise: bool = False

    @model_validator(mode="after")
    def _one_test(self) -> ReplyCheck:
        if (self.any is not None) == self.promise:
            raise ValueError("a reply check takes either any: [keywords] or promise: true")
        return self


class Guidance(_Model):
    steps: list[str] = Field(min_length=1)
    say_instead: list[SayInstead] = []
    collect: list[str] = []
    first_reply: str = Field(min_length=1)
    reply_checks: list[ReplyCheck] = []


class MatchSpec(_Model):
    keywords: dict[Lang, list[Keyword]] = {}
    negative: dict[Lang, list[Keyword]] = {}
    examples: dict[Lang, list[str]] = {}
    channels: list[str] = []
    tags_any: list[str] = []
    tags_none: list[str] = []
    priorities: list[Literal["low", "normal", "high", "urgent"]] = []
    groups: list[str | int] = []
    forms: list[str | int] = []


class Survey(_Model):
    csat: bool = False
    nps: bool = False
    ces: bool = False


class Window(_Model):
    days: list[Weekday] = Field(min_length=1)
    start: str = Field(pattern=_CLOCK)
    end: str = Field(pattern=_CLOCK)


class Followup(_Model):
    call_after_solved: str | None = Field(default=None, pattern=_DURATION)
    survey: Survey | None = None
    call_window: Window | None = None
    survey_window: Window | None = None


class Playbook(_Model):
    id: str = Field(pattern=r"^[a-z_]+$")
    kind: Literal["ticket", "support"]
    priority: int = Field(ge=0, le=100)
    sources: list[str] = []
    title: dict[Lang, str]
    guidance: dict[Lang, Guidance]
    match: MatchSpec | None = None
    followup: Followup | None = None
    deflection: DeflectionConfig | None = None
    transfers: TransfersConfig | None = None

    @model_validator(mode="after")
    def _match_by_kind(self) -> Playbook:
        if self.kind == "ticket" and self.match is None:
            raise ValueError("kind: ticket requires a match section")
        if self.kind == "support" and self.match is not None:
            raise ValueError("kind: support takes no match section")
        return self


def quality_problems(playbook: Playbook) -> list[tuple[Loc, str]]:
    """Shipped-quality checks beyond the schema: every language present (each with as many
    reply checks), sizes within limits."""
    problems: list[tuple[Loc, str]] = []
    for lang in LANGUAGES:
        if not playbook.title.get(lang, "").strip():
            problems.append((("title",), f"missing title for {lang}"))
        guidance = playbook.guidance.get(lang)
        if guidance is None:
            problems.append((("guidance",), f"missing guidance for {lang}"))
            continue
        problems.extend(_guidance_problems(("guidance", lang), guidance))
    counts = {lang: len(g.reply_checks) for lang, g in playbook.guidance.items()}
    if len(set(counts.values())) > 1:
        listed = ", ".join(f"{lang} {count}" for lang, count in counts.items())
        problems.append((("guidance",), f"reply_checks differ in number by language: {listed}"))
    return problems


def _guidance_problems(loc: Loc, guidance: Guidance) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    if not 3 <= len(guidance.steps) <= 7:
        problems.append(((*loc, "steps"), f"{len(guidance.steps)} steps; 3-7 required"))
    for index, step in enumerate(guidance.steps):
        if len(step) > 110:
            problems.append(((*loc, "steps", index), f"step is {len(step)} chars; max 110"))
    if len(guidance.say_instead) > 4:
        problems.append(((*loc, "say_instead"), "at most 4 say_instead pairs"))
    if len(guidance.collect) > 5:
        problems.append(((*loc, "collect"), "at most 5 collect items"))
    if len(guidance.reply_checks) > 4:
        problems.append(((*loc, "reply_checks"), "at most 4 reply checks"))
    for index, check in enumerate(guidance.reply_checks):
        if len(check.step) > 40:
            problems.append(
                ((*loc, "reply_checks", index, "step"), f"step is {len(check.step)} chars; max 40")
            )
    if len(guidance.first_reply) > 400:
        problems.append(((*loc, "first_reply"), "first_reply is over 400 chars"))
    stray = [p for p in _PLACEHOLDER.findall(guidance.first_reply) if p != "{name}"]
    if stray:
        problems.append(((*loc, "first_reply"), f"placeholders other than {{name}}: {stray}"))
    return problems
