"""Proof that a panel request comes from the helpdesk: Zendesk's signed app token, then our own
short-lived panel session."""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass

import jwt
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

# Zendesk POSTs the sidebar's first page with a form field `token`: a JWT signed RS256 with the
# app's key; its audience is the installation's API URL and its issuer the account's host.
# Claims: exp, nbf, iss, aud, iat, sub, cnf, qsh, context{product, location}. Sources:
# https://developer.zendesk.com/documentation/apps/build-an-app/building-a-server-side-app/part-5-secure-the-app
# https://developer.zendesk.com/documentation/apps/app-developer-guide/using-the-apps-framework/#jwt-claims
LEEWAY_SECONDS = 30
SESSION_SALT = "followthrough panel session"
MAX_SESSION_AGE = 12 * 3600  # a rolling session still ends after a working day
MAX_TOKEN_CHARS = 8192
_AUDIENCE = re.compile(r"https://(?P<host>[a-z0-9][a-z0-9-]*)\.zendesk\.com"
                       r"/api/v2/apps/installations/(?P<installation>[0-9]{1,20})\.json")


class SignInError(Exception):
    """The proof was refused; REASON is short and safe to show (expired, audience, …)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class AppClaims:
    """What a verified Zendesk app token tells us."""

    subdomain: str
    installation_id: str
    agent_id: str
    location: str
    expires_at: int
    fingerprint: str  # a digest of the token, to refuse it a second time


def verify_app_token(token: str, public_key: str, subdomain: str,
                     installation_id: str | None = None, now: float | None = None) -> AppClaims:
    """Check signature (RS256 only), expiry, issuer and audience of a Zendesk app token."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        raise SignInError("malformed")
    now = time.time() if now is None else now
    try:
        # PyJWT checks exp/nbf/iat against its own clock; we check them against NOW below so
        # that tests and replays are judged on one clock.
        claims = jwt.decode(
            token, public_key, algorithms=["RS256"], issuer=f"{subdomain}.zendesk.com",
            options={"require": ["exp", "iat", "iss", "aud"], "verify_aud": False,
                     "verify_exp": False, "verify_nbf": False, "verify_iat": False})
    except jwt.InvalidIssuerError as exc:
        raise SignInError("issuer") from exc
    except jwt.InvalidSignatureError as exc:
        raise SignInError("signature") from exc
    except jwt.InvalidAlgorithmError as exc:
        raise SignInError("algorithm") from exc
    except jwt.PyJWTError as exc:
        raise SignInError("malformed") from exc
    if not all(isinstance(claims.get(k), int | float) for k in ("exp", "iat")):
        raise SignInError("malformed")
    if claims["exp"] + LEEWAY_SECONDS < now:
        raise SignInError("expired")
    if claims.get("nbf", claims["iat"]) - LEEWAY_SECONDS > now:
        raise SignInError("not yet valid")
    audience = _AUDIENCE.fullmatch(str(claims["aud"]))
    if audience is None or audience["host"] != subdomain or (
            installation_id and audience["installation"] != installation_id):
        raise SignInError("audience")
    context = claims.get("context") if isinstance(claims.get("context"), dict) else {}
    return AppClaims(subdomain=subdomain, installation_id=audience["installation"],
                     agent_id=str(claims.get("sub") or "")[:64],
                     location=str(context.get("location") or "")[:64],
                     expires_at=int(claims["exp"]),
                     fingerprint=hashlib.sha256(token.encode()).hexdigest()[:40])


@dataclass(frozen=True)
class PanelSession:
    """A signed-in panel: which helpdesk, which agent, since when."""

    vendor: str
    agent_id: str
    started: int


class Sessions:
    """Issue and read panel session tokens: signed, expiring, renewed while in use."""

    def __init__(self, secret_key: str, lifetime_seconds: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt=SESSION_SALT)
        self.lifetime = lifetime_seconds

    def issue(self, vendor: str, agent_id: str, started: int | None = None) -> str:
        started = int(time.time()) if started is None else started
        return self._serializer.dumps({"v": vendor, "a": agent_id, "o": started})

    def read(self, token: str) -> tuple[PanelSession, bool]:
        """The session and whether it is old enough to be renewed; SignInError when refused."""
        if not token or len(token) > MAX_TOKEN_CHARS:
            raise SignInError("no session")
        try:
            data, signed_at = self._serializer.loads(token, max_age=self.lifetime,
                                                     return_timestamp=True)
        except SignatureExpired as exc:
            raise SignInError("session expired") from exc
        except BadSignature as exc:
            raise SignInError("no session") from exc
        if not isinstance(data, dict) or data.get("v") not in ("zendesk", "freshdesk") or \
                not isinstance(data.get("o"), int) or not isinstance(data.get("a"), str):
            raise SignInError("no session")
        if time.time() - data["o"] > MAX_SESSION_AGE:
            raise SignInError("session expired")
        session = PanelSession(vendor=data["v"], agent_id=data["a"], started=data["o"])
        renew = time.time() - signed_at.timestamp() > self.lifetime / 2
        return session, renew
