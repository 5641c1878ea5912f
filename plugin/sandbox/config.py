"""Configuration and seed data for the built-in sandbox helpdesk."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Zendesk's documented static secret for test webhook requests (used verbatim as the HMAC key).
DEFAULT_WEBHOOK_SECRET = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="  # noqa: S105
DEFAULT_TIME_ZONE = "Europe/Istanbul"


def _default_users() -> list[dict[str, Any]]:
    return [
        {
            "id": 1,
            "name": "followthrough bot",
            "email": "bot@sandbox.test",
            "role": "agent",
            "locale": "en-US",
        },
        {
            "id": 2,
            "name": "Ayşe Yılmaz",
            "email": "ayse@sandbox.test",
            "role": "agent",
            "locale": "tr",
        },
        {
            "id": 3,
            "name": "Elvin Məmmədov",
            "email": "elvin@sandbox.test",
            "role": "agent",
            "locale": "az",
        },
    ]


def _default_api_keys() -> dict[str, int]:
    return {"bot-key": 1, "ayse-key": 2, "elvin-key": 3}


def default_agent_keys() -> dict[str, str]:
    """Seeded agent email -> Freshdesk API key (what SandboxClient uses to act as an agent)."""
    emails = {u["id"]: u["email"] for u in _default_users()}
    return {emails[uid]: key for key, uid in _default_api_keys().items()}


def _default_groups() -> list[dict[str, Any]]:
    return [
        {"id": 10, "name": "Destek", "description": "support"},
        {"id": 11, "name": "Fatura", "description": "billing"},
        {"id": 12, "name": "Teknik", "description": "technical"},
        {"id": 13, "name": "Lojistik", "description": "logistics"},
    ]


@dataclass
class SandboxConfig:
    """Settings of one sandbox instance; every field has a demo-friendly default."""

    vendor: str = "zendesk"  # "zendesk" or "freshdesk": the one API dialect this instance speaks
    api_token: str = "sandbox-token"  # noqa: S105 (local demo credential)
    api_keys: dict[str, int] = field(default_factory=_default_api_keys)  # Freshdesk key -> agent
    webhook_url: str | None = None  # one URL, or several separated by commas
    webhook_secret: str = DEFAULT_WEBHOOK_SECRET
    webhooks_enabled: bool = True
    webhook_timeout: float = 10.0
    webhook_retry_base: float = 1.0  # first backoff (s) after a timeout / connection error
    webhook_workers: int = 4
    rate_limit_rpm: int = 700
    ticket_updates_per_window: int = 30
    ticket_update_window_seconds: int = 600
    persist_path: str | None = None
    persist_debounce_seconds: float = 0.5
    host: str = "127.0.0.1"
    port: int = 8765
    account_id: int = 1234567
    bot_user_id: int = 1
    users: list[dict[str, Any]] = field(default_factory=_default_users)
    groups: list[dict[str, Any]] = field(default_factory=_default_groups)

    @property
    def webhook_targets(self) -> list[str]:
        """The configured webhook URLs (empty when webhooks are disabled)."""
        if not self.webhooks_enabled or not self.webhook_url:
            return []
        return [u.strip() for u in self.webhook_url.split(",") if u.strip()]
