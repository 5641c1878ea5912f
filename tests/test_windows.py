"""Follow-up windows: surveys 24-48 h after a solve, calls on the customer's clock (PRACTICES)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from plugin.followups import (
    CALL_WINDOW,
    SURVEY_WINDOW,
    Window,
    call_time,
    country_for_zone,
    describe_local,
    is_holiday,
    next_opening,
    resolve_zone,
    survey_time,
)

IST, BAKU, NY = "Europe/Istanbul", "Asia/Baku", "America/New_York"


def local(zone: str, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo(zone))


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# --- Friday-evening solves: the survey lands on the weekend, the call on Monday 09:00 ---------


@pytest.mark.parametrize(
    ("zone", "solved", "survey", "call"),
    [
        # Istanbul is UTC+3 all year: Fri 20 Nov 2026 19:00 → Sat 19:00 (inside 09-20) / Mon 09:00.
        (IST, (2026, 11, 20, 19, 0), utc(2026, 11, 21, 16, 0), utc(2026, 11, 23, 6, 0)),
        # 21:00 + 24 h is Sat 21:00, after the window: Sunday 09:00 (36 h after the solve).
        (IST, (2026, 11, 20, 21, 0), utc(2026, 11, 22, 6, 0), utc(2026, 11, 23, 6, 0)),
        # Baku is UTC+4 all year.
        (BAKU, (2026, 11, 20, 22, 0), utc(2026, 11, 22, 5, 0), utc(2026, 11, 23, 5, 0)),
        # New York in November is EST, UTC-5.
        (NY, (2026, 11, 20, 18, 30), utc(2026, 11, 21, 23, 30), utc(2026, 11, 23, 14, 0)),
    ],
)
def test_friday_evening_solve(zone, solved, survey, call):
    solved_at = local(zone, *solved)
    assert survey_time(solved_at, zone) == survey
    assert survey.astimezone(ZoneInfo(zone)).weekday() in (5, 6)
    assert call_time(solved_at, zone) == call
    assert call.astimezone(ZoneInfo(zone)).time() == time(9, 0)


def test_survey_uses_elapsed_hours_and_returns_utc():
    solved_at = utc(2026, 11, 18, 8, 15)  # Wed 11:15 in Istanbul
    sent = survey_time(solved_at, IST)
    assert sent == utc(2026, 11, 19, 8, 15)
    assert sent.tzinfo == UTC


# --- Public holidays: closed for calls, open for surveys --------------------------------------


def test_holiday_lookup_per_country():
    assert is_holiday(date(2026, 10, 29), "TR")  # Republic Day
    assert not is_holiday(date(2026, 10, 29), "US")
    assert is_holiday(date(2026, 3, 20), "az")  # Novruz; the code is case-insensitive
    assert is_holiday(date(2026, 11, 26), "US")  # Thanksgiving
    assert not is_holiday(date(2026, 11, 27), "US")
    assert not is_holiday(date(2026, 10, 29), None)
    assert not is_holiday(date(2026, 10, 29), "XX")  # unknown to the holidays package


@pytest.mark.parametrize(
    ("zone", "after", "call"),
    [
        # Wed 28 Oct 18:30 → Thu 29 Oct is Republic Day → Fri 30 Oct 09:00 (+03).
        (IST, (2026, 10, 28, 18, 30), utc(2026, 10, 30, 6, 0)),
        # Thu 19 Mar → Novruz 20-24 Mar, observed days 25-27 and 30 Mar (holidays 0.109 data),
        # the weekend of 28-29 Mar → Tue 31 Mar 09:00 (+04).
        (BAKU, (2026, 3, 19, 18, 30), utc(2026, 3, 31, 5, 0)),
        # Wed 25 Nov at exactly 18:00 (window end is exclusive) → Thanksgiving → Fri 09:00 EST.
        (NY, (2026, 11, 25, 18, 0), utc(2026, 11, 27, 14, 0)),
    ],
)
def test_calls_skip_public_holidays(zone, after, call):
    assert call_time(local(zone, *after), zone) == call


@pytest.mark.parametrize(
    ("zone", "solved", "survey"),
    [
        (IST, (2026, 10, 28, 10, 0), utc(2026, 10, 29, 7, 0)),  # Republic Day 10:00
        (BAKU, (2026, 3, 19, 10, 0), utc(2026, 3, 20, 6, 0)),  # Novruz 10:00
        (NY, (2026, 11, 25, 12, 0), utc(2026, 11, 26, 17, 0)),  # Thanksgiving 12:00
    ],
)
def test_surveys_allowed_on_public_holidays(zone, solved, survey):
    assert survey_time(local(zone, *solved), zone) == survey


# --- DST in New York: 8 Mar 2026 (02:00 → 03:00) and 1 Nov 2026 (02:00 → 01:00) -------------


def test_call_after_spring_forward_opens_at_edt():
    # Fri 6 Mar 19:00 EST → Mon 9 Mar 09:00, which is EDT (UTC-4): 13:00 UTC, not 14:00.
    assert call_time(local(NY, 2026, 3, 6, 19, 0), NY) == utc(2026, 3, 9, 13, 0)


def test_survey_across_spring_forward_counts_elapsed_hours():
    # Sat 7 Mar 10:00 EST = 15:00 UTC; 24 h later is 11:00 EDT on Sunday, inside the window.
    sent = survey_time(local(NY, 2026, 3, 7, 10, 0), NY)
    assert sent == utc(2026, 3, 8, 15, 0)
    assert describe_local(sent, NY, "en") == "Sunday 8 March 11:00 (America/New_York)"


def test_survey_across_fall_back_counts_elapsed_hours():
    # Sat 31 Oct 20:30 EDT = 00:30 UTC; 24 h later is Sun 19:30 EST, still inside 09:00-20:00.
    # Adding 24 h on the wall clock would give 20:30 and wrongly push it to Monday.
    assert survey_time(local(NY, 2026, 10, 31, 20, 30), NY) == utc(2026, 11, 2, 0, 30)


def test_call_after_fall_back_opens_at_est():
    # Fri 30 Oct 19:00 EDT → Mon 2 Nov 09:00 EST (UTC-5) = 14:00 UTC.
    assert call_time(local(NY, 2026, 10, 30, 19, 0), NY) == utc(2026, 11, 2, 14, 0)


def test_start_inside_the_spring_forward_gap_moves_to_first_valid_instant():
    night = Window.parse(days=["sun"], start="02:30", end="05:00", skip_holidays=False)
    # 02:30 does not exist on 8 Mar 2026: clocks jump from 02:00 EST to 03:00 EDT = 07:00 UTC.
    assert next_opening(local(NY, 2026, 3, 7, 23, 0), night, NY) == utc(2026, 3, 8, 7, 0)


def test_repeated_fall_back_start_uses_first_occurrence():
    night = Window.parse(days=["sun"], start="01:30", end="05:00", skip_holidays=False)
    # 01:30 happens twice on 1 Nov 2026; the first time is EDT, 05:30 UTC.
    assert next_opening(local(NY, 2026, 10, 31, 23, 0), night, NY) == utc(2026, 11, 1, 5, 30)


# --- Late-night solves and solves just before a window end ------------------------------------


def test_late_night_solve_in_baku():
    solved_at = local(BAKU, 2026, 11, 17, 23, 30)  # Tuesday
    assert call_time(solved_at, BAKU) == utc(2026, 11, 18, 5, 0)  # Wed 09:00
    assert survey_time(solved_at, BAKU) == utc(2026, 11, 19, 5, 0)  # Thu 09:00, 33.5 h later


def test_solve_just_before_and_at_the_survey_window_end():
    # Thu 19:59 + 24 h = Fri 19:59, inside; Thu 20:00 + 24 h = Fri 20:00, the end is exclusive.
    assert survey_time(local(IST, 2026, 11, 19, 19, 59), IST) == utc(2026, 11, 20, 16, 59)
    assert survey_time(local(IST, 2026, 11, 19, 20, 0), IST) == utc(2026, 11, 21, 6, 0)


def test_call_just_before_the_window_end_is_now():
    assert call_time(local(NY, 2026, 11, 18, 17, 59), NY) == utc(2026, 11, 18, 22, 59)


def test_survey_window_without_moment_in_24_48_hours_still_wins():
    # A weekday-only survey window after a Friday solve: Monday 09:00 is 64 h later.
    solved_at = local(IST, 2026, 11, 20, 17, 0)
    sent = survey_time(solved_at, IST, window=CALL_WINDOW)
    assert sent == utc(2026, 11, 23, 6, 0)
    assert sent - solved_at == timedelta(hours=64)


def test_survey_prefers_a_moment_inside_24_48_hours():
    # Wed 19:00 + 24 h = Thu 19:00, after 18:00; Fri 09:00 is 38 h in, not the following week.
    solved_at = local(IST, 2026, 11, 18, 19, 0)
    assert survey_time(solved_at, IST, window=CALL_WINDOW) == utc(2026, 11, 20, 6, 0)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        call_time(datetime(2026, 11, 20, 10, 0), IST)
    with pytest.raises(ValueError, match="timezone-aware"):
        survey_time(datetime(2026, 11, 20, 10, 0), IST)


# --- Windows --------------------------------------------------------------------------------


def test_default_windows():
    assert Window(frozenset(range(5)), time(9), time(18), skip_holidays=True) == CALL_WINDOW
    assert Window(frozenset(range(7)), time(9), time(20), skip_holidays=False) == SURVEY_WINDOW


@pytest.mark.parametrize(
    ("days", "start", "end", "message"),
    [
        (["mon", "funday"], "09:00", "18:00", "unknown window day 'funday'"),
        ("mon", "09:00", "18:00", "list of day names"),
        ([], "09:00", "18:00", "non-empty"),
        (["mon"], "9am", "18:00", "start must be a quoted"),
        (["mon"], "09:00", 1080, "end must be a quoted"),  # YAML reads unquoted 18:00 as 1080
        (["mon"], "09:00", "24:00", "end must be a quoted"),
        (["mon"], "18:00", "09:00", "start 18:00 must be before end 09:00"),
    ],
)
def test_window_parse_errors(days, start, end, message):
    with pytest.raises(ValueError, match=message):
        Window.parse(days=days, start=start, end=end, skip_holidays=True)


def test_window_parse_accepts_any_case():
    window = Window.parse(days=["Sat", "SUN"], start="10:30", end="12:00")
    assert window == Window(frozenset({5, 6}), time(10, 30), time(12), skip_holidays=True)


# --- Zones ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "country"),
    [
        (IST, "TR"), (BAKU, "AZ"), (NY, "US"), ("Europe/London", "GB"), ("Europe/Berlin", "DE"),
        ("Asia/Istanbul", "TR"), ("US/Eastern", "US"), ("Etc/UTC", None), ("Mars/Olympus", None),
    ],
)
def test_country_for_zone(zone, country):
    assert country_for_zone(zone) == country


@pytest.mark.parametrize(
    ("profile", "zone"),
    [
        (IST, IST), ("europe/istanbul", IST), ("US/Eastern", "US/Eastern"), ("Istanbul", IST),
        ("Baku", BAKU), ("Eastern Time (US & Canada)", NY), ("(GMT+03:00) Istanbul", IST),
        ("Central Time (US & Canada)", "America/Chicago"), ("London", "Europe/London"),
        ("Edinburgh", "Europe/London"), ("Berlin", "Europe/Berlin"), ("Moscow", "Europe/Moscow"),
        ("St. Petersburg", "Europe/Moscow"), ("Ekaterinburg", "Asia/Yekaterinburg"),
        ("Kyiv", "Europe/Kyiv"), ("Tbilisi", "Asia/Tbilisi"), ("Astana", "Asia/Almaty"),
        ("Tehran", "Asia/Tehran"), ("Buenos Aires", "America/Argentina/Buenos_Aires"),
        # Garbage falls back to the default; "Eastern" is neither a zone nor a Rails name.
        ("Eastern", "Europe/London"), ("Not/AZone", "Europe/London"),
        ("../../etc/passwd", "Europe/London"), ("", "Europe/London"), (None, "Europe/London"),
    ],
)
def test_resolve_zone(profile, zone):
    assert resolve_zone(profile, "Europe/London") == zone


def test_resolve_zone_refuses_a_bad_default():
    with pytest.raises(ValueError, match="Mars/Olympus"):
        resolve_zone(IST, "Mars/Olympus")


# --- Customer-facing text -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "language", "text"),
    [
        (IST, "tr", "Cuma 22 Kasım 10:00 (Europe/Istanbul)"),
        (BAKU, "az", "Cümə 22 noyabr 11:00 (Asia/Baku)"),
        (NY, "en", "Friday 22 November 02:00 (America/New_York)"),
        (IST, "ru", "Friday 22 November 10:00 (Europe/Istanbul)"),
    ],
)
def test_describe_local(zone, language, text):
    assert describe_local(utc(2024, 11, 22, 7, 0), zone, language) == text
