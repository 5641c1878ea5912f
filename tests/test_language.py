"""Tests for plugin.language: Turkish-aware folding, tokenising and tr/az/en/ru detection."""

from __future__ import annotations

import pytest

from plugin.language import detect_language, fold, tokens


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("İADE", "iade"),
        ("IĞDIR", "igdir"),
        ("ŞİKAYET", "sikayet"),
        ("Çözüm Üzgün Öğrenci", "cozum uzgun ogrenci"),
        ("Xahiş edirəm", "xahis edirem"),
        ("Ə", "e"),
        ("hâlâ kâğıt îman ûmit", "hala kagit iman umit"),
        ("I need help", "i need help"),
        ("Café", "cafe"),
        ("Заказ НЕ пришёл", "заказ не пришёл"),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


def test_fold_turkish_dotted_capital_differs_from_str_lower() -> None:
    assert "İ".lower() != "i"
    assert fold("İstanbul") == "istanbul"
    assert fold("IŞIK") == fold("ışık") == "isik"


def test_tokens_keep_letters_and_digits_only() -> None:
    assert tokens("Siparişim #12345 gelmedi!!! (kargo'da)") == [
        "siparisim",
        "12345",
        "gelmedi",
        "kargo",
        "da",
    ]
    assert tokens("   ...   ") == []
    assert tokens("under_score") == ["under", "score"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Siparişim hâlâ gelmedi, lütfen yardımcı olun.", "tr"),
        ("siparisim hala gelmedi lutfen yardimci olun", "tr"),
        ("Ürünü iade etmek istiyorum, paramı geri verin.", "tr"),
        ("Sifarişim hələ gəlməyib, xahiş edirəm kömək edin.", "az"),
        ("sifarisim hele gelmeyib xahis edirem komek edin", "az"),
        ("Men pulumu geri isteyirem, mehsul xarab gelib", "az"),
        ("Mən bunu qəbul etmirəm", "az"),
        ("My order has not arrived yet, please help.", "en"),
        ("I was charged twice for the same invoice", "en"),
        ("Мой заказ до сих пор не пришёл", "ru"),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "123 456", "!!!", "a"])
def test_detect_language_none_without_letters(text: str) -> None:
    assert detect_language(text) is None


def test_schwa_tips_tr_az_confusion() -> None:
    # Almost Turkish spelling; the Azerbaijani-only letter decides.
    assert detect_language("Siparişim gelmedi, bu nə deməkdir?") == "az"
