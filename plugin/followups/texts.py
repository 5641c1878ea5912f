"""The words of follow-up notes and tasks in tr, az and en."""

from __future__ import annotations

import html

TEXTS = {
    "tr": {
        "survey_result": "Memnuniyet anketi sonucu",
        "comment": "Müşterinin yorumu",
        "recovery": "Düşük puan: müşteriyi arayın, ne olduğunu dinleyin ve telafi edin.",
        "referral": "Müşteri çok memnun: kişisel bir tavsiye rica etmek için iyi bir an.",
        "call_subject": "Takip araması",
        "call_confirm": "Sorunun gerçekten çözüldüğünü ve müşterinin memnun olduğunu teyit edin.",
        "call_recovery": "Düşük memnuniyet puanı verdi; özür dileyin, dinleyin, telafi önerin.",
        "local_time": "Müşterinin yerel saati",
        "phone": "Telefon",
        "ticket": "Talep",
        "promise_risk": "Verilen söz yaklaşıyor ve talep henüz çözülmedi",
        "promise_due": "Son an",
        "promise_update": "Önerilen bilgilendirme: “Size {due} için söz vermiştim; henüz "
                          "tamamlanmadı. Şu an şunu yapıyorum: … Size en geç … bilgi vereceğim.”",
    },
    "az": {
        "survey_result": "Məmnunluq sorğusunun nəticəsi",
        "comment": "Müştərinin şərhi",
        "recovery": "Aşağı bal: müştəriyə zəng edin, nə baş verdiyini dinləyin və "
                    "kompensasiya edin.",
        "referral": "Müştəri çox məmnundur: şəxsi tövsiyə istəmək üçün yaxşı məqamdır.",
        "call_subject": "İzləmə zəngi",
        "call_confirm": "Problemin həqiqətən həll olunduğunu və müştərinin məmnun olduğunu "
                        "təsdiqləyin.",
        "call_recovery": "Aşağı məmnunluq balı verib; üzr istəyin, dinləyin, kompensasiya "
                         "təklif edin.",
        "local_time": "Müştərinin yerli vaxtı",
        "phone": "Telefon",
        "ticket": "Müraciət",
        "promise_risk": "Verilən vədin vaxtı yaxınlaşır, müraciət isə hələ həll olunmayıb",
        "promise_due": "Son vaxt",
        "promise_update": "Təklif olunan məlumat: “Sizə {due} üçün söz vermişdim; hələ "
                          "tamamlanmayıb. Hazırda bunu edirəm: … Sizə ən gec … xəbər verəcəyəm.”",
    },
    "en": {
        "survey_result": "Satisfaction survey result",
        "comment": "Customer's comment",
        "recovery": "Low score: call the customer, listen to what happened and make it right.",
        "referral": "The customer is delighted: a good moment to ask, personally, for a referral.",
        "call_subject": "Follow-up call",
        "call_confirm": "Confirm the problem is really solved and the customer is satisfied.",
        "call_recovery": "They gave a low satisfaction score; apologise, listen, offer to make "
                         "it right.",
        "local_time": "Customer's local time",
        "phone": "Phone",
        "ticket": "Ticket",
        "promise_risk": "A promised deadline is close and the ticket is not solved yet",
        "promise_due": "Deadline",
        "promise_update": "Suggested update: “I promised you this by {due}; it is not finished "
                          "yet. Right now I am …, and I will update you by … at the latest.”",
    },
}


def text(language: str, key: str, **values: str) -> str:
    """The escaped text KEY in LANGUAGE (English when the language is unknown)."""
    words = TEXTS.get(language, TEXTS["en"])[key]
    return html.escape(words.format(**values) if values else words)
