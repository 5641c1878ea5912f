"""Side panel sign-in: Zendesk's signed app token (RS256) and the panel's own session."""

import re
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from plugin import create_app
from plugin.panel import signin
from plugin.panel.signin import Sessions, SignInError, verify_app_token
from plugin.services import Services
from tests.conftest import make_settings

SUBDOMAIN = "acme"
AUDIENCE = f"https://{SUBDOMAIN}.zendesk.com/api/v2/apps/installations/77.json"


def _pem(key) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


@pytest.fixture(scope="module")
def keys():
    return (rsa.generate_private_key(public_exponent=65537, key_size=2048),
            rsa.generate_private_key(public_exponent=65537, key_size=2048))


def token(key, now=None, **changes) -> str:
    now = time.time() if now is None else now
    claims = {"iss": f"{SUBDOMAIN}.zendesk.com", "aud": AUDIENCE, "sub": "9001",
              "iat": int(now), "nbf": int(now), "exp": int(now) + 300,
              "context": {"product": "support", "location": "ticket_sidebar"}, **changes}
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm="RS256")


def reason(call) -> str:
    with pytest.raises(SignInError) as caught:
        call()
    return caught.value.reason


def test_a_good_token_names_the_installation_agent_and_location(keys):
    good = token(keys[0])
    claims = verify_app_token(good, _pem(keys[0]), SUBDOMAIN, "77")
    assert (claims.installation_id, claims.agent_id, claims.location) == \
        ("77", "9001", "ticket_sidebar")
    assert verify_app_token(good, _pem(keys[0]), SUBDOMAIN).installation_id == "77"
    assert claims.fingerprint == verify_app_token(good, _pem(keys[0]), SUBDOMAIN).fingerprint
    assert claims.fingerprint != verify_app_token(token(keys[0], sub="1"), _pem(keys[0]),
                                                  SUBDOMAIN).fingerprint


def test_expired_tokens_are_refused_with_a_little_leeway(keys):
    now = time.time()
    stale = token(keys[0], now=now - 400)  # expired 100 s ago
    assert reason(lambda: verify_app_token(stale, _pem(keys[0]), SUBDOMAIN)) == "expired"
    fresh_enough = token(keys[0], now=now - 310)  # expired 10 s ago: inside the 30 s leeway
    assert verify_app_token(fresh_enough, _pem(keys[0]), SUBDOMAIN).agent_id == "9001"
    future = token(keys[0], now=now + 600)
    assert reason(lambda: verify_app_token(future, _pem(keys[0]), SUBDOMAIN)) == \
        "not yet valid"
    assert reason(lambda: verify_app_token(token(keys[0], exp=None), _pem(keys[0]),
                                           SUBDOMAIN)) == "malformed"


@pytest.mark.parametrize("audience", [
    "https://acme.zendesk.com/api/v2/apps/installations/78.json",  # another installation
    "https://other.zendesk.com/api/v2/apps/installations/77.json",  # another account
    "https://acme.zendesk.com.evil.test/api/v2/apps/installations/77.json",
    "http://acme.zendesk.com/api/v2/apps/installations/77.json",
    "acme.zendesk.com",
])
def test_a_wrong_audience_is_refused(keys, audience):
    bad = token(keys[0], aud=audience)
    assert reason(lambda: verify_app_token(bad, _pem(keys[0]), SUBDOMAIN, "77")) == "audience"


def test_a_wrong_issuer_is_refused(keys):
    bad = token(keys[0], iss="other.zendesk.com")
    assert reason(lambda: verify_app_token(bad, _pem(keys[0]), SUBDOMAIN)) == "issuer"


def test_a_token_signed_with_another_key_is_refused(keys):
    forged = token(keys[1])
    assert reason(lambda: verify_app_token(forged, _pem(keys[0]), SUBDOMAIN)) == "signature"
    tampered = token(keys[0])
    head, _body, sig = tampered.split(".")
    other_body = token(keys[0], sub="1").split(".")[1]
    assert reason(lambda: verify_app_token(f"{head}.{other_body}.{sig}", _pem(keys[0]),
                                           SUBDOMAIN)) == "signature"


