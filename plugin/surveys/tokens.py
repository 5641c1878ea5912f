"""Signed, expiring survey link tokens: what a link may answer is read only from its signature."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from itsdangerous import BadPayload, BadSignature, SignatureExpired, URLSafeTimedSerializer

from plugin.surveys import LANGUAGES, SCALES, survey_language

SALT = "followthrough-survey"
MAX_AGE_SECONDS = 14 * 86400
MAX_TOKEN_CHARS = 1024
# payload.timestamp.signature, base64url pieces; a leading "." marks a compressed payload.
_SHAPE = re.compile(r"\.?[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


class BadToken(Exception):
    """A survey token that must not be honoured; REASON is forged, expired or malformed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SurveyClaim:
    """What a valid token lets its holder answer, exactly as it was signed."""

    token_id: str
    vendor: str
    ticket_id: str
    language: str
    asks: tuple[str, ...]


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=SALT)


def _checked_asks(asks: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    if not asks or any(ask not in SCALES for ask in asks):
        raise ValueError(f"a survey asks some of {tuple(SCALES)}, not {asks!r}")
    return tuple(ask for ask in SCALES if ask in asks)


def issue_token(secret: str, vendor: str, ticket_id: str, language: str,
                asks: tuple[str, ...]) -> tuple[str, str]:
    """(token_id, token) for one survey link; the token id makes the link single-use.

    A LANGUAGE the survey does not speak (say "ru") gets the English survey.
    """
    token_id = secrets.token_urlsafe(12)
    payload = [token_id, vendor, str(ticket_id), survey_language(language),
               list(_checked_asks(asks))]
    return token_id, _serializer(secret).dumps(payload)


def read_token(secret: str, token: str, max_age_seconds: int = MAX_AGE_SECONDS) -> SurveyClaim:
    """The claim a genuine, unexpired token carries; BadToken for anything else."""
    if len(token) > MAX_TOKEN_CHARS or not _SHAPE.fullmatch(token):
        raise BadToken("malformed")
    try:
        payload = _serializer(secret).loads(token, max_age=max_age_seconds)
    except SignatureExpired as exc:
        raise BadToken("expired") from exc
    except BadPayload as exc:
        raise BadToken("malformed") from exc
    except BadSignature as exc:
        raise BadToken("forged") from exc
    try:
        token_id, vendor, ticket_id, language, asks = payload
        fields = (token_id, vendor, ticket_id, language, *asks)
        if not all(isinstance(field, str) for field in fields) or language not in LANGUAGES:
            raise ValueError(payload)
        return SurveyClaim(token_id, vendor, ticket_id, language, _checked_asks(asks))
    except (TypeError, ValueError) as exc:
        raise BadToken("malformed") from exc
