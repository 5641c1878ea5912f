"""Find day, time-of-day and span mentions in folded reply text, longest patterns first."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time

from plugin.promises import lexicon, resolve
from plugin.promises.resolve import Clock

DayResolver = Callable[[time], "datetime | None"]


@dataclass(frozen=True)
class Mention:
    """A matched phrase; `day` resolves it at a time of day, `at` is a time of day, else span."""

    start: int
    end: int
    rule: str
    day: DayResolver | None = None
    at: time | None = None
    deadline: datetime | None = None


def _number(word: str) -> int:
    return int(word) if word.isdigit() else lexicon.NUMBER_WORDS[word]


def _first(match: re.Match[str], *groups: int) -> str:
    return next(match.group(g) for g in groups if match.group(g) is not None)


def _month_day(clock: Clock, month: int, day: int, year: str | None) -> DayResolver:
    return lambda at: resolve.explicit_date(clock, month, day, int(year) if year else None, at)


def _dates(clock: Clock, match: re.Match[str], pattern: re.Pattern[str]) -> DayResolver | None:
    if pattern is lexicon.DATE_ISO:
        y, m, d = match.groups()
        return _month_day(clock, int(m), int(d), y)
    if pattern in (lexicon.DATE_NUMERIC, lexicon.DATE_SHORT):
        d, m, *rest = match.groups()
        if not 1 <= int(m) <= 12:
            return None
        return _month_day(clock, int(m), int(d), rest[0] if rest else None)
    if pattern is lexicon.DATE_DAY_MONTH:
        d, name, y = match.groups()
        return _month_day(clock, lexicon.MONTHS[name], int(d), y)
    if pattern is lexicon.DATE_MONTH_DAY:
        name, d, y = match.groups()
        return _month_day(clock, lexicon.MONTHS[name], int(d), y)
    day = int(_first(match, 1, 2))
    return lambda at: resolve.day_of_month(clock, day, at)


_DATE_PATTERNS = (
    lexicon.DATE_ISO,
    lexicon.DATE_NUMERIC,
    lexicon.DATE_DAY_MONTH,
    lexicon.DATE_MONTH_DAY,
    lexicon.DATE_SHORT,
    lexicon.DAY_OF_MONTH,
)


def _span(match: re.Match[str], clock: Clock) -> Mention:
    rule, deadline = _span_deadline(match, clock)
    return Mention(match.start(), match.end(), rule, deadline=deadline)


def _span_deadline(match: re.Match[str], clock: Clock) -> tuple[str, datetime]:
    pattern = match.re
    if pattern is lexicon.BUSINESS_DAYS:
        return "business_days", resolve.business_days(clock, _number(_first(match, 1, 2, 3)))
    if pattern is lexicon.DAYS:
        return "days", resolve.on_day(clock, _number(_first(match, 1, 2, 3)))
    if pattern is lexicon.HALF_HOUR:
        return "hours", resolve.after_hours(clock, 0.5)
    if pattern is lexicon.WITHIN_THE_HOUR:
        return "hours", resolve.after_hours(clock, 1)
    count = _number(_first(match, 1, 3, 5))
    unit = _first(match, 2, 4, 6)
    minutes = unit.startswith(("min", "dakika", "deqiqe"))
    return "hours", resolve.after_hours(clock, count / 60 if minutes else count)


def _clock_time(match: re.Match[str]) -> time | None:
    groups = [*match.groups(), None]
    hour, minute = int(groups[0]), int(groups[1] or 0)
    if match.re is lexicon.TIME_AMPM:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match.group(3) == "pm" else 0)
    elif match.re is lexicon.TIME_SAAT and 1 <= hour <= 7:
        hour += 12  # "saat 5'e kadar" is said of the afternoon
    return time(hour, minute) if hour <= 23 and minute <= 59 else None


def find_mentions(folded: str, clock: Clock, azerbaijani: bool) -> list[Mention]:
    """Every mention, in text order; each character belongs to at most one mention."""
    work = list(folded)
    found: list[Mention] = []

    def take(pattern: re.Pattern[str], build: Callable[[re.Match[str]], Mention | None]) -> None:
        for match in pattern.finditer("".join(work)):
            mention = build(match)
            if mention is not None:
                found.append(mention)
                work[match.start() : match.end()] = " " * (match.end() - match.start())

    for pattern in _DATE_PATTERNS:
        take(pattern, lambda m, p=pattern: _day(m, "date", _dates(clock, m, p)))
    for pattern in (
        lexicon.BUSINESS_DAYS, lexicon.HALF_HOUR, lexicon.WITHIN_THE_HOUR,
        lexicon.HOURS, lexicon.DAYS,
    ):  # fmt: skip
        take(pattern, lambda m: _span(m, clock))
    take(lexicon.WEEKDAY, lambda m: _day(m, "weekday", _weekday(clock, m.group(1))))
    take(
        lexicon.END_OF_DAY, lambda m: Mention(m.start(), m.end(), "eod", at=resolve.END_OF_BUSINESS)
    )
    take(lexicon.NOON, lambda m: Mention(m.start(), m.end(), "noon", at=resolve.NOON))
    tomorrow = lambda at: resolve.on_day(clock, 1, at)  # noqa: E731
    take(lexicon.TOMORROW, lambda m: _day(m, "tomorrow", tomorrow))
    if azerbaijani:
        take(lexicon.AZ_TOMORROW, lambda m: _day(m, "tomorrow", tomorrow))
    morning = lexicon.MORNING_AZ if azerbaijani else lexicon.MORNING_TR
    take(morning, lambda m: Mention(m.start(), m.end(), "morning", at=resolve.NOON))
    take(lexicon.TODAY, lambda m: _day(m, "today", lambda at: resolve.on_day(clock, 0, at)))
    for pattern in (lexicon.TIME_AMPM, lexicon.TIME_24, lexicon.TIME_SAAT):
        take(pattern, _time)
    return sorted(found, key=lambda mention: mention.start)


def _day(match: re.Match[str], rule: str, day: DayResolver | None) -> Mention | None:
    return None if day is None else Mention(match.start(), match.end(), rule, day=day)


def _weekday(clock: Clock, name: str) -> DayResolver:
    return lambda at: resolve.next_weekday(clock, lexicon.WEEKDAYS[name], at)


def _time(match: re.Match[str]) -> Mention | None:
    at = _clock_time(match)
    return None if at is None else Mention(match.start(), match.end(), "time", at=at)
