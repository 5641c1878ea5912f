"""Tests for the side panel's reply check: deflections, avoid phrases, promises, missed steps."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from plugin.language import fold
from plugin.panel.lint import MAX_CHARS, check_reply
from plugin.playbooks.loader import PlaybookSet, load_playbooks
from plugin.playbooks.schema import ReplyCheck

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # a Monday, 12:30 in Istanbul
TR_BETTER = "Bu konuda size ben yardımcı olacağım; gerekirse ilgili ekiple de ben görüşeceğim."


@pytest.fixture(scope="module")
def shipped() -> PlaybookSet:
    return load_playbooks(ROOT / "playbooks")


def _check(
    playbook_set: PlaybookSet,
    text: str,
    active: list[str],
    language: str | None = None,
    customer_tz: str = "Asia/Baku",
) -> dict:
    return check_reply(text, playbook_set=playbook_set, active=active, language=language,
                       now=NOW, agent_tz="Europe/Istanbul", customer_tz=customer_tz)


def _missing(result: dict) -> list[str]:
    return [item["step"] for item in result["missing"]]


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Bu konu bizim departmanımızı ilgilendirmiyor, muhasebeye yazın.",
         "departmanımızı ilgilendirmiyor"),
        ("Bu konu bizim departmanimizi ilgilendirmiyor, muhasebeye yazin.",
         "departmanimizi ilgilendirmiyor"),
    ],
)
def test_turkish_deflection_gets_a_turkish_better_wording(shipped: PlaybookSet, text: str,
                                                          phrase: str) -> None:
    result = _check(shipped, text, ["complaint"])
    assert result["language"] == "tr"
    (hit,) = result["deflections"]
    assert hit == {"category": "not_my_department", "phrase": phrase, "better": TR_BETTER,
                   "start": 14, "end": 44}
    assert text[hit["start"] : hit["end"]] == phrase


def test_azerbaijani_promise_in_both_zones(shipped: PlaybookSet) -> None:
    text = "Salam! Sabah saat 15:00-a qədər sizə geri dönəcəm."
    result = _check(shipped, text, ["complaint"])
    assert result["language"] == "az"
    assert result["promises"] == [
        {
            "phrase": "Sabah saat 15:00-a qədər sizə geri dönəcəm",
            "rule": "tomorrow_time",
            "deadline": "2026-11-24T12:00:00Z",
            "customer": {"zone": "Asia/Baku", "local": "2026-11-24 16:00", "weekday": "Ç.a."},
            "agent": {"zone": "Europe/Istanbul", "local": "2026-11-24 15:00", "weekday": "Ç.a."},
        }
    ]
    assert "Bir tarix verin" not in _missing(result)


def test_promise_weekday_differs_across_the_date_line(shipped: PlaybookSet) -> None:
    text = "I'm sorry for the trouble. I will get back to you by 3 pm tomorrow."
    (promise,) = _check(shipped, text, [], "en", customer_tz="Pacific/Auckland")["promises"]
    assert promise["deadline"] == "2026-11-24T12:00:00Z"
    assert promise["agent"] == {"zone": "Europe/Istanbul", "local": "2026-11-24 15:00",
                                "weekday": "Tue"}
    assert promise["customer"] == {"zone": "Pacific/Auckland", "local": "2026-11-25 01:00",
                                   "weekday": "Wed"}


def test_helpdesk_zone_names_and_unknown_zones(shipped: PlaybookSet) -> None:
    text = "Yarın saat 15:00'e kadar size dönüş yapacağım."
    (promise,) = _check(shipped, text, [], "tr", customer_tz="Baku")["promises"]
    assert promise["customer"] == {"zone": "Asia/Baku", "local": "2026-11-24 16:00",
                                   "weekday": "Sal"}
    (promise,) = _check(shipped, text, [], "tr", customer_tz="Nowhere/City")["promises"]
    assert promise["customer"] == promise["agent"]


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Kusura bakmayın ama bunda bizim hiçbir hatamız yok.", "bizim hiçbir hatamız yok"),
        ("kusura bakmayin ama bizim hatamiz yok", "bizim hatamiz yok"),
        ("Maalesef politikamız gereği bunu sizin için yapamıyoruz.",
         "politikamız gereği bunu sizin için yapamıyoruz"),
        ("MÜDÜRÜMÜ ÇAĞIRAYIM.", "MÜDÜRÜMÜ ÇAĞIRAYIM"),
    ],
)
def test_avoid_phrase_is_found_tolerantly(shipped: PlaybookSet, text: str, phrase: str) -> None:
    (hit,) = _check(shipped, text, ["complaint"], "tr")["avoid"]
    assert hit["playbook"] == "complaint"
    assert hit["phrase"] == phrase == text[hit["start"] : hit["end"]]
    pairs = {p.avoid: p.say for p in shipped.playbooks["complaint"].guidance["tr"].say_instead}
    assert hit["say"] == pairs[hit["avoid"]]


@pytest.mark.parametrize(
    ("text", "active", "lang"),
    [
        ("Bizim ekibimiz hatasız çalışmaya özen gösterir; sorununuzu hemen çözüyorum.",
         ["complaint"], "tr"),
        ("Politikamızı yeni güncelledik, yeni kampanyalarımızı yapıyoruz.", ["complaint"], "tr"),
        ("Yanlış anlaşılma için özür dilerim, ben yanlış anlamışım.", ["complaint"], "tr"),
        ("There's nothing you need to do, the replacement is on its way.", ["order_problem"], "en"),
        ("It's not your fault at all, I'm fixing it now.", ["complaint"], "en"),
        ("Bunda bizim hatamız yok.", ["billing"], "tr"),  # not an avoid line of this playbook
        ("Sistemdə yenilənmə var, hesabınız düzgün hesablanıb.", ["billing"], "az"),
    ],
)
def test_unrelated_text_is_not_an_avoid_phrase(
    shipped: PlaybookSet, text: str, active: list[str], lang: str
) -> None:
    assert _check(shipped, text, active, lang)["avoid"] == []


def test_english_avoid_phrase_and_near_miss(shipped: PlaybookSet) -> None:
    (hit,) = _check(shipped, "Unfortunately there is nothing we can do.", ["order_problem"],
                    "en")["avoid"]
    assert (hit["phrase"], hit["avoid"]) == ("there is nothing we can do",
                                             "There's nothing I can do.")
    assert hit["say"] == "I can arrange a replacement right away, or a refund if you prefer."


def test_every_shipped_avoid_line_is_found_and_no_say_line_is(shipped: PlaybookSet) -> None:
    everyone = list(shipped.playbooks)
    for playbook_id, playbook in shipped.playbooks.items():
        for lang, guidance in playbook.guidance.items():
            for pair in guidance.say_instead:
                for text in (pair.avoid, fold(pair.avoid)):
                    found = _check(shipped, text, [playbook_id], lang)["avoid"]
                    assert [hit["avoid"] for hit in found] == [pair.avoid], text
                assert _check(shipped, pair.say, everyone, lang)["avoid"] == [], pair.say
            reply = guidance.first_reply.replace("{name}", "Aysel")
            assert _check(shipped, reply, everyone, lang)["avoid"] == [], reply


@pytest.mark.parametrize(
    ("lang", "draft", "apology"),
    [
        ("tr",
         "Merhaba, talebinizi bizzat üstlendim. Hangi çözümü tercih edersiniz? "
         "Yarın saat 15:00'e kadar size dönüş yapacağım.",
         "Yaşadıklarınız için özür dileriz."),
        ("tr",
         "merhaba, talebinizi bizzat ustlendim. hangi cozumu tercih edersiniz? "
         "yarin saat 15:00'e kadar size donus yapacagim.",
         "yasadiklariniz icin ozur dileriz."),
        ("az",
         "Salam, müraciətinizi şəxsən öz üzərimə götürdüm. Hansı həlli üstün tutursunuz? "
         "Sabah saat 15:00-a qədər sizə xəbər verəcəyəm.",
         "Yaşadıqlarınıza görə üzr istəyirik."),
        ("az",
         "salam, muracietinizi sexsen oz uzerime goturdum. hansi helli ustun tutursunuz? "
         "sabah saat 15:00-a qeder size xeber vereceyem.",
         "yasadiqlariniza gore uzr isteyirik."),
        ("en",
         "Hi, I'm looking into this personally. Would you prefer a refund or store credit? "
         "I'll get back to you by 3 pm tomorrow.",
         "I'm so sorry about how you were treated."),
    ],
)
def test_missing_apology_then_added(shipped: PlaybookSet, lang: str, draft: str,
                                    apology: str) -> None:
    title = shipped.playbooks["complaint"].title[lang]
    first_step = shipped.playbooks["complaint"].guidance[lang].reply_checks[0].step
    result = _check(shipped, draft, ["complaint"], lang)
    assert result["missing"] == [{"playbook": "complaint", "title": title, "step": first_step}]
    assert _check(shipped, f"{draft} {apology}", ["complaint"], lang)["missing"] == []


@pytest.mark.parametrize(
    ("lang", "text", "step"),
    [
        ("tr", "Maalesef siparişiniz gecikti, kargo yolda.", "Özür dileyin"),
        ("az", "Təəssüf ki, sifarişiniz gecikir.", "Üzr istəyin"),
        ("en", "Unfortunately your order is late.", "Apologise"),
    ],
)
def test_unfortunately_is_not_an_apology(shipped: PlaybookSet, lang: str, text: str,
                                         step: str) -> None:
    assert step in _missing(_check(shipped, text, ["order_problem"], lang))


def test_vague_time_is_no_promise_and_lists_the_date_step(shipped: PlaybookSet) -> None:
    text = "Yaşadıklarınız için özür dileriz. En kısa sürede size dönüş yapacağım."
    result = _check(shipped, text, ["complaint"], "tr")
    assert result["promises"] == []
    assert _missing(result) == ["Sorunu üstlenin", "Tercih ettiği çözümü sorun", "Bir tarih verin"]


# One natural sentence per keyword check of the shipped playbooks; each must pass its own step
# as written, typed without diacritics and in capitals.
PASSING = [
    ("complaint", "tr", "Özür dileyin", "Bu durum için özür diliyorum."),
    ("complaint", "tr", "Sorunu üstlenin", "Bu konuyla şimdi ben ilgileniyorum."),
    ("complaint", "tr", "Tercih ettiği çözümü sorun", "İsterseniz indirim tanımlayabilirim."),
    ("complaint", "az", "Üzr istəyin", "Baş verənlərə görə təəssüf edirəm."),
    ("complaint", "az", "Problemi üzərinizə götürün", "Bu məsələ ilə indi özüm məşğul oluram."),
    ("complaint", "az", "İstədiyi həlli soruşun", "Endirim istəyirsinizmi?"),
    ("complaint", "en", "Apologise", "I apologise for the wait."),
    ("complaint", "en", "Take ownership", "I will take care of this myself."),
    ("complaint", "en", "Ask their preferred outcome", "Which of these options works for you?"),
    ("order_problem", "tr", "Özür dileyin", "Gecikme için özür dileriz."),
    ("order_problem", "tr", "Kaydı kendiniz kontrol edin", "Kargo kaydını kontrol ettim."),
    ("order_problem", "tr", "Çözüm sunun", "Size yeni bir gönderim hazırlıyorum."),
    ("order_problem", "az", "Üzr istəyin", "Narahatlığa görə bizi bağışlayın."),
    ("order_problem", "az", "Qeydi özünüz yoxlayın", "Çatdırılma qeydini indi yoxlayıram."),
    ("order_problem", "az", "Həll təklif edin", "Sizə yeni göndəriş təşkil edirəm."),
    ("order_problem", "en", "Apologise", "Please accept our apologies."),
    ("order_problem", "en", "Check it yourself", "I've checked the tracking."),
    ("order_problem", "en", "Offer a fix", "We will send a replacement."),
    ("billing", "tr", "Teşekkür edin", "Bildiriminiz için teşekkürler."),
    ("billing", "tr", "Kayıtları kendiniz inceleyin", "Faturanızı inceliyorum."),
    ("billing", "az", "Təşəkkür edin", "Sağ olun, məlumat üçün."),
    ("billing", "az", "Qeydləri özünüz yoxlayın", "Ödəniş qeydlərinizi yoxladım."),
    ("billing", "en", "Thank the customer", "Thanks for letting us know."),
    ("billing", "en", "Check the records yourself", "I reviewed the payment records."),
    ("technical_issue", "tr", "Hata mesajı veya ekran görüntüsü isteyin",
     "Ekran görüntüsünü gönderebilir misiniz?"),
    ("technical_issue", "tr", "Cihaz ve sürümü sorun", "Uygulamanın sürümü nedir?"),
    ("technical_issue", "az", "Xəta mesajı və ya ekran şəkli istəyin",
     "Xəta mesajını yaza bilərsinizmi?"),
    ("technical_issue", "az", "Cihazı və versiyanı soruşun", "Hansı cihazdan istifadə edirsiniz?"),
    ("technical_issue", "en", "Ask for the error or a screenshot", "Could you send a screenshot?"),
    ("technical_issue", "en", "Ask for the device and version", "Which browser version is it?"),
    ("refund_exchange", "tr", "Teşekkür edin", "Teşekkür ederiz."),
    ("refund_exchange", "tr", "İadeyi siz başlatın", "İade talebinizi oluşturdum."),
    ("refund_exchange", "az", "Təşəkkür edin", "Təşəkkür edirik."),
    ("refund_exchange", "az", "Qaytarmanı özünüz başladın", "Qaytarma prosesini başlatdım."),
    ("refund_exchange", "en", "Thank the customer", "Thank you for your patience."),
    ("refund_exchange", "en", "Start the refund yourself", "I've started the refund."),
    ("escalation_request", "tr", "Talep için teşekkür edin", "Talebiniz için teşekkürler."),
    ("escalation_request", "tr", "Kimin döneceğini söyleyin", "Ekip liderimiz size dönecek."),
    ("escalation_request", "az", "Müraciət üçün təşəkkür edin",
     "Müraciətiniz üçün təşəkkür edirik."),
    ("escalation_request", "az", "Kimin əlaqə saxlayacağını deyin",
     "Rəhbərimiz sizinlə əlaqə saxlayacaq."),
    ("escalation_request", "en", "Thank them for the request", "Thanks for asking."),
    ("escalation_request", "en", "Say who will contact them", "Our team lead will reply to you."),
    ("praise", "tr", "Teşekkür edin", "Buna çok sevindik!"),
    ("praise", "tr", "Övgüyü ilettiğinizi söyleyin", "Sözlerinizi ekibe ileteceğim."),
    ("praise", "tr", "Başka bir isteği olup olmadığını sorun",
     "Başka bir konuda yardımcı olabilir miyim?"),
    ("praise", "az", "Təşəkkür edin", "Buna çox şadıq!"),
    ("praise", "az", "Tərifi çatdırdığınızı deyin", "Sözlərinizi həmkarımıza çatdırdım."),
    ("praise", "az", "Başqa sualı olub-olmadığını soruşun", "Başqa sualınız varmı?"),
    ("praise", "en", "Thank the customer", "Thank you so much!"),
    ("praise", "en", "Say you passed the praise on", "I shared your message with the team."),
    ("praise", "en", "Ask if they need anything else", "Is there anything else I can help with?"),
]


@pytest.mark.parametrize(("playbook_id", "lang", "step", "sentence"), PASSING)
def test_reply_check_keywords_pass_their_step(
    shipped: PlaybookSet, playbook_id: str, lang: str, step: str, sentence: str
) -> None:
    steps = [check.step for check in shipped.playbooks[playbook_id].guidance[lang].reply_checks]
    assert step in steps
    assert step in _missing(_check(shipped, "Merhaba.", [playbook_id], lang))
    for text in (sentence, fold(sentence), sentence.upper()):
        assert step not in _missing(_check(shipped, text, [playbook_id], lang)), text


def test_every_shipped_ticket_playbook_has_checks_in_every_language(
    shipped: PlaybookSet,
) -> None:
    for playbook in shipped.playbooks.values():
        if playbook.kind != "ticket":
            continue
        for lang in ("tr", "az", "en"):
            checks = playbook.guidance[lang].reply_checks
            assert 2 <= len(checks) <= 4, (playbook.id, lang)
            keyword_steps = {c.step for c in checks if c.any}
            covered = {s for p, lng, s, _ in PASSING if (p, lng) == (playbook.id, lang)}
            assert keyword_steps == covered, (playbook.id, lang)


def test_draft_language_without_guidance_gets_no_playbook_findings(
    shipped: PlaybookSet,
) -> None:
    complaint = shipped.playbooks["complaint"]
    turkish_only = complaint.model_copy(update={"guidance": {"tr": complaint.guidance["tr"]}})
    playbooks = {**shipped.playbooks, "complaint": turkish_only}
    custom = PlaybookSet(playbooks=playbooks, version="tr-only")
    text = "That isn't our fault. That's not my department."
    result = _check(custom, text, ["complaint"], None)
    assert result["language"] == "en"
    assert (result["avoid"], result["missing"]) == ([], [])
    categories = [hit["category"] for hit in result["deflections"]]
    assert categories == ["not_our_fault", "not_my_department"]
    assert [hit["avoid"] for hit in _check(shipped, text, ["complaint"])["avoid"]] == [
        "That isn't our fault."
    ]


def test_other_language_falls_back_to_english(shipped: PlaybookSet) -> None:
    result = _check(shipped, "Здравствуйте, мы проверим ваш заказ завтра.", ["complaint"])
    assert result["language"] == "en"
    assert _missing(result) == ["Apologise", "Take ownership", "Ask their preferred outcome",
                                "Give a date"]


def test_unknown_and_repeated_active_ids(shipped: PlaybookSet) -> None:
    result = _check(shipped, "Merhaba.", ["nope", "praise", "praise"], "tr")
    assert [item["playbook"] for item in result["missing"]] == ["praise"] * 3
    assert _check(shipped, "Merhaba.", ["nope"], "tr")["missing"] == []


@pytest.mark.parametrize(("text", "language", "expected"), [("", None, "en"), ("  \n", "az", "az")])
def test_empty_text(shipped: PlaybookSet, text: str, language: str | None, expected: str) -> None:
    assert _check(shipped, text, ["complaint"], language) == {
        "language": expected, "deflections": [], "avoid": [], "promises": [], "missing": [],
        "truncated": False,
    }


def test_huge_text_is_bounded(shipped: PlaybookSet) -> None:
    sentence = "Bu konu bizim departmanımızı ilgilendirmiyor, muhasebeye yazın. "
    text = sentence * (100_000 // len(sentence) + 1)
    _check(shipped, sentence, ["complaint"])  # compile and load models outside the timing
    start = time.perf_counter()
    result = _check(shipped, text, ["complaint"], None)
    assert time.perf_counter() - start < 2.0
    assert result["truncated"] is True
    assert result["language"] == "tr"
    assert result["deflections"]
    assert all(hit["end"] <= MAX_CHARS for hit in result["deflections"])


def test_compiled_checks_follow_a_new_playbook_set(shipped: PlaybookSet) -> None:
    praise = shipped.playbooks["praise"]
    guidance = praise.guidance["en"].model_copy(
        update={"reply_checks": [ReplyCheck(step="Say hello", any=["hello*"])]}
    )
    changed = praise.model_copy(update={"guidance": {**praise.guidance, "en": guidance}})
    custom = PlaybookSet(playbooks={**shipped.playbooks, "praise": changed}, version="x")
    assert _missing(_check(custom, "Thanks!", ["praise"], "en")) == ["Say hello"]
    assert _missing(_check(custom, "Hellooo, thanks!", ["praise"], "en")) == []
    assert "Say hello" not in _missing(_check(shipped, "Thanks!", ["praise"], "en"))
