"""Freshdesk side of SandboxClient: simulated customers and agents over the sandbox API v2."""

from __future__ import annotations

import uuid
from typing import Any

import requests

from plugin.sandbox.common import SIMULATED_HEADER
from plugin.sandbox.freshdesk_serialize import TIME_ZONES

_SUBJECTS = {"tr": "Destek talebi", "az": "Dəstək sorğusu", "en": "Support request"}
_NAMES = {"tr": "Zeynep Kaya", "az": "Leyla Əliyeva", "en": "Alex Morgan"}
BOT_EMAIL = "bot@sandbox.test"
_STATUSES = {"open": 2, "pending": 3, "solved": 4, "resolved": 4, "closed": 5}


class FreshdeskDriver:
    """Agents act with their own API keys; customers via /_sandbox/freshdesk (no budget)."""

    def __init__(self, base_url: str, agent_keys: dict[str, str], timeout: float) -> None:
        self.base_url = base_url
        self.bot_key = agent_keys[BOT_EMAIL]
        self.agent_keys = agent_keys
        self.timeout = timeout

    def _call(self, method: str, path: str, key: str | None = None,
              payload: dict[str, Any] | None = None) -> requests.Response:
        response = requests.request(method, f"{self.base_url}/{path}", json=payload,
                                    auth=(key or self.bot_key, "X"),
                                    headers={SIMULATED_HEADER: "1"}, timeout=self.timeout)
        response.raise_for_status()
        return response

    def _key(self, agent_email: str) -> str:
        return self.agent_keys[agent_email.strip().lower()]

    def _ticket(self, ticket_id: int) -> dict[str, Any]:
        return self._call("GET", f"api/v2/tickets/{ticket_id}").json()

    def _update(self, ticket_id: int, agent_email: str, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("PUT", f"api/v2/tickets/{ticket_id}", self._key(agent_email),
                          data).json()

    def create_customer_ticket(self, text: str, subject: str | None, lang: str,
                               name: str | None, email: str | None) -> int:
        """Create the contact (Rails time zone from lang) unless it exists, then a portal ticket."""
        email = email or f"customer-{uuid.uuid4().hex[:8]}@sandbox.test"
        contact = requests.post(f"{self.base_url}/api/v2/contacts", json={
            "name": name or _NAMES.get(lang, _NAMES["en"]), "email": email, "language": lang,
            "time_zone": TIME_ZONES.get(lang, TIME_ZONES["en"])}, auth=(self.bot_key, "X"),
            headers={SIMULATED_HEADER: "1"}, timeout=self.timeout)
        if contact.status_code not in (201, 409):
            contact.raise_for_status()
        ticket = self._call("POST", "api/v2/tickets", payload={
            "email": email, "subject": subject or _SUBJECTS.get(lang, _SUBJECTS["en"]),
            "description": text, "source": 2}).json()
        return int(ticket["id"])

    def customer_comment(self, ticket_id: int, text: str, email: str) -> dict[str, Any]:
        return self._call("POST", f"_sandbox/freshdesk/tickets/{ticket_id}/customer_reply",
                          payload={"body": text, "email": email}).json()

    def agent_reply(self, ticket_id: int, text: str, agent_email: str,
                    public: bool) -> dict[str, Any]:
        """A public reply, or a private note when public is False; returns the ticket."""
        path = f"api/v2/tickets/{ticket_id}/{'reply' if public else 'notes'}"
        self._call("POST", path, self._key(agent_email),
                   {"body": text} if public else {"body": text, "private": True})
        return self._ticket(ticket_id)

    def set_group(self, ticket_id: int, group_id: int, agent_email: str) -> dict[str, Any]:
        return self._update(ticket_id, agent_email, {"group_id": group_id})

    def set_status(self, ticket_id: int, status: str | int, agent_email: str) -> dict[str, Any]:
        code = _STATUSES[status.lower()] if isinstance(status, str) else status
        return self._update(ticket_id, agent_email, {"status": code})

    def show(self, ticket_id: int) -> str:
        """A readable dump of the ticket and its conversations; private notes are marked."""
        ticket = self._ticket(ticket_id)
        names: dict[int, str] = {}
        lines = [f"#{ticket['id']} [status {ticket['status']}] {ticket['subject']}",
                 f"  group={ticket['group_id']} responder={ticket['responder_id']} "
                 f"requester={ticket['requester_id']} tags={','.join(ticket['tags']) or '-'}",
                 f"  updated {ticket['updated_at']}", f"--- {ticket['created_at']} (description)"]
        lines.extend(f"    {line}" for line in ticket["description_text"].splitlines())
        url: str | None = f"{self.base_url}/api/v2/tickets/{ticket_id}/conversations"
        while url:
            page = self._call("GET", url.removeprefix(f"{self.base_url}/"))
            for conv in page.json():
                author = conv["user_id"]
                if author not in names:
                    names[author] = self._call("GET", f"api/v2/contacts/{author}").json()["name"]
                mark = " [PRIVATE]" if conv["private"] else ""
                lines.append(f"--- {conv['created_at']} {names[author]}{mark}")
                lines.extend(f"    {line}" for line in conv["body_text"].splitlines())
            url = page.links.get("next", {}).get("url")
        return "\n".join(lines)
