"""The long-lived objects one process needs, built once from Settings."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from plugin.config import Settings, persistent_secret
from plugin.db import make_engine, migrate, session_factory
from plugin.helpdesk.budget import Budget
from plugin.store import Store

SANDBOX_API_TOKEN = "sandbox-token"  # noqa: S105 - the local sandbox's fixed demo credential
SANDBOX_EMAIL = "bot@sandbox.test"
SANDBOX_FRESHDESK_KEY = "bot-key"  # the sandbox's Freshdesk API key of the plugin's user


@dataclass
class Services:
    """Store, helpdesk, router and playbooks for one process; the helpdesk is built lazily."""

    settings: Settings
    webhook_secrets: dict | None = None

    def __post_init__(self) -> None:
        self.engine = make_engine(self.settings.database_url, self.settings.sqlite_synchronous)
        self.store = Store(session_factory(self.engine))

    @cached_property
    def secret_key(self) -> str:
        """Signs survey links: FT_SECRET_KEY, or a random key kept in the var directory."""
        return self.settings.secret_key or persistent_secret(self.settings.var_dir,
                                                             "secret_key")[0]

    @cached_property
    def panel_sessions(self):
        from plugin.panel.signin import Sessions

        return Sessions(self.secret_key, self.settings.panel_session_seconds)

    def migrate(self) -> None:
        migrate(self.engine)

    @cached_property
    def router(self):
        from handlers import ROUTER

        return ROUTER

    @cached_property
    def playbooks(self):
        from plugin.playbooks import PlaybookRegistry

        return PlaybookRegistry(self.settings.playbooks_dir)

    @cached_property
    def helpdesk(self):
        s = self.settings
        if s.helpdesk == "freshdesk":
            from plugin.helpdesk.freshdesk import FreshdeskHelpdesk

            budget = Budget(self.store.sessions, "freshdesk", s.freshdesk_rpm)
            if s.sandbox:
                return FreshdeskHelpdesk(SANDBOX_FRESHDESK_KEY, sandbox_url(s), budget=budget)
            return FreshdeskHelpdesk(s.freshdesk_api_key, s.freshdesk_api_url or
                                     f"https://{s.freshdesk_domain}.freshdesk.com",
                                     budget=budget)
        from plugin.helpdesk.zendesk import ZendeskHelpdesk

        budget = Budget(self.store.sessions, "zendesk", s.zendesk_rpm)
        if s.sandbox:
            return ZendeskHelpdesk("sandbox", SANDBOX_EMAIL, SANDBOX_API_TOKEN,
                                   api_url=s.zendesk_api_url or sandbox_url(s), budget=budget)
        helpdesk = ZendeskHelpdesk(s.zendesk_subdomain, s.zendesk_email, s.zendesk_api_token,
                                   api_url=s.zendesk_api_url, budget=budget)
        helpdesk.talk_phone_number_id = s.talk_phone_number_id
        return helpdesk

    def processor(self):
        from plugin.processing import Processor

        settings = self.settings.with_overrides(secret_key=self.secret_key)
        return Processor(self.store, self.helpdesk, self.router, settings, self.playbooks)


def sandbox_url(settings: Settings) -> str:
    return f"http://127.0.0.1:{settings.sandbox_port}"
