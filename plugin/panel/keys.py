"""The Zendesk app's public key: from the configuration, or fetched once from Zendesk's API."""

from __future__ import annotations

import threading
import time

import requests

from plugin.config import Settings

KEY_TTL_SECONDS = 3600
_lock = threading.Lock()
_cached: dict[str, tuple[float, str]] = {}


class KeyUnavailable(Exception):
    """No key is configured and Zendesk could not be asked for one."""


def _pem(text: str) -> str:
    """A PEM from the environment, where newlines often arrive as literal \\n."""
    return text.replace("\\n", "\n").strip() + "\n"


def app_public_key(settings: Settings, api_base: str, auth: tuple[str, str]) -> str:
    """FT_ZENDESK_APP_PUBLIC_KEY, else GET /api/v2/apps/{FT_ZENDESK_APP_ID}/public_key.pem.

    The endpoint returns the PEM that verifies the app's signed-URL tokens (see the server-side
    app tutorial, part 5: https://developer.zendesk.com/documentation/apps/build-an-app/
    building-a-server-side-app/part-5-secure-the-app). Kept for an hour per process.
    """
    if settings.zendesk_app_public_key:
        return _pem(settings.zendesk_app_public_key)
    app_id = settings.zendesk_app_id or ("1" if settings.sandbox else None)
    if not app_id or not app_id.isdigit():
        raise KeyUnavailable("set FT_ZENDESK_APP_PUBLIC_KEY or FT_ZENDESK_APP_ID")
    url = f"{api_base.rstrip('/')}/api/v2/apps/{app_id}/public_key.pem"
    with _lock:
        fetched_at, pem = _cached.get(url, (0.0, ""))
        if pem and time.monotonic() - fetched_at < KEY_TTL_SECONDS:
            return pem
        try:
            response = requests.get(url, auth=auth, timeout=10)
        except requests.RequestException as exc:
            raise KeyUnavailable(f"app key request failed: {type(exc).__name__}") from exc
        if response.status_code != 200 or "BEGIN PUBLIC KEY" not in response.text:
            raise KeyUnavailable(f"app key request answered {response.status_code}")
        _cached[url] = (time.monotonic(), response.text)
        return response.text
