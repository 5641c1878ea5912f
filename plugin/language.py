"""Language detection (tr/az/en/ru) and Turkish-aware folding and tokenising of ticket text."""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

_LANG_CODES: dict[Language, str] = {
    Language.TURKISH: "tr",
    Language.AZERBAIJANI: "az",
    Language.ENGLISH: "en",
    Language.RUSSIAN: "ru",
}

# Diacritics stripped after Turkish lower-casing; Cyrillic is left alone on purpose.
_FOLD_TABLE = str.maketrans(
    {
        "ı": "i",
        "ş": "s",
        "ğ": "g",
        "ç": "c",
        "ö": "o",
        "ü": "u",
        "ə": "e",
        "â": "a",
        "î": "i",
        "û": "u",
        "\u0307": None,  # combining dot left over by some "İ" spellings
    }
)
_TOKEN_RE = re.compile(r"[^\W_]+")
_LATIN_EXTENDED = re.compile(r"[\u00c0-\u024f]")

# Folded words that only one of the two Turkic languages uses; they settle tr/az confusions,
# notably in text typed without diacritics.
_AZ_CUES = frozenset(
    [
        "ucun",
        "deyil",
        "edirem",
        "men",
        "sifaris",
        "sifarisim",
        "sifarisimi",
        "sifarisin",
        "xahis",
        "pul",
        "pulu",
        "pulumu",
        "qaytarin",
        "qaytarilsin",
        "yoxdur",
        "gelmeyib",
        "hansi",
        "niye",
        "nece",
        "zehmet",
        "xidmet",
        "bilmirem",
        "etmisem",
        "indi",
        "cox",
        "yaxsi",
        "olmur",
        "olmayib",
        "etmir",
        "isleyir",
        "islemir",
    ]
)
_TR_CUES = frozenset(
    [
        "icin",
        "degil",
        "ediyorum",
        "ben",
        "siparis",
        "siparisim",
        "siparisimi",
        "lutfen",
        "para",
        "param",
        "iade",
        "istiyorum",
        "hala",
        "hangi",
        "neden",
        "nasil",
        "rica",
        "bilmiyorum",
        "calismiyor",
        "olmuyor",
        "yapmadi",
        "cok",
        "simdi",
    ]
)
_AZ_LETTERS = re.compile(r"[xq]")
_CUE_WEIGHT = 0.2

_detector: LanguageDetector | None = None
_detector_lock = threading.Lock()


def fold(text: str) -> str:
    """Lower-case the Turkish way (İ→i, I→ı) and strip diacritics for comparison."""
    lowered = text.replace("İ", "i").replace("I", "ı").lower().translate(_FOLD_TABLE)
    if _LATIN_EXTENDED.search(lowered):
        lowered = "".join(_strip_latin(ch) for ch in lowered)
    return lowered


@lru_cache(maxsize=512)
def _strip_latin(ch: str) -> str:
    if not _LATIN_EXTENDED.match(ch):
        return ch
    decomposed = unicodedata.normalize("NFD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(text: str) -> list[str]:
    """Folded words of `text`: runs of letters and digits."""
    return _TOKEN_RE.findall(fold(text))


def _get_detector() -> LanguageDetector:
    global _detector
    if _detector is None:
        with _detector_lock:
            if _detector is None:
                _detector = (
                    LanguageDetectorBuilder.from_languages(*_LANG_CODES)
                    .with_preloaded_language_models()
                    .build()
                )
    return _detector


def detect_language(text: str) -> str | None:
    """Return 'tr', 'az', 'en', 'ru' or None when the text carries no usable letters."""
    if sum(ch.isalpha() for ch in text) < 2:
        return None
    scores = {
        _LANG_CODES[cv.language]: cv.value
        for cv in _get_detector().compute_language_confidence_values(text)
    }
    best = max(scores, key=scores.__getitem__)
    if best not in ("tr", "az"):
        return best
    words = tokens(text)
    lowered = text.lower()
    az_cues = sum(w in _AZ_CUES for w in words) + 3 * lowered.count("ə")
    az_cues += sum(bool(_AZ_LETTERS.search(w)) for w in words if w not in _AZ_CUES)
    tr_cues = sum(w in _TR_CUES for w in words)
    az_score = scores.get("az", 0.0) + _CUE_WEIGHT * az_cues
    tr_score = scores.get("tr", 0.0) + _CUE_WEIGHT * tr_cues
    return "az" if az_score > tr_score else "tr"
