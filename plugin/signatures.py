"""Webhook verification per vendor: pure functions over headers and raw bytes, constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime

REPLAY_WINDOW_SECONDS = 300


class SignatureError(ValueError):
    """The request is not provably from the helpdesk; the message says why (never the secret)."""


def zendesk_signature(secret: str, timestamp: str, body: bytes) -> str:
    """base64(HMAC-SHA256(secret, timestamp + body)), the secret used verbatim.

    Reference: https://developer.zendesk.com/documentation/webhooks/verifying/
    """
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("utf-8") + body, hashlib.sha256)
    return base64.b64encode(mac.digest()).decode("ascii")


def _parse_timestamp(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise SignatureError("signature timestamp is not an ISO 8601 time") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def verify_zendesk(
    secret: str | None,
    headers: Mapping[str, str],
    body: bytes,
    now: datetime,
    window: int = REPLAY_WINDOW_SECONDS,
) -> None:
    """Raise SignatureError unless HEADERS carry a valid, fresh Zendesk signature of BODY."""
    if not secret:
        raise SignatureError("no webhook secret is configured")
    signature = headers.get("X-Zendesk-Webhook-Signature")
    timestamp = headers.get("X-Zendesk-Webhook-Signature-Timestamp")
    if not signature or not timestamp:
        raise SignatureError("signature headers are missing")
    expected = zendesk_signature(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8", "replace")):
        raise SignatureError("signature does not match")
    age = abs((now - _parse_timestamp(timestamp)).total_seconds())
    if age > window:
        raise SignatureError(
            f"signature timestamp is {int(age)} s away from now (limit {window} s)"
        )


def sign_zendesk_headers(secret: str, body: bytes, now: datetime) -> dict[str, str]:
    """Headers exactly as Zendesk sends them; used by the sandbox and the tests."""
    timestamp = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "X-Zendesk-Webhook-Signature": zendesk_signature(secret, timestamp, body),
        "X-Zendesk-Webhook-Signature-Timestamp": timestamp,
    }


def verify_shared_secret(secret: str | None, headers: Mapping[str, str]) -> None:
    """Freshdesk automation webhooks are unsigned: the rule sends our secret in the custom
    header X-Followthrough-Secret, or as the basic-auth password; compared in constant time."""
    if not secret:
        raise SignatureError("no webhook secret is configured")
    given = headers.get("X-Followthrough-Secret")
    auth = headers.get("Authorization", "")
    if given is None and auth.startswith("Basic "):
        try:
            decoded = base64.b64decode(auth[6:], validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError) as exc:
            raise SignatureError("malformed basic auth") from exc
        given = decoded.partition(":")[2]
    if given is None:
        raise SignatureError("the shared secret is missing")
    if not hmac.compare_digest(given.encode("utf-8", "replace"), secret.encode("utf-8")):
        raise SignatureError("the shared secret does not match")
