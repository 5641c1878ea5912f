"""Folded tr/az/en words and patterns that name days, times and spans in agent replies."""

from __future__ import annotations

import re

# Everything below matches text already passed through plugin.language.fold().

NUMBER_WORDS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "bir": 1, "two": 2, "iki": 2, "three": 3, "uc": 3,
    "four": 4, "dort": 4, "dord": 4, "five": 5, "bes": 5, "six": 6, "alti": 6,
    "seven": 7, "yedi": 7, "yeddi": 7, "eight": 8, "sekiz": 8, "sekkiz": 8,
    "nine": 9, "dokuz": 9, "doqquz": 9, "ten": 10, "on": 10, "twelve": 12, "oniki": 12,
}  # fmt: skip

WEEKDAYS: dict[str, int] = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
    "saturday": 5, "sunday": 6,
    "pazartesi": 0, "sali": 1, "carsamba": 2, "persembe": 3, "cuma": 4,
    "cumartesi": 5, "pazar": 6,
    "bazar ertesi": 0, "cersenbe axsami": 1, "cersenbe": 2, "cume axsami": 3,
    "cume": 4, "senbe": 5, "bazar": 6,
}  # fmt: skip

MONTHS: dict[str, int] = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    "ocak": 1, "subat": 2, "mart": 3, "nisan": 4, "mayis": 5, "haziran": 6, "temmuz": 7,
    "agustos": 8, "eylul": 9, "ekim": 10, "kasim": 11, "aralik": 12,
    "yanvar": 1, "fevral": 2, "aprel": 4, "iyun": 6, "iyul": 7, "avqust": 8,
    "sentyabr": 9, "oktyabr": 10, "noyabr": 11, "dekabr": 12,
}  # fmt: skip


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_NUM = rf"(\d{{1,3}}|{_alternation(list(NUMBER_WORDS))})"
_MONTH = rf"({_alternation(list(MONTHS))})"
_CASE = r"(?:['\-]?(?:y[ae]|n[ae]|[ae]|d[ae]n|d[ae]|ki|y[iu]))?"
_WITHIN_AFTER = r"(?:icinde|icerisinde|zarfinda|erzinde|muddetinde|sonra|kadar|qeder|dek)"

WEEKDAY = re.compile(rf"\b({_alternation(list(WEEKDAYS))}){_CASE}\b")
DATE_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th|\.)?\s+(?:of\s+)?{_MONTH}[a-z]*(?:['\-][a-z]+)?"
    r"(?:,?\s+(\d{4}))?"
)
DATE_MONTH_DAY = re.compile(rf"\b{_MONTH}\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}}))?")
DATE_NUMERIC = re.compile(r"(?<![\d:.])(\d{1,2})[./](\d{1,2})[./](\d{4})\b")
DATE_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
DATE_SHORT = re.compile(r"(?<!saat )(?<![\d:.])(\d{1,2})\.(\d{1,2})(?![\d:]|\.\d)")
DAY_OF_MONTH = re.compile(r"\bthe\s+(\d{1,2})(?:st|nd|rd|th)\b|\bayin\s+(\d{1,2})\b")

BUSINESS_DAYS = re.compile(
    rf"\b(?:within|in)\s+(?:the\s+next\s+)?{_NUM}\s+(?:business|working)\s+days?\b"
    rf"|\b{_NUM}\s+is\s+gun(?:u|un)?\s*{_WITHIN_AFTER}|\b{_NUM}\s+is\s+gun(?:unde|de)\b"
)
DAYS = re.compile(
    rf"\b(?:within|in)\s+(?:the\s+next\s+)?{_NUM}\s+days?\b"
    rf"|\b{_NUM}\s+gun(?:u|e)?\s+{_WITHIN_AFTER}|\b{_NUM}\s+gunde\b"
)
HOURS = re.compile(
    rf"\b(?:within|in)\s+(?:the\s+next\s+)?{_NUM}\s+(hours?|hrs?|h|minutes?|mins?)\b"
    rf"|\b{_NUM}\s+(saat|dakika|deqiqe)(?:['\-]?[aeiu]|t[ae]|d[ae])?\s+{_WITHIN_AFTER}"
    rf"|\b{_NUM}\s+(saat|dakika|deqiqe)(?:t[ae]|d[ae])\b"
)
HALF_HOUR = re.compile(rf"\b(?:within|in)\s+half\s+an\s+hour\b|\byarim\s+saat\w*\s+{_WITHIN_AFTER}")
WITHIN_THE_HOUR = re.compile(r"\bwithin\s+the\s+hour\b")

TODAY = re.compile(r"\b(?:later\s+)?today\b|\bthis\s+afternoon\b|\bbugun\b|\bbu\s+gun\b")
TOMORROW = re.compile(r"\btomorrow\b|\byarin(?:a|ki|dan)?\b")
AZ_TOMORROW = re.compile(r"\bsabah(?:a|ki|dan)?\b")
END_OF_DAY = re.compile(
    r"\bend\s+of\s+(?:the\s+)?(?:business\s+)?day\b|\bclose\s+of\s+business\b|\beod\b|\bcob\b"
    r"|\b(?:is\s+)?gun(?:un)?(?:un)?\s+sonu(?:na)?\b|\bmesai\s+(?:bitimine|sonuna)\b"
    r"|\baksama\s+kadar\b|\baxsama\s+(?:qeder|kimi)\b"
)
NOON = re.compile(
    r"\b(?:before\s+|by\s+)?(?:noon|midday)\b|\bogle(?:den\s+once|ne|n|\s+saatine)\b"
    r"|\bgunorta(?:ya|dan\s+evvel)\b"
)
MORNING_TR = re.compile(r"\bsabah\b|\bmorning\b|\bseher\b|\bfirst\s+thing\b")
MORNING_AZ = re.compile(r"\bmorning\b|\bseher\b|\bfirst\s+thing\b")
TIME_AMPM = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*(am|pm)\b")
TIME_24 = re.compile(r"(?<![\d.:/])([01]?\d|2[0-3])[:.]([0-5]\d)(?![\d:/]|\.\d)")
TIME_SAAT = re.compile(r"\bsaat\s+(\d{1,2})(?![\d:.])")

# Opening hours and availability: a sentence that has one of these states no promise.
TIME_RANGE = re.compile(
    r"(?<![\d:.])\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?\s*(?:-|to|until|till)\s*\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?"
    r"(?=\W|$)"
)
WEEKDAY_RANGE = re.compile(
    rf"\b(?:{_alternation(list(WEEKDAYS))})[a-z]*\s*(?:-|to|through|ile|ve)\s*"
    rf"(?:{_alternation(list(WEEKDAYS))})"
)
HOURS_WORDS = re.compile(
    r"\b(?:open|opening|closed|available|availability|reachable|weekdays|daily|every\s+day|holiday"
    r"|tatil\w*|bayram\w*"
    r"|(?:business|working|office|support)\s+hours|acigiz|acik|aciktir|acilis\w*|kapaliyiz"
    r"|kapalidir|calisiyoruz|calismaktayiz|(?:calisma|mesai)\s+saat\w*|hafta\s+(?:ici|sonu)"
    r"|her\s+gun|hizmet\s+veriyoruz|hizmetinizdeyiz|musaitiz|ulasabilirsiniz|aciqiq|acigiq"
    r"|aciqdir|bagliyiq|isleyirik|is\s+saatlari\w*|hefte\s+(?:ici|sonu)|xidmet\s+gosteririk)\b"
)