def test_only_rs256_is_accepted(keys):
    claims = jwt.decode(token(keys[0]), options={"verify_signature": False})
    unsigned = jwt.encode(claims, None, algorithm="none")
    assert reason(lambda: verify_app_token(unsigned, _pem(keys[0]), SUBDOMAIN)) == "algorithm"
    # The classic confusion: an HMAC token keyed with the public key's text.
    hmac_token = jwt.encode(claims, "x" * 32, algorithm="HS256")
    assert reason(lambda: verify_app_token(hmac_token, _pem(keys[0]), SUBDOMAIN)) == "algorithm"
    assert reason(lambda: verify_app_token("not.a.jwt", _pem(keys[0]), SUBDOMAIN)) == \
        "malformed"
    assert reason(lambda: verify_app_token("x" * 9000, _pem(keys[0]), SUBDOMAIN)) == "malformed"


def test_sessions_expire_renew_and_refuse_forgeries(monkeypatch):
    sessions = Sessions("panel-secret", lifetime_seconds=60)
    issued = sessions.issue("zendesk", "9001")
    session, renew = sessions.read(issued)
    assert (session.vendor, session.agent_id, renew) == ("zendesk", "9001", False)
    assert reason(lambda: Sessions("another", 60).read(issued)) == "no session"
    assert reason(lambda: sessions.read(issued[:-2] + "xx")) == "no session"
    assert reason(lambda: sessions.read("")) == "no session"
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 45)
    assert sessions.read(issued)[1] is True  # more than half spent: renew
    monkeypatch.setattr(time, "time", lambda: real_time() + 61)
    assert reason(lambda: sessions.read(issued)) == "session expired"
    # Renewal keeps the first sign-in time: no session outlives a working day.
    monkeypatch.setattr(time, "time", lambda: real_time() + signin.MAX_SESSION_AGE + 5)
    renewed = sessions.issue("zendesk", "9001", started=int(real_time()))
    assert reason(lambda: sessions.read(renewed)) == "session expired"


@pytest.fixture
def panel_app(tmp_path, keys):
    settings = make_settings(tmp_path, zendesk_subdomain=SUBDOMAIN, zendesk_email="a@b.c",
                             zendesk_api_token="t", zendesk_webhook_secret="w",
                             zendesk_app_public_key=_pem(keys[0]),
                             zendesk_app_installation_id="77", panel_session_seconds=2)
    services = Services(settings)
    services.migrate()
    return create_app(settings, services).test_client()


def _session_of(response) -> str:
    found = re.search(r'name="ft-session" content="([^"]+)"', response.get_data(as_text=True))
    return found.group(1) if found else ""


def test_the_panel_opens_only_with_proof_and_a_token_opens_it_once(panel_app, keys, monkeypatch):
    good = token(keys[0])
    opened = panel_app.post("/panel/zendesk", data={"token": good})
    assert opened.status_code == 200
    session = _session_of(opened)
    assert session
    csp = opened.headers["Content-Security-Policy"]
    assert "frame-ancestors https://*.zendesk.com" in csp and "script-src 'self'" in csp
    assert opened.headers["Cache-Control"] == "no-store"
    api = {"Authorization": f"Bearer {session}"}
    assert panel_app.get("/panel/api/tickets/5", headers=api).status_code == 200
    for refused in (panel_app.post("/panel/zendesk", data={"token": token(keys[1])}),
                    panel_app.post("/panel/zendesk", data={"token": token(
                        keys[0], aud=AUDIENCE.replace("77", "78"))}),
                    panel_app.post("/panel/zendesk", data={}),
                    panel_app.post("/panel/zendesk", data={"token": good})):  # replay
        assert refused.status_code == 401
        assert not _session_of(refused)
    # Once the short session has expired, replaying the first token opens nothing.
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 3)
    expired = panel_app.get("/panel/api/tickets/5", headers=api)
    assert expired.status_code == 401 and expired.json["error"] == "session expired"
    assert panel_app.post("/panel/zendesk", data={"token": good}).status_code == 401


def test_no_panel_data_without_a_session(panel_app):
    for method, path in [("GET", "/panel/api/tickets/5"), ("POST", "/panel/api/tickets/5/steps"),
                         ("POST", "/panel/api/tickets/5/followups/survey:zendesk:5/run"),
                         ("POST", "/api/lint")]:
        for headers in ({}, {"Authorization": "Bearer nonsense"},
                        {"Authorization": "Basic dXNlcjpwYXNz"}):
            response = panel_app.open(path, method=method, headers=headers, json={"text": "x"})
            assert response.status_code == 401, (method, path, headers)
            assert response.headers["WWW-Authenticate"] == "Bearer"
