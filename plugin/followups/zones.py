"""Customer time zones: IANA names from helpdesk profile values, and the country of a zone."""

from __future__ import annotations

import re
import zoneinfo
from functools import cache
from importlib import resources
from pathlib import Path

# Rails ActiveSupport::TimeZone names (used by Zendesk and Freshdesk profiles) whose IANA zone
# does not end in the same city; names like "Istanbul" or "Mexico City" are matched by city.
# "Astana" deliberately maps to Asia/Almaty (Kazakhstan), not Rails' Asia/Dhaka.
RAILS_ZONES: dict[str, str] = {
    "International Date Line West": "Etc/GMT+12", "Midway Island": "Pacific/Midway",
    "American Samoa": "Pacific/Pago_Pago", "Hawaii": "Pacific/Honolulu",
    "Alaska": "America/Juneau", "Pacific Time (US & Canada)": "America/Los_Angeles",
    "Mountain Time (US & Canada)": "America/Denver", "Arizona": "America/Phoenix",
    "Central Time (US & Canada)": "America/Chicago", "Saskatchewan": "America/Regina",
    "Guadalajara": "America/Mexico_City", "Central America": "America/Guatemala",
    "Eastern Time (US & Canada)": "America/New_York",
    "Indiana (East)": "America/Indiana/Indianapolis", "Quito": "America/Lima",
    "Atlantic Time (Canada)": "America/Halifax", "Newfoundland": "America/St_Johns",
    "Brasilia": "America/Sao_Paulo", "Georgetown": "America/Guyana",
    "Greenland": "America/Nuuk", "Mid-Atlantic": "Atlantic/South_Georgia",
    "Cape Verde Is.": "Atlantic/Cape_Verde", "Edinburgh": "Europe/London",
    "Bern": "Europe/Zurich", "West Central Africa": "Africa/Algiers",
    "Pretoria": "Africa/Johannesburg", "St. Petersburg": "Europe/Moscow",
    "Abu Dhabi": "Asia/Muscat", "Ekaterinburg": "Asia/Yekaterinburg",
    "Islamabad": "Asia/Karachi", "Chennai": "Asia/Kolkata", "Mumbai": "Asia/Kolkata",
    "New Delhi": "Asia/Kolkata", "Astana": "Asia/Almaty", "Sri Jayawardenepura": "Asia/Colombo",
    "Hanoi": "Asia/Bangkok", "Beijing": "Asia/Shanghai", "Osaka": "Asia/Tokyo",
    "Sapporo": "Asia/Tokyo", "Wellington": "Pacific/Auckland",
    "Solomon Is.": "Pacific/Guadalcanal", "New Caledonia": "Pacific/Noumea",
    "Marshall Is.": "Pacific/Majuro", "Nuku'alofa": "Pacific/Tongatapu",
    "Tokelau Is.": "Pacific/Fakaofo", "Chatham Is.": "Pacific/Chatham", "Samoa": "Pacific/Apia",
}

# Used when the tz database's zone.tab is not on this system (nor in the tzdata package).
_FALLBACK_COUNTRIES: dict[str, str] = {
    "Europe/Istanbul": "TR", "Asia/Baku": "AZ", "America/New_York": "US",
    "America/Chicago": "US", "America/Denver": "US", "America/Los_Angeles": "US",
    "Europe/London": "GB", "Europe/Berlin": "DE", "Europe/Moscow": "RU", "Europe/Kyiv": "UA",
    "Asia/Tbilisi": "GE", "Asia/Almaty": "KZ",
}

_CITY_AREAS = ("Africa/", "America/", "Asia/", "Atlantic/", "Australia/", "Europe/", "Indian/",
               "Pacific/")
_GMT_PREFIX = re.compile(r"^\(\s*(?:GMT|UTC)\s*[+-]?[\d:]*\s*\)\s*", re.IGNORECASE)


def _tz_text(name: str) -> str:
    """The tz database file NAME from TZPATH, else from the tzdata package; "" if neither."""
    for folder in zoneinfo.TZPATH:
        path = Path(folder, name)
        if path.is_file():
            return path.read_text(encoding="utf-8")
    try:
        return (resources.files("tzdata") / "zoneinfo" / name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError):
        return ""


@cache
def _links() -> dict[str, str]:
    """Backward-compatible alias → canonical zone, from the tz database's tzdata.zi."""
    rows = (line.split() for line in _tz_text("tzdata.zi").splitlines())
    return {row[2]: row[1] for row in rows if len(row) == 3 and row[0] == "L"}


@cache
def _countries() -> dict[str, str]:
    """Zone → ISO country: zone.tab rows and their aliases, over the fallback table."""
    table = dict(_FALLBACK_COUNTRIES)
    for line in _tz_text("zone.tab").splitlines():
        fields = line.split("\t")
        if not line.startswith("#") and len(fields) >= 3:
            table[fields[2]] = fields[0]
    for alias, zone in _links().items():
        if zone in table:
            table.setdefault(alias, table[zone])
    return table


@cache
def _zones() -> frozenset[str]:
    """Every IANA zone name this system (or the tzdata package) knows."""
    return frozenset(zoneinfo.available_timezones())


@cache
def _names() -> dict[str, str]:
    """Lower-cased IANA names and city names (spaces for underscores) → IANA zone."""
    zones = sorted(_zones())
    links = _links()
    names: dict[str, str] = {}
    for zone in zones:  # a city's canonical zone beats its backward-compatible aliases
        if zone.startswith(_CITY_AREAS):
            city = zone.rsplit("/", 1)[1].replace("_", " ").lower()
            if city not in names or zone not in links:
                names[city] = zone
    names.update({name.lower(): zone for name, zone in RAILS_ZONES.items()})
    names.update({zone.lower(): zone for zone in zones})
    return names


def country_for_zone(zone: str) -> str | None:
    """The ISO 3166 country whose public holidays apply in ZONE; None for Etc/UTC or unknown."""
    return _countries().get(zone)


def resolve_zone(profile_zone: str | None, default_zone: str) -> str:
    """An IANA zone from a helpdesk profile value (IANA or Rails name), else DEFAULT_ZONE.

    Accepts any case and a "(GMT+03:00) " display prefix. Raises ValueError when the default
    itself is not a known zone, since that is a configuration error.
    """
    if default_zone not in _zones():
        raise ValueError(f"default time zone {default_zone!r} is not an IANA zone")
    value = _GMT_PREFIX.sub("", (profile_zone or "").strip()).lower()
    return _names().get(value, default_zone)
