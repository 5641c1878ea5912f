"""Typed settings, read once from the environment (a .env file and *_FILE secrets included)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path


class ConfigError(ValueError):
    """The configuration cannot work; the message says what to set."""


def _read(env: Mapping[str, str], name: str, default: str | None = None) -> str | None:
    """Value of NAME, or the contents of the file named by NAME_FILE, or the default."""
    value = env.get(name)
    if value:
        return value.strip()
    path = env.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{name}_FILE={path} cannot be read: {exc.strerror}") from exc
    return default


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = _read(env, name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    """Everything the service reads from its environment."""

    port: int = 8080
    database_url: str = "sqlite:///var/followthrough.db"
    playbooks_dir: str = "playbooks"
    public_url: str = "http://localhost:8080"
    admin_token: str | None = None
    default_timezone: str = "Europe/Istanbul"
    note_language: str = "customer"
    team_language: str = "tr"
    zendesk_rpm: int = 300
    zendesk_subdomain: str | None = None
    zendesk_email: str | None = None
    zendesk_api_token: str | None = None
    zendesk_webhook_secret: str | None = None
    zendesk_api_url: str | None = None
    helpdesk: str = "zendesk"
    freshdesk_domain: str | None = None
    freshdesk_api_key: str | None = None
    freshdesk_webhook_secret: str | None = None
    freshdesk_api_url: str | None = None
    freshdesk_rpm: int = 100
    sandbox_port: int = 8081
    worker_threads: int = 4
    web_workers: int = 2
    max_attempts: int = 8
    reconcile_seconds: int = 300
    sqlite_synchronous: str = "NORMAL"
    var_dir: str = "var"
    dry_run: bool = False
    secret_key: str | None = None
    survey_cooldown_days: int = 30
    no_survey_tag: str = "ft_no_survey"
    nps_field: str | None = None
    ces_field: str | None = None
    survey_on_closed: str = "skip"
    talk_callbacks: bool = False
    talk_phone_number_id: str | None = None
    zendesk_app_id: str | None = None
    zendesk_app_public_key: str | None = None
    zendesk_app_installation_id: str | None = None
    freshdesk_app_secret: str | None = None
    panel_session_seconds: int = 1800
    panel_action_agents: str = "*"
    zaf_sdk_url: str | None = None
    panel_frame_ancestors: str | None = None

    @property
    def sandbox(self) -> bool:
        """True when the chosen helpdesk has no account configured: the sandbox stands in."""
        if self.helpdesk == "freshdesk":
            return not (self.freshdesk_api_key and (self.freshdesk_domain
                                                    or self.freshdesk_api_url))
        return not (self.zendesk_subdomain and self.zendesk_email and self.zendesk_api_token)

    def agent_ticket_url(self, ticket_id: str) -> str:
        """Where an agent opens the ticket in the helpdesk."""
        if self.helpdesk == "freshdesk":
            base = self.freshdesk_api_url or (f"http://127.0.0.1:{self.sandbox_port}"
                                              if self.sandbox else
                                              f"https://{self.freshdesk_domain}.freshdesk.com")
            return f"{base.rstrip('/')}/a/tickets/{ticket_id}"
        if self.zendesk_api_url or self.sandbox:
            base = self.zendesk_api_url or f"http://127.0.0.1:{self.sandbox_port}"
            return f"{base.rstrip('/')}/agent/tickets/{ticket_id}"
        return f"https://{self.zendesk_subdomain}.zendesk.com/agent/tickets/{ticket_id}"

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **changes)

    def validate(self) -> None:
        if self.note_language not in {"customer", "tr", "az", "en"}:
            raise ConfigError("FT_NOTE_LANGUAGE must be one of customer, tr, az, en")
        if self.survey_on_closed not in {"skip", "followup"}:
            raise ConfigError("FT_SURVEY_ON_CLOSED must be skip or followup")
        if self.team_language not in {"tr", "az", "en"}:
            raise ConfigError("FT_TEAM_LANGUAGE must be one of tr, az, en")
        if self.sqlite_synchronous not in {"NORMAL", "FULL"}:
            raise ConfigError("FT_SQLITE_SYNCHRONOUS must be NORMAL or FULL")
        if self.helpdesk not in {"zendesk", "freshdesk"}:
            raise ConfigError("FT_HELPDESK must be zendesk or freshdesk")
        if self.helpdesk == "freshdesk" and not self.sandbox and not self.freshdesk_webhook_secret:
            raise ConfigError(
                "FRESHDESK_WEBHOOK_SECRET is not set. Choose a long random value, set it here "
                "and send it from your Freshdesk automation rules in the custom header "
                "X-Followthrough-Secret (see the README); without it every webhook would be "
                "refused."
            )
        if self.helpdesk == "zendesk" and not self.sandbox and not self.zendesk_webhook_secret:
            raise ConfigError(
                "ZENDESK_WEBHOOK_SECRET is not set. Copy the signing secret of your Zendesk "
                "webhook (Admin Center > Apps and integrations > Webhooks > Reveal secret) into "
                "ZENDESK_WEBHOOK_SECRET (or ZENDESK_WEBHOOK_SECRET_FILE); without it every "
                "webhook would be refused."
            )


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from ENV (default: os.environ); raises ConfigError with a clear message."""
    env = os.environ if env is None else env
    settings = Settings(
        port=_int(env, "FT_PORT", 8080),
        database_url=_read(env, "FT_DATABASE_URL", "sqlite:///var/followthrough.db"),
        playbooks_dir=_read(env, "FT_PLAYBOOKS_DIR", "playbooks"),
        public_url=_read(env, "FT_PUBLIC_URL", "http://localhost:8080").rstrip("/"),
        admin_token=_read(env, "FT_ADMIN_TOKEN"),
        default_timezone=_read(env, "FT_DEFAULT_TIMEZONE", "Europe/Istanbul"),
        note_language=_read(env, "FT_NOTE_LANGUAGE", "customer"),
        team_language=_read(env, "FT_TEAM_LANGUAGE", "tr"),
        zendesk_rpm=_int(env, "FT_ZENDESK_RPM", 300),
        zendesk_subdomain=_read(env, "ZENDESK_SUBDOMAIN"),
        zendesk_email=_read(env, "ZENDESK_EMAIL"),
        zendesk_api_token=_read(env, "ZENDESK_API_TOKEN"),
        zendesk_webhook_secret=_read(env, "ZENDESK_WEBHOOK_SECRET"),
        zendesk_api_url=_read(env, "ZENDESK_API_URL"),
        helpdesk=(_read(env, "FT_HELPDESK", "zendesk") or "zendesk").lower(),
        freshdesk_domain=_read(env, "FRESHDESK_DOMAIN"),
        freshdesk_api_key=_read(env, "FRESHDESK_API_KEY"),
        freshdesk_webhook_secret=_read(env, "FRESHDESK_WEBHOOK_SECRET"),
        freshdesk_api_url=_read(env, "FRESHDESK_API_URL"),
        freshdesk_rpm=_int(env, "FT_FRESHDESK_RPM", 100),
        sandbox_port=_int(env, "FT_SANDBOX_PORT", 8081),
        worker_threads=_int(env, "FT_WORKER_THREADS", 4),
        web_workers=_int(env, "FT_WEB_WORKERS", 2),
        max_attempts=_int(env, "FT_MAX_ATTEMPTS", 8),
        reconcile_seconds=_int(env, "FT_RECONCILE_SECONDS", 300),
        sqlite_synchronous=(_read(env, "FT_SQLITE_SYNCHRONOUS", "NORMAL") or "NORMAL").upper(),
        var_dir=_read(env, "FT_VAR_DIR", "var"),
        dry_run=_read(env, "FT_DRY_RUN", "0") in {"1", "true", "yes"},
        secret_key=_read(env, "FT_SECRET_KEY"),
        survey_cooldown_days=_int(env, "FT_SURVEY_COOLDOWN_DAYS", 30),
        no_survey_tag=_read(env, "FT_NO_SURVEY_TAG", "ft_no_survey"),
        nps_field=_read(env, "FT_NPS_FIELD_ID"),
        ces_field=_read(env, "FT_CES_FIELD_ID"),
        survey_on_closed=_read(env, "FT_SURVEY_ON_CLOSED", "skip"),
        talk_callbacks=_read(env, "FT_ZENDESK_TALK_CALLBACKS", "0") in {"1", "true", "yes"},
        talk_phone_number_id=_read(env, "FT_ZENDESK_TALK_PHONE_NUMBER_ID"),
        zendesk_app_id=_read(env, "FT_ZENDESK_APP_ID"),
        zendesk_app_public_key=_read(env, "FT_ZENDESK_APP_PUBLIC_KEY"),
        zendesk_app_installation_id=_read(env, "FT_ZENDESK_APP_INSTALLATION_ID"),
        freshdesk_app_secret=_read(env, "FT_FRESHDESK_APP_SECRET"),
        panel_session_seconds=_int(env, "FT_PANEL_SESSION_SECONDS", 1800),
        panel_action_agents=_read(env, "FT_PANEL_ACTION_AGENTS", "*") or "*",
        zaf_sdk_url=_read(env, "FT_ZAF_SDK_URL"),
        panel_frame_ancestors=_read(env, "FT_PANEL_FRAME_ANCESTORS"),
    )
    settings.validate()
    return settings


def persistent_secret(var_dir: str, name: str) -> tuple[str, bool]:
    """A random secret kept in VAR_DIR/NAME; returns (secret, created_now)."""
    path = Path(var_dir) / name
    if path.exists():
        return path.read_text(encoding="utf-8").strip(), False
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value)
    return value, True
