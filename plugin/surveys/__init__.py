"""The satisfaction survey's vocabulary: the questions, their scales and wording in tr/az/en."""

from __future__ import annotations

LANGUAGES = ("tr", "az", "en")
# Every question the survey can ask, in the order it asks them, with its (lowest, highest).
SCALES: dict[str, tuple[int, int]] = {"csat": (1, 5), "nps": (0, 10), "ces": (1, 7)}
MAX_COMMENT_CHARS = 2000  # the "comment_too_long" texts below say this number


def survey_language(code: str | None) -> str:
    """CODE when the survey speaks it, else English."""
    return code if code in LANGUAGES else "en"


QUESTIONS: dict[str, dict[str, str]] = {
    "tr": {
        "csat": "Aldığınız destekten ne kadar memnun kaldınız?",
        "nps": "Bizi bir arkadaşınıza ya da iş arkadaşınıza tavsiye etme olasılığınız nedir?",
        "ces": "Sorununuzu çözdürmek sizin için ne kadar kolaydı?",
    },
    "az": {
        "csat": "Aldığınız dəstəkdən nə dərəcədə razı qaldınız?",
        "nps": "Bizi dostunuza və ya həmkarınıza tövsiyə etmə ehtimalınız nə qədərdir?",
        "ces": "Probleminizi həll etdirmək sizin üçün nə qədər asan oldu?",
    },
    "en": {
        "csat": "How satisfied are you with the help you received?",
        "nps": "How likely are you to recommend us to a friend or colleague?",
        "ces": "How easy was it to get your issue resolved?",
    },
}

# Words for the points of each scale; CSAT names every point, NPS and CES only the ends.
SCALE_WORDS: dict[str, dict[str, dict[int, str]]] = {
    "tr": {
        "csat": {1: "Çok kötü", 2: "Kötü", 3: "Orta", 4: "İyi", 5: "Harika"},
        "nps": {0: "Hiç olası değil", 10: "Kesinlikle"},
        "ces": {1: "Çok zor", 7: "Çok kolay"},
    },
    "az": {
        "csat": {1: "Çox pis", 2: "Pis", 3: "Orta", 4: "Yaxşı", 5: "Əla"},
        "nps": {0: "Heç ehtimal yoxdur", 10: "Mütləq"},
        "ces": {1: "Çox çətin", 7: "Çox asan"},
    },
    "en": {
        "csat": {1: "Very poor", 2: "Poor", 3: "Okay", 4: "Good", 5: "Great"},
        "nps": {0: "Not at all likely", 10: "Extremely likely"},
        "ces": {1: "Very difficult", 7: "Very easy"},
    },
}

# Everything else the customer reads: the e-mail's opening and the survey page's messages.
TEXTS: dict[str, dict[str, str]] = {
    "tr": {
        "thanks": "Bizimle iletişime geçtiğiniz için teşekkür ederiz.",
        "ask": "Deneyiminizi tek bir tıkla değerlendirebilir misiniz?",
        "title": "Deneyiminizi değerlendirin",
        "comment": "Eklemek istediğiniz bir şey var mı? (isteğe bağlı)",
        "submit": "Gönder",
        "invalid_values": "Lütfen her soru için listeden bir puan seçin.",
        "comment_too_long": "Yorumunuz en fazla 2000 karakter olabilir.",
        "done_title": "Teşekkür ederiz!",
        "done": "Yanıtınızı aldık. Bize zaman ayırdığınız için teşekkürler.",
        "used_title": "Bu anket zaten yanıtlandı",
        "used": "Bu bağlantıyla daha önce yanıt verilmiş. Yeniden yanıtlamanıza gerek yok.",
        "invalid_title": "Bu bağlantı geçerli değil",
        "invalid": "Bağlantının süresi dolmuş ya da bağlantı eksik kopyalanmış olabilir.",
        "expired_form_title": "Sayfanın süresi doldu",
        "expired_form": "Lütfen e-postadaki bağlantıyı yeniden açıp tekrar deneyin.",
        "error_title": "Bir şeyler ters gitti",
        "error": "Lütfen e-postadaki bağlantıyı yeniden açıp tekrar deneyin.",
    },
    "az": {
        "thanks": "Bizimlə əlaqə saxladığınız üçün təşəkkür edirik.",
        "ask": "Təcrübənizi bir kliklə qiymətləndirə bilərsinizmi?",
        "title": "Təcrübənizi qiymətləndirin",
        "comment": "Əlavə etmək istədiyiniz bir şey varmı? (istəyə bağlı)",
        "submit": "Göndər",
        "invalid_values": "Zəhmət olmasa, hər sual üçün siyahıdan bir bal seçin.",
        "comment_too_long": "Şərhiniz ən çox 2000 simvol ola bilər.",
        "done_title": "Təşəkkür edirik!",
        "done": "Cavabınızı aldıq. Bizə vaxt ayırdığınız üçün təşəkkürlər.",
        "used_title": "Bu sorğu artıq cavablandırılıb",
        "used": "Bu keçidlə artıq cavab verilib. Yenidən cavab verməyinizə ehtiyac yoxdur.",
        "invalid_title": "Bu keçid etibarlı deyil",
        "invalid": "Keçidin müddəti bitmiş və ya keçid natamam köçürülmüş ola bilər.",
        "expired_form_title": "Səhifənin müddəti bitib",
        "expired_form": "Zəhmət olmasa, e-poçtdakı keçidi yenidən açıb bir daha cəhd edin.",
        "error_title": "Nəsə düz getmədi",
        "error": "Zəhmət olmasa, e-poçtdakı keçidi yenidən açıb bir daha cəhd edin.",
    },
    "en": {
        "thanks": "Thank you for getting in touch with us.",
        "ask": "Could you rate your experience with a single click?",
        "title": "Rate your experience",
        "comment": "Anything you would like to add? (optional)",
        "submit": "Send",
        "invalid_values": "Please choose a score from the list for each question.",
        "comment_too_long": "Your comment can be at most 2000 characters long.",
        "done_title": "Thank you!",
        "done": "We have received your answer. Thank you for your time.",
        "used_title": "This survey has already been answered",
        "used": "An answer was already sent with this link. There is no need to answer again.",
        "invalid_title": "This link is not valid",
        "invalid": "The link may have expired, or it may have been copied only in part.",
        "expired_form_title": "This page has expired",
        "expired_form": "Please open the link in the e-mail again and try once more.",
        "error_title": "Something went wrong",
        "error": "Please open the link in the e-mail again and try once more.",
    },
}
