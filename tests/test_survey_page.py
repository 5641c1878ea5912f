"""The survey: signed link tokens, the e-mail's one-click links, the page that records answers."""

import re
import time

import pytest
from itsdangerous import TimestampSigner

from plugin import create_app
from plugin.services import Services
from plugin.surveys import SCALES
from plugin.surveys.links import survey_links
from plugin.surveys.tokens import BadToken, issue_token, read_token
from plugin.web.surveys import CSRF_COOKIE
from tests.conftest import make_settings

SECRET = "survey-test-secret"


def old_token(monkeypatch, secret: str, age: int) -> str:
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - age)
        return issue_token(secret, "zendesk", "42", "en", ("csat",))[1]


def test_a_token_carries_its_claim_and_rejects_everything_else(monkeypatch):
    token_id, token = issue_token(SECRET, "zendesk", "42", "az", ("ces", "csat", "ces"))
    claim = read_token(SECRET, token)
    assert (claim.token_id, claim.vendor, claim.ticket_id) == (token_id, "zendesk", "42")
    assert (claim.language, claim.asks) == ("az", ("csat", "ces"))
    assert issue_token(SECRET, "zendesk", "42", "az", ("csat",))[0] != token_id
    assert read_token(SECRET, issue_token(SECRET, "zendesk", "1", "ru", ("nps",))[1]).language \
        == "en"
    cases = {"forged": issue_token("another", "zendesk", "42", "en", ("csat",))[1],
             "expired": old_token(monkeypatch, SECRET, 15 * 86400),
             "malformed": "garbage"}
    for reason, bad in cases.items():
        with pytest.raises(BadToken) as caught:
            read_token(SECRET, bad)
        assert caught.value.reason == reason
    with pytest.raises(BadToken, match="forged"):
        read_token(SECRET, token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB"))
    assert read_token(SECRET, old_token(monkeypatch, SECRET, 86400)).ticket_id == "42"
    with pytest.raises(ValueError):
        issue_token(SECRET, "zendesk", "42", "en", ("stars",))


@pytest.mark.parametrize("asks", [("csat",), ("csat", "nps", "ces"), ("nps",)])
def test_the_email_has_one_link_per_score(asks):
    html = survey_links("https://help.example/", "T.o.k", asks, "tr")
    for ask, (low, high) in SCALES.items():
        hrefs = re.findall(rf'href="https://help\.example/s/T\.o\.k\?{ask}=(\d+)"', html)
        expected = list(range(low, high + 1)) if ask in asks else []
        assert list(map(int, hrefs)) == expected
    assert len(re.findall("<a ", html)) == sum(len(range(*SCALES[a])) + 1 for a in asks)
    assert set(re.findall(r"<(\w+)", html)) <= {"p", "a", "br", "strong"}
    assert ("5 – Harika" in html) == ("csat" in asks)


def test_the_email_escapes_every_text():
    html = survey_links('https://x.example/"><script>', "tok", ("csat",), "en")
    assert "<script>" not in html and "&lt;script&gt;" in html and "&#34;&gt;" in html
    assert "Thank you" in survey_links("https://x", "t", ("csat",), "xx")
    assert "təşəkkür" in survey_links("https://x", "t", ("csat",), "az")


@pytest.fixture
def page(services):
    return create_app(services.settings, services).test_client(), services


def survey(services, language="tr", asks=("csat",)) -> str:
    return issue_token(services.secret_key, "zendesk", "42", language, asks)[1]


def csrf(body: bytes) -> str:
    return re.search(rb'name="csrf" value="([^"]+)"', body).group(1).decode()


def test_get_shows_the_choice_and_records_nothing(page):
    client, services = page
    token = survey(services)
    response = client.get(f"/s/{token}?csat=4")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'name="csat" value="4" checked', body)
    assert body.count(" checked>") == 1
    assert '<html lang="tr">' in body and 'name="viewport"' in body
    cookie = response.headers["Set-Cookie"]
    for part in ("HttpOnly", "SameSite=Strict", "Path=/s/", csrf(response.data)):
        assert part in cookie
    assert "Secure" not in cookie
    assert services.store.survey_answers("zendesk", "42") == []
    assert services.store.events() == []


