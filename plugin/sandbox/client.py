"""Small HTTP client for driving the sandbox helpdesk as customers and agents (CLI, demos)."""

from __future__ import annotations

import uuid
from typing import Any

import requests

from plugin.sandbox.common import SIMULATED_HEADER
from plugin.sandbox.config import default_agent_keys
from plugin.sandbox.freshdesk_client import FreshdeskDriver

_SUBJECTS = {"tr": "Destek talebi", "az": "Dəstək sorğusu", "en": "Support request"}
_NAMES = {"tr": "Zeynep Kaya", "az": "Leyla Əliyeva", "en": "Alex Morgan"}


class SandboxClient:
    """Acts as simulated customers and agents (exempt from rate limits and faults).

    Speaks the sandbox's vendor (asked from /_sandbox/info unless given). Against Freshdesk,
    api_token is unused: agents act with their API keys (agent_keys: e-mail -> key, default
    the seeded ones) and the methods return Freshdesk ticket JSON.
    Raises requests.HTTPError on errors.
    """

    def __init__(self, base_url: str, api_token: str, timeout: float = 10.0,
                 vendor: str | None = None, agent_keys: dict[str, str] | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_token = api_token
        self.timeout = timeout
        self.vendor = vendor
        self._agent_keys = agent_keys or default_agent_keys()

    @property
    def _freshdesk(self) -> FreshdeskDriver | None:
        """The Freshdesk dialect's driver, or None against a Zendesk sandbox."""
        if self.vendor is None:
            info = requests.get(f"{self.base_url}/_sandbox/info", timeout=self.timeout)
            info.raise_for_status()
            self.vendor = str(info.json()["vendor"])
        if self.vendor != "freshdesk":
            return None
        return FreshdeskDriver(self.base_url, self._agent_keys, self.timeout)

    def _call(self, method: str, path: str, email: str,
              payload: dict[str, Any] | None = None) -> dict[str, Any]:
        response = requests.request(method, f"{self.base_url}/api/v2/{path}", json=payload,
                                    auth=(f"{email}/token", self.api_token),
                                    headers={SIMULATED_HEADER: "1"}, timeout=self.timeout)
        response.raise_for_status()
        return response.json()

    def _update(self, ticket_id: int, email: str, ticket: dict[str, Any]) -> dict[str, Any]:
        return self._call("PUT", f"tickets/{ticket_id}.json", email, {"ticket": ticket})["ticket"]

    def create_customer_ticket(self, text: str, subject: str | None = None, lang: str = "tr",
                               name: str | None = None, email: str | None = None) -> int:
        """Create (if needed) an end-user and open a web request as them; returns the ticket id."""
        if self._freshdesk:
            return self._freshdesk.create_customer_ticket(text, subject, lang, name, email)
        email = email or f"customer-{uuid.uuid4().hex[:8]}@sandbox.test"
        user = {"name": name or _NAMES.get(lang, _NAMES["en"]), "email": email, "locale": lang}
        existing = requests.post(f"{self.base_url}/api/v2/users.json", json={"user": user},
                                 auth=("bot@sandbox.test/token", self.api_token),
                                 headers={SIMULATED_HEADER: "1"}, timeout=self.timeout)
        if existing.status_code not in (201, 422):
            existing.raise_for_status()
        request = {"subject": subject or _SUBJECTS.get(lang, _SUBJECTS["en"]),
                   "comment": {"body": text}}
        return int(self._call("POST", "requests.json", email, {"request": request})
                   ["request"]["id"])

    def customer_comment(self, ticket_id: int, text: str, email: str) -> dict[str, Any]:
        if self._freshdesk:
            return self._freshdesk.customer_comment(ticket_id, text, email)
        return self._call("PUT", f"requests/{ticket_id}.json", email,
                          {"request": {"comment": {"body": text}}})["request"]

    def agent_reply(self, ticket_id: int, text: str, agent_email: str = "ayse@sandbox.test",
                    public: bool = True) -> dict[str, Any]:
        if self._freshdesk:
            return self._freshdesk.agent_reply(ticket_id, text, agent_email, public)
        return self._update(ticket_id, agent_email, {"comment": {"body": text, "public": public}})

    def set_group(self, ticket_id: int, group_id: int, agent_email: str) -> dict[str, Any]:
        if self._freshdesk:
            return self._freshdesk.set_group(ticket_id, group_id, agent_email)
        return self._update(ticket_id, agent_email, {"group_id": group_id})

    def set_status(self, ticket_id: int, status: str, agent_email: str) -> dict[str, Any]:
        if self._freshdesk:
            return self._freshdesk.set_status(ticket_id, status, agent_email)
        return self._update(ticket_id, agent_email, {"status": status})

    def show(self, ticket_id: int) -> str:
        """A readable dump of the ticket and its comments; private notes are marked."""
        if self._freshdesk:
            return self._freshdesk.show(ticket_id)
        bot = "bot@sandbox.test"
        ticket = self._call("GET", f"tickets/{ticket_id}.json", bot)["ticket"]
        names: dict[int, str] = {}
        lines = [f"#{ticket['id']} [{ticket['status']}] {ticket['subject']}",
                 f"  group={ticket['group_id']} assignee={ticket['assignee_id']} "
                 f"requester={ticket['requester_id']} tags={','.join(ticket['tags']) or '-'}",
                 f"  updated {ticket['updated_at']}"]
        url: str | None = f"tickets/{ticket_id}/comments.json"
        while url:
            page = self._call("GET", url.split("/api/v2/", 1)[-1], bot)
            for comment in page["comments"]:
                author = comment["author_id"]
                if author not in names:
                    names[author] = self._call("GET", f"users/{author}.json", bot)["user"]["name"]
                mark = "" if comment["public"] else " [PRIVATE]"
                lines.append(f"--- {comment['created_at']} {names[author]}{mark}")
                lines.extend(f"    {line}" for line in comment["body"].splitlines())
            url = page["next_page"]
        return "\n".join(lines)
