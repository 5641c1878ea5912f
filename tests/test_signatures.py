"""Zendesk signature verification: good, bad, stale, missing, published vector."""

from datetime import UTC, datetime, timedelta

import pytest

from plugin.signatures import SignatureError, verify_zendesk
from tests.conftest import SECRET, signed

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def test_good_signature_passes():
    raw, headers = signed({"a": 1}, when=NOW)
    verify_zendesk(SECRET, headers, raw, NOW)


@pytest.mark.parametrize("mutate, message", [
    (lambda raw, h: (raw + b" ", h), "does not match"),
    (lambda raw, h: (raw, {**h, "X-Zendesk-Webhook-Signature": "AAAA"}), "does not match"),
    (lambda raw, h: (raw, {k: v for k, v in h.items() if "Signature" not in k}), "missing"),
    (lambda raw, h: (raw, {**h, "X-Zendesk-Webhook-Signature-Timestamp": "2026-11-22T12:00:01Z"}),
     "does not match"),
])
def test_tampering_is_refused(mutate, message):
    raw, headers = signed({"a": 1}, when=NOW)
    raw, headers = mutate(raw, headers)
    with pytest.raises(SignatureError, match=message):
        verify_zendesk(SECRET, headers, raw, NOW)


@pytest.mark.parametrize("skew", [timedelta(seconds=301), timedelta(seconds=-301)])
def test_stale_or_future_timestamp_is_refused(skew):
    raw, headers = signed({"a": 1}, when=NOW + skew)
    with pytest.raises(SignatureError, match="away from now"):
        verify_zendesk(SECRET, headers, raw, NOW)


def test_inside_the_window_passes():
    raw, headers = signed({"a": 1}, when=NOW - timedelta(seconds=299))
    verify_zendesk(SECRET, headers, raw, NOW)


def test_wrong_secret_and_no_secret_are_refused():
    raw, headers = signed({"a": 1}, when=NOW)
    with pytest.raises(SignatureError):
        verify_zendesk("other", headers, raw, NOW)
    with pytest.raises(SignatureError, match="no webhook secret"):
        verify_zendesk(None, headers, raw, NOW)