def test_post_needs_the_cookie_and_answers_once(page):
    client, services = page
    token = survey(services, asks=("csat", "nps"))
    field = csrf(client.get(f"/s/{token}").data)
    client.delete_cookie(CSRF_COOKIE, path="/s/")
    answer = {"csrf": field, "csat": "5", "nps": "0", "comment": "<script>alert(1)</script>"}
    assert client.post(f"/s/{token}", data=answer).status_code == 403
    assert services.store.survey_answers("zendesk", "42") == []
    field = csrf(client.get(f"/s/{token}").data)
    response = client.post(f"/s/{token}", data={**answer, "csrf": field})
    assert response.status_code == 200 and "Teşekkür" in response.get_data(as_text=True)
    [stored] = services.store.survey_answers("zendesk", "42")
    assert (stored.csat, stored.nps, stored.ces) == (5, 0, None)
    assert stored.comment == "<script>alert(1)</script>"
    assert [e.event_type for e in services.store.events()] == ["survey.answered"]
    again = client.post(f"/s/{token}", data={**answer, "csrf": field})
    assert again.status_code == 409 and "zaten" in again.get_data(as_text=True)
    assert client.get(f"/s/{token}").status_code == 409
    assert len(services.store.survey_answers("zendesk", "42")) == 1
    assert len(services.store.events()) == 1
    assert b"<script>" not in response.data and b"<script>" not in again.data


def test_bad_links_are_not_valid(page, monkeypatch):
    client, services = page
    for token in (issue_token("another-secret", "zendesk", "42", "tr", ("csat",))[1],
                  old_token(monkeypatch, services.secret_key, 15 * 86400), "garbage"):
        for response in (client.get(f"/s/{token}?csat=5"),
                         client.post(f"/s/{token}", data={"csat": "5"})):
            assert response.status_code == 404
            assert "not valid" in response.get_data(as_text=True)
    assert services.store.events() == []


@pytest.mark.parametrize("form", [
    {"csat": "6"}, {"csat": "0"}, {"csat": "-1"}, {"csat": "4.5"}, {"csat": "٤"},
    {"csat": "3", "ces": "2"}, {}, {"comment": "only words"}, {"csat": "3", "comment": "x" * 2001},
])
def test_bad_values_are_refused(page, form):
    client, services = page
    token = survey(services, "en", ("csat", "nps"))
    field = csrf(client.get(f"/s/{token}").data)
    response = client.post(f"/s/{token}", data={**form, "csrf": field})
    assert response.status_code == 400
    assert 'role="alert"' in response.get_data(as_text=True)
    assert services.store.survey_answers("zendesk", "42") == []


def test_a_rejected_comment_is_shown_back_escaped(page):
    client, services = page
    token = survey(services, "en")
    field = csrf(client.get(f"/s/{token}").data)
    response = client.post(f"/s/{token}", data={"csrf": field, "comment": "<script>x</script>"})
    assert response.status_code == 400
    assert b"<script>x" not in response.data and b"&lt;script&gt;x" in response.data


@pytest.mark.parametrize(("language", "words"), [
    ("tr", ("Gönder", "Harika", "tavsiye", "kolaydı")),
    ("az", ("Göndər", "Əla", "tövsiyə", "asan")),
    ("en", ("Send", "Great", "recommend", "easy")),
])
def test_each_language_speaks_its_own_words(page, language, words):
    client, services = page
    body = client.get(f"/s/{survey(services, language, ('csat', 'nps', 'ces'))}?nps=9")
    text = body.get_data(as_text=True)
    assert f'<html lang="{language}">' in text and 'name="nps" value="9" checked' in text
    assert all(word in text for word in words)
    assert text.count('type="radio"') == 5 + 11 + 7


def test_the_cookie_is_secure_behind_https(tmp_path):
    settings = make_settings(tmp_path, public_url="https://help.example")
    services = Services(settings)
    services.migrate()
    response = create_app(settings, services).test_client().get(f"/s/{survey(services)}")
    assert "Secure" in response.headers["Set-Cookie"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
