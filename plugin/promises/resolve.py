"""Deadline arithmetic of CONVENTIONS §3 on the agent's local clock; results are aware UTC."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

END_OF_BUSINESS = time(18, 0)
NOON = time(12, 0)


@dataclass(frozen=True)
class Clock:
    """The reply instant and the same instant on the agent's wall clock."""

    replied_at: datetime
    local: datetime

    @classmethod
    def at(cls, replied_at: datetime, agent_tz: str) -> Clock:
        if replied_at.tzinfo is None:
            raise ValueError("replied_at must be timezone-aware")
        return cls(replied_at.astimezone(UTC), replied_at.astimezone(ZoneInfo(agent_tz)))

    @property
    def today(self) -> date:
        return self.local.date()

    def on(self, day: date, at: time = END_OF_BUSINESS) -> datetime:
        """`at` o'clock on `day` in the agent's zone, as UTC."""
        return datetime.combine(day, at, tzinfo=self.local.tzinfo).astimezone(UTC)


def on_day(clock: Clock, offset_days: int, at: time = END_OF_BUSINESS) -> datetime:
    """today (0) / tomorrow (1) / N calendar days on, at `at`."""
    return clock.on(clock.today + timedelta(days=offset_days), at)


def next_weekday(clock: Clock, weekday: int, at: time = END_OF_BUSINESS) -> datetime:
    """The next such weekday; today itself while `at` is still ahead, else a week later."""
    delta = (weekday - clock.today.weekday()) % 7
    if delta == 0 and clock.local.time() >= at:
        delta = 7
    return on_day(clock, delta, at)


def after_hours(clock: Clock, hours: float) -> datetime:
    """Reply time plus exactly `hours` hours."""
    return clock.replied_at + timedelta(hours=hours)


def business_days(clock: Clock, count: int) -> datetime:
    """18:00 on the count-th Monday–Friday after the reply date."""
    day = clock.today
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return clock.on(day)


def explicit_date(
    clock: Clock, month: int, day: int, year: int | None = None, at: time = END_OF_BUSINESS
) -> datetime | None:
    """That date (next occurrence on or after today when no year is given), or None if invalid."""
    years = [year] if year else [clock.today.year, clock.today.year + 1]
    for candidate_year in years:
        if not 1 <= month <= 12 or not 1 <= day <= monthrange(candidate_year, month)[1]:
            continue
        candidate = date(candidate_year, month, day)
        if year or candidate >= clock.today:
            return clock.on(candidate, at)
    return None


def day_of_month(clock: Clock, day: int, at: time = END_OF_BUSINESS) -> datetime | None:
    """'by the 3rd': the next date with that day number, on or after today."""
    if not 1 <= day <= 31:
        return None
    year, month = clock.today.year, clock.today.month
    for _ in range(13):
        if day <= monthrange(year, month)[1] and date(year, month, day) >= clock.today:
            return clock.on(date(year, month, day), at)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def explicit_time(clock: Clock, at: time) -> datetime:
    """That time today if still ahead, else tomorrow."""
    return on_day(clock, 0 if at > clock.local.time() else 1, at)
