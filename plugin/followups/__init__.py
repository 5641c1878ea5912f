"""Follow-up timing: call and survey windows on the customer's clock (PRACTICES §2, §4)."""

from plugin.followups.windows import (
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

__all__ = [
    "CALL_WINDOW",
    "SURVEY_WINDOW",
    "Window",
    "call_time",
    "country_for_zone",
    "describe_local",
    "is_holiday",
    "next_opening",
    "resolve_zone",
    "survey_time",
]
