"""Pure follow-up timing: call and survey windows on the customer's clock (PRACTICES §2, §4)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

from plugin.followups.zones import country_for_zone, resolve_zone

__all__ = [
    "CALL_WINDOW", "SURVEY_WINDOW", "Window", "call_time", "country_for_zone", "describe_local",
    "is_holiday", "next_opening", "resolve_zone", "survey_time",
]

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_MINUTE = timedelta(minutes=1)


def _clock(label: str, value: object) -> time:
    """VALUE as a time of day, from a "HH:MM" string."""
    match = _HHMM.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f'window {label} must be a quoted "HH:MM" string, got {value!r}')
    return time(int(match[1]), int(match[2]))


@dataclass(frozen=True)
class Window:
    """Local weekdays (Monday=0) and [start, end) hours; optionally closed on public holidays."""

    days: frozenset[int]
    start: time
    end: time
    skip_holidays: bool

    def __post_init__(self) -> None:
        if not self.days or not self.days <= frozenset(range(7)):
            raise ValueError(f"window days must be a non-empty subset of 0-6, got {self.days}")
        if self.start >= self.end:
            raise ValueError(f"window start {self.start:%H:%M} must be before end {self.end:%H:%M}")

    @classmethod
    def parse(
        cls, days: Iterable[str], start: str, end: str, skip_holidays: bool = True
    ) -> Window:
        """A window from playbook settings: days like ["mon", "fri"], start/end "HH:MM"."""
        if isinstance(days, str):
            raise ValueError(f"window days must be a list of day names, got {days!r}")
        numbers: set[int] = set()
        for day in days:
            name = day.strip().lower() if isinstance(day, str) else day
            if name not in DAY_NAMES:
                raise ValueError(f"unknown window day {day!r}; use {', '.join(DAY_NAMES)}")
            numbers.add(DAY_NAMES.index(name))
        return cls(frozenset(numbers), _clock("start", start), _clock("end", end), skip_holidays)


CALL_WINDOW = Window.parse(DAY_NAMES[:5], "09:00", "18:00", skip_holidays=True)
SURVEY_WINDOW = Window.parse(DAY_NAMES, "09:00", "20:00", skip_holidays=False)


@cache
def _holiday_dates(country: str, year: int) -> frozenset[date]:
    """COUNTRY's public holidays in YEAR; none when the holidays package lacks the country."""
    try:
        return frozenset(holidays.country_holidays(country, years=year))
    except NotImplementedError:
        return frozenset()


def is_holiday(day: date, country: str | None) -> bool:
    """Whether DAY is a public holiday in COUNTRY (ISO 3166 code); False for None or unknown."""
    return country is not None and day in _holiday_dates(country.upper(), day.year)


def _instant(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """DAY at local CLOCK as UTC; a wall time skipped by a DST jump becomes the jump's instant.

    A wall time repeated when clocks go back means its first occurrence.
    """
    local = datetime.combine(day, clock, tzinfo=tz)
    moment = local.astimezone(UTC)
    if moment.astimezone(tz).replace(tzinfo=None) == local.replace(tzinfo=None):
        return moment
    # Inside a gap zoneinfo applies the pre-jump offset, which lands after the jump: walk back.
    while (moment - _MINUTE).astimezone(tz).utcoffset() == moment.astimezone(tz).utcoffset():
        moment -= _MINUTE
    return moment


def next_opening(after: datetime, window: Window, zone: str) -> datetime:
    """The first instant at or after AFTER (aware) inside WINDOW on ZONE's clock, in UTC.

    Window days and hours are local; with skip_holidays, public holidays of the zone's country
    (country_for_zone) are closed.
    """
    if after.tzinfo is None:
        raise ValueError("next_opening needs a timezone-aware datetime")
    tz = ZoneInfo(zone)
    country = country_for_zone(zone) if window.skip_holidays else None
    moment = after.astimezone(UTC)
    day = moment.astimezone(tz).date()
    while True:
        open_day = day.weekday() in window.days and not is_holiday(day, country)
        if open_day and moment < _instant(day, window.end, tz):
            return max(moment, _instant(day, window.start, tz))
        day += timedelta(days=1)


def survey_time(
    solved_at: datetime,
    zone: str,
    window: Window = SURVEY_WINDOW,
    earliest_hours: float = 24,
    latest_hours: float = 48,
) -> datetime:
    """When to send the satisfaction survey for a ticket solved at SOLVED_AT (PRACTICES §2).

    The first WINDOW moment at or after SOLVED_AT + EARLIEST_HOURS (elapsed hours, not wall
    clock), so any window moment inside [earliest, latest] is preferred. When the window has no
    moment in that range (say a weekday-only window after a Friday solve) the window wins: the
    result is its next opening, later than LATEST_HOURS, because the customer's local hours
    matter more than the 48 h mark.
    """
    if not 0 <= earliest_hours <= latest_hours:
        raise ValueError(f"survey hours need 0 <= {earliest_hours} <= {latest_hours}")
    if solved_at.tzinfo is None:
        raise ValueError("survey_time needs a timezone-aware datetime")
    earliest = solved_at.astimezone(UTC) + timedelta(hours=earliest_hours)  # elapsed, not wall
    return next_opening(earliest, window, zone)


def call_time(after: datetime, zone: str, window: Window = CALL_WINDOW) -> datetime:
    """When to place a follow-up call due at AFTER: the next call-window moment, in UTC."""
    return next_opening(after, window, zone)


_WEEKDAYS = {
    "tr": ("Pazartesi", "Salı", "Çarşamba", "Perşembe", "Cuma", "Cumartesi", "Pazar"),
    "az": ("Bazar ertəsi", "Çərşənbə axşamı", "Çərşənbə", "Cümə axşamı", "Cümə", "Şənbə", "Bazar"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = {
    "tr": ("Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran",
           "Temmuz", "Ağustos", "Eylül", "Ekim", "Kasım", "Aralık"),
    "az": ("yanvar", "fevral", "mart", "aprel", "may", "iyun",
           "iyul", "avqust", "sentyabr", "oktyabr", "noyabr", "dekabr"),
    "en": ("January", "February", "March", "April", "May", "June",
           "July", "August", "September", "October", "November", "December"),
}


def describe_local(moment: datetime, zone: str, language: str) -> str:
    """MOMENT on ZONE's clock for the customer, e.g. "Cuma 22 Kasım 10:00 (Europe/Istanbul)".

    LANGUAGE is tr, az or en; any other language gets English.
    """
    lang = language if language in _WEEKDAYS else "en"
    local = moment.astimezone(ZoneInfo(zone))
    weekday, month = _WEEKDAYS[lang][local.weekday()], _MONTHS[lang][local.month - 1]
    return f"{weekday} {local.day} {month} {local:%H:%M} ({zone})"
