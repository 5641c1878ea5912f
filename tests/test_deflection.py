"""Tests for the deflection detector: categories, non-deflections, quotes, and CSV evaluation."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from plugin.ownership.config import CATEGORIES, DeflectionConfig, LanguageLexicon
from plugin.ownership.deflection import MAX_PHRASE, find_deflections
from plugin.playbooks.loader import load_playbooks

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def lexicon() -> DeflectionConfig:
    section = load_playbooks(ROOT / "playbooks").playbooks["ownership"].deflection
    assert section is not None
    return section


@pytest.mark.parametrize(
    ("lang", "text", "category"),
    [
        ("tr", "Bu konu benim departmanımla ilgili değil.", "not_my_department"),
        ("tr", "Gecikme bizim hatamız değil, kargo firması geç teslim aldı.", "not_our_fault"),
        ("tr", "Politikamız gereği iade kabul etmiyoruz.", "policy_wall"),
        ("tr", "Bunun için başka birimle görüşmeniz lazım.", "go_elsewhere"),
        ("tr", "Lütfen çağrı merkezini arayın.", "go_elsewhere"),
        ("tr", "Sistem izin vermiyor, yapabileceğim bir şey yok.", "cannot_do"),
        ("tr", "Sizi müdürüme aktarıyorum.", "manager_bare"),
        ("tr", "Biz sadece aracıyız, ürün satıcının sorumluluğunda.", "marketplace"),
        ("az", "Bu mənim şöbəm deyil.", "not_my_department"),
        ("az", "Bu bizim günahımız deyil, kuryer gecikib.", "not_our_fault"),
        ("az", "Qaydalarımıza əsasən pul geri qaytarılmır.", "policy_wall"),
        ("az", "Başqa nömrəyə zəng etməlisiniz.", "go_elsewhere"),
        ("az", "Sistem icazə vermir, heç nə edə bilmərəm.", "cannot_do"),
        ("az", "Sizi rəhbərimə yönləndirirəm.", "manager_bare"),
        ("az", "Biz sadəcə vasitəçiyik.", "marketplace"),
        ("en", "Sorry, that's not my department.", "not_my_department"),
        ("en", "It's not our fault, the courier lost it.", "not_our_fault"),
        ("en", "That's our policy, I'm afraid.", "policy_wall"),
        ("en", "You'll need to call another number for that.", "go_elsewhere"),
        ("en", "The system won't let me, there's nothing I can do.", "cannot_do"),
        ("en", "I'll pass you to my manager.", "manager_bare"),
        ("en", "We are only the marketplace.", "marketplace"),
    ],
)
def test_each_category_is_found(
    lexicon: DeflectionConfig, lang: str, text: str, category: str
) -> None:
    found = find_deflections(text, lexicon, lang)
    assert category in {d.category for d in found}
    for hit in found:
        assert text[hit.start : hit.end] == hit.phrase
        assert hit.better == lexicon.languages[lang].categories[hit.category].better


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        # warm handoffs
        ("tr", "Faturalama ekibimize ilettim, çözülene kadar sizinle takipteyim."),
        ("az", "Müraciəti ödəniş komandasına ötürdüm, həll olunana qədər özüm izləyəcəyəm."),
        ("en", "I've passed this to our billing team and I'll stay with you until it's solved."),
        ("en", "I'll transfer you to Ayla in billing; I'll stay on the chat until it's sorted."),
        # negations about the customer
        ("tr", "Bu sizin suçunuz değil, hatayı düzelttik."),
        ("az", "Sizin etməli olduğunuz bir şey yoxdur, pulu qaytardıq."),
        ("az", "Bu sizin günahınız deyil, xətanı düzəltdik."),
        ("en", "This isn't your fault, and there's no need to call another number."),
        # quotes of the customer or a third party
        ("tr", 'Size "bu benim departmanım değil" denmesi yanlış; değişimi ayarladım.'),
        ("az", "Sizə «bizim günahımız deyil» deyilməsi yanlışdır; məsələni həll etdim."),
        ("en", "> It's not our fault, said your courier.\nI've rebooked the delivery."),
        ("tr", "Dediniz ki sistem izin vermiyor; kilidi kaldırdım."),
        ("en", "You wrote that the agent said it's not his job; I'm sorry, it's fixed now."),
        # a policy together with an alternative
        ("tr", "Politikamız gereği nakit iade yok; ancak size hediye çeki önerebilirim."),
        ("az", "Qaydalarımıza əsasən pul qaytarılmır, amma dəyişdirmə təklif edə bilərəm."),
        ("en", "Per our policy we can't refund it, but I can offer you store credit."),
        # a refusal that still helps
        ("tr", "Bunu yalnızca siz değiştirebilirsiniz; adımlar şöyle, birlikte kontrol edeceğim."),
        ("az", "Sistem icazə vermir, amma sizin üçün başqa yolla edə bilərəm."),
        ("en", "Only you can change this; here are the steps and I'll check it with you."),
        # not my area, but checked myself
        ("tr", "Bu benim departmanım değil ama kendim kontrol ettim, ödemeniz ulaşmış."),
        ("az", "Bu mənim şöbəm deyil, amma özüm yoxladım: ödəniş keçib."),
        ("en", "That's not my area, but I checked it myself and it's fine."),
        # ordinary helpful replies
        ("tr", "Siparişiniz bugün kargoya verildi, takip numaranız 12345."),
        ("az", "Sifarişiniz bu gün kuryerə verildi."),
        ("en", "Your refund was issued today and should arrive within 3 days."),
    ],
)
def test_non_deflections_are_left_alone(lexicon: DeflectionConfig, lang: str, text: str) -> None:
    assert find_deflections(text, lexicon, lang) == []


@pytest.mark.parametrize(
    "history",
    [
        "On Mon, 3 Nov 2025 at 10:12, Ali <ali@example.com> wrote:\n",
        "3 Kas 2025 Pzt, 10:12 tarihinde Ali <ali@ornek.com> şunu yazdı:\n",
        "-----Original Message-----\nFrom: Ali\n",
    ],
)
def test_email_history_is_ignored(lexicon: DeflectionConfig, history: str) -> None:
    reply = "Hello,\n\nYour refund is on its way.\n\nBest,\nSam\n\n" + history
    assert find_deflections(reply + "That's not my department.\n", lexicon, "en") == []


def test_ascii_typed_dotted_capitals_and_typos(lexicon: DeflectionConfig) -> None:
    assert find_deflections("BU BENİM DEPARTMANIM DEĞİL", lexicon, "tr")
    assert find_deflections("bu benim departmanim degil", lexicon, "tr")
    assert find_deflections("bu menim sobem deyil", lexicon, "az")
    assert find_deflections("Thats not my depratment.", lexicon, "en")  # swapped letters


def test_phrase_offsets_language_and_length(lexicon: DeflectionConfig) -> None:
    text = "Merhaba Ayşe Hanım,\n\nmaalesef bu benim işim değil.\n"
    [hit] = find_deflections(text, lexicon)  # language detected from the text
    assert (hit.category, hit.phrase) == ("not_my_department", "benim işim değil")
    assert hit.better == lexicon.languages["tr"].categories["not_my_department"].better
    long_gap = "nothing " + "really " * 3 + "I can do " * 40
    assert all(len(d.phrase) <= MAX_PHRASE for d in find_deflections(long_gap, lexicon, "en"))


@pytest.mark.parametrize(
    ("pattern", "found", "missed"),
    [
        ("yardımcı olam*", "yardımcı olamıyorum", "yardımcı olacağım"),
        ("*ebilirim", "gönderebilirim", "gönderebilirsiniz"),
        ("sor*malısınız", "sormalısınız", "sorunuz"),
        ("kargo*|banka* … arayın*", "bankanızı lütfen arayınız", "kargonuz yarın gelir, arayın"),
        ("görüşün*", "görüşünüz", "görüşüyoruz"),  # no typo at a Turkic suffix boundary
    ],
)
def test_pattern_wildcards_alternatives_and_clause_gaps(
    lexicon: DeflectionConfig, pattern: str, found: str, missed: str
) -> None:
    categories = {"cannot_do": {"patterns": [pattern], "better": "x"}}
    tr = LanguageLexicon.model_validate({"categories": categories})
    config = lexicon.model_copy(update={"languages": {"tr": tr}})
    assert find_deflections(found, config, "tr")
    assert find_deflections(missed, config, "tr") == []


def test_bad_wildcards_are_rejected() -> None:
    for pattern in ("a**", "*", "a||b", "**a", "|a"):
        with pytest.raises(ValueError):
            DeflectionConfig.model_validate(
                {"languages": {"en": {"categories": {"cannot_do": {"patterns": [pattern]}}}}}
            )


def test_blaming_stays_a_deflection_even_with_help(lexicon: DeflectionConfig) -> None:
    text = "It's not our fault, the courier lost it. I'll follow up with them myself."
    assert [d.category for d in find_deflections(text, lexicon, "en")] == ["not_our_fault"]


def test_disabled_or_empty(lexicon: DeflectionConfig) -> None:
    off = lexicon.model_copy(update={"enabled": False})
    assert find_deflections("That's not my department.", off, "en") == []
    assert find_deflections("   ", lexicon, "en") == []
    assert find_deflections("That's not my department.", DeflectionConfig(), "en") == []


def test_every_category_has_patterns_and_better_wording(lexicon: DeflectionConfig) -> None:
    for lang, entry in lexicon.languages.items():
        assert set(entry.categories) == set(CATEGORIES), lang
        assert all(c.patterns and c.better for c in entry.categories.values()), lang
        assert entry.ownership_cues and entry.alternative_cues, lang


def _evaluate(path: Path, lexicon: DeflectionConfig) -> tuple[float, float]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    gold = [row["deflection"] == "1" for row in rows]
    guess = [bool(find_deflections(row["text"], lexicon, row["lang"])) for row in rows]
    tp = sum(g and p for g, p in zip(gold, guess, strict=True))
    return tp / max(1, sum(guess)), tp / max(1, sum(gold))


def test_development_set_precision_and_recall(lexicon: DeflectionConfig) -> None:
    precision, recall = _evaluate(DATA / "deflection_replies.csv", lexicon)
    assert precision >= 0.95 and recall >= 0.90, (precision, recall)


def test_paraphrase_set_precision_and_recall(lexicon: DeflectionConfig) -> None:
    # deflection_paraphrases.csv: 120 paraphrases and hard negatives written after the dev set
    # and used to generalise the lexicon (so it is development data, not a blind test).
    # Measured P=1.00, R=1.00; the floors leave a small margin for lexicon edits.
    precision, recall = _evaluate(DATA / "deflection_paraphrases.csv", lexicon)
    assert precision >= 0.95 and recall >= 0.95, (precision, recall)


def test_holdout_floor(lexicon: DeflectionConfig) -> None:
    # Never tuned on, rows never read. Measured once after dev tuning: P=1.00, R=0.76; once more
    # after generalising on deflection_paraphrases.csv: P=1.00, R=0.86. Floors sit just below.
    precision, recall = _evaluate(DATA / "deflection_holdout.csv", lexicon)
    assert precision >= 0.90 and recall >= 0.80, (precision, recall)


def test_datasets_are_balanced_and_labelled() -> None:
    for name, per_lang in (
        ("deflection_replies.csv", 60),
        ("deflection_paraphrases.csv", 40),
        ("deflection_holdout.csv", 15),
    ):
        with (DATA / name).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        for lang in ("tr", "az", "en"):
            assert sum(r["lang"] == lang for r in rows) == per_lang
        assert all((r["deflection"] == "1") == (r["category"] in CATEGORIES) for r in rows)
        assert 0.35 <= sum(r["deflection"] == "1" for r in rows) / len(rows) <= 0.55
