"""Freshdesk adapter: API v2 over one requests session, errors classified for retries.

The Freshdesk Python clients have neither retries nor timeouts, and none covers notes, replies,
ticket fields and conversations together, so the small subset is called directly. Reference:
https://developers.freshdesk.com/api/
"""

from __future__ import annotations

import html
import logging
import re
import time
from datetime import UTC, datetime
from typing import Any

import requests

from plugin import metrics
from plugin.decisions import CreateTicket
from plugin.helpdesk.budget import Budget
from plugin.helpdesk.errors import (
    Conflict,
    HelpdeskError,
    Permanent,
    RateLimited,
    Transient,
)
from plugin.helpdesk.http import vendor_session
from plugin.tickets import Comment, Person, Ticket, TicketUpdate

log = logging.getLogger(__name__)
STATUSES = {2: "open", 3: "pending", 4: "solved", 5: "closed"}
PRIORITIES = {1: "low", 2: "normal", 3: "high", 4: "urgent"}
SOURCES = {1: "email", 2: "web", 3: "voice", 7: "chat", 9: "web", 10: "email"}
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


def describe_error(response: requests.Response) -> str:
    """Freshdesk's error body (description + errors[]) as one readable line."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if not isinstance(body, dict):
        return str(body)[:200]
    parts = [str(body.get("description") or body.get("message") or "")]
    for error in body.get("errors") or []:
        if isinstance(error, dict):
            parts.append(f"{error.get('field', '')}: {error.get('message', '')} "
                         f"({error.get('code', '')})".strip())
    return "; ".join(p for p in parts if p)[:300]


def classify(response: requests.Response) -> HelpdeskError:
    status = response.status_code
    if status == 429:
        try:
            retry_after = max(1.0, float(response.headers.get("Retry-After", "")))
        except ValueError:
            retry_after = 60.0
        return RateLimited(retry_after, "Freshdesk answered 429")
    if status >= 500:
        return Transient(f"Freshdesk answered {status}", status, ambiguous=status == 504)
    if status == 409:
        return Conflict(f"Freshdesk: {describe_error(response)}", status)
    return Permanent(f"Freshdesk refused the request ({status}): {describe_error(response)}",
                     status)


def _stamp(value: str | None) -> str | None:
    return value or None


def freshdesk_ticket(data: dict[str, Any]) -> Ticket:
    return Ticket(
        id=str(data["id"]), subject=data.get("subject") or "",
        description=data.get("description_text") or html.unescape(
            re.sub(r"<[^>]+>", " ", data.get("description") or "")).strip(),
        status=STATUSES.get(data.get("status"), str(data.get("status"))),
        priority=PRIORITIES.get(data.get("priority")), type=data.get("type"),
        requester_id=str(data["requester_id"]) if data.get("requester_id") else None,
        assignee_id=str(data["responder_id"]) if data.get("responder_id") else None,
        group_id=str(data["group_id"]) if data.get("group_id") else None,
        channel=SOURCES.get(data.get("source")), tags=tuple(data.get("tags") or ()),
        created_at=_stamp(data.get("created_at")), updated_at=_stamp(data.get("updated_at")),
    )


class FreshdeskHelpdesk:
    """The Helpdesk protocol over the Freshdesk API v2."""

    vendor = "freshdesk"

    def __init__(self, api_key: str, base_url: str, budget: Budget | None = None,
                 timeout: float = 15.0) -> None:
        self.base_url = base_url.rstrip("/") + "/api/v2"
        self.session = vendor_session(self.base_url)
        self.session.auth = (api_key, "X")  # the API key is the user; the password is unused
        self.session.headers["Content-Type"] = "application/json"
        self.budget = budget
        self.timeout = timeout
        self._me: str | None = None
        self._fields: tuple[float, set[str]] | None = None

    def _request(self, method: str, path: str, **kwargs) -> requests.Response:
        if self.budget is not None:
            self.budget.acquire()
        url = path if path.startswith("http") else self.base_url + path
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise Transient(f"Freshdesk unreachable: {type(exc).__name__}",
                            ambiguous=not isinstance(exc, requests.ConnectTimeout)) from exc
        metrics.API_CALLS.labels(vendor="freshdesk", status=str(response.status_code)).inc()
        if response.status_code >= 400:
            raise classify(response)
        return response

    def _pages(self, path: str, params: dict | None = None) -> list[dict]:
        """Every item of a list endpoint, following the `link: <…>; rel="next"` header."""
        items: list[dict] = []
        url: str | None = path
        while url:
            response = self._request("GET", url, params=params if url == path else None)
            items.extend(response.json())
            found = _NEXT.search(response.headers.get("link", ""))
            url = found.group(1) if found else None
        return items

    def me(self) -> str:
        if self._me is None:
            self._me = str(self._request("GET", "/agents/me").json()["id"])
        return self._me

    def ticket(self, ticket_id: str) -> Ticket:
        return freshdesk_ticket(self._request("GET", f"/tickets/{int(ticket_id)}").json())

    def person(self, user_id: str) -> Person:
        contact = self._request("GET", f"/contacts/{int(user_id)}").json()
        return Person(id=str(contact["id"]), name=contact.get("name") or "",
                      locale=contact.get("language"), time_zone=contact.get("time_zone"),
                      phone=contact.get("phone") or contact.get("mobile"))

    def comments(self, ticket_id: str) -> list[Comment]:
        """The description (as the customer's first message) and every conversation."""
        ticket = self._request("GET", f"/tickets/{int(ticket_id)}").json()
        found = [Comment(id="0", author_id=str(ticket.get("requester_id")),
                         body=ticket.get("description") or "", public=True,
                         created_at=ticket.get("created_at"))]
        for item in self._pages(f"/tickets/{int(ticket_id)}/conversations", {"per_page": 100}):
            found.append(Comment(id=str(item["id"]), author_id=str(item.get("user_id")),
                                 body=item.get("body") or "", public=not item.get("private"),
                                 created_at=item.get("created_at"),
                                 author_is_agent=not item.get("incoming")))
        return found

    def groups(self) -> dict[str, str]:
        return {str(g["id"]): g.get("name") or str(g["id"])
                for g in self._pages("/groups", {"per_page": 100})}

    def requested_tickets(self, user_id: str) -> list[Ticket]:
        items = self._pages("/tickets", {"requester_id": int(user_id), "per_page": 100,
                                         "order_by": "created_at", "order_type": "desc"})
        return [freshdesk_ticket(item) for item in items]

    def _field_names(self) -> set[str]:
        """The account's custom field names (cf_…), read from ticket_fields every 10 minutes."""
        if self._fields is None or time.monotonic() - self._fields[0] > 600:
            names = {f["name"] for f in self._pages("/ticket_fields") if
                     str(f.get("name", "")).startswith("cf_")}
            self._fields = (time.monotonic(), names)
        return self._fields[1]

    def apply(self, ticket: Ticket, update: TicketUpdate) -> None:
        """Tags and fields (read-merge-write with a conflict check), then the note or reply.

        The comment goes last: if the ticket update fails, nothing has been written and the
        whole step can be repeated without posting the note twice.
        """
        changes: dict[str, Any] = {}
        if update.add_tags or update.remove_tags:
            current = self.ticket(ticket.id)
            if ticket.updated_at and current.updated_at != ticket.updated_at and \
                    not (update.notes or update.public_reply):
                raise Conflict("the ticket changed since it was read")
            if update.changes_tags(current.tags):
                # Freshdesk's PUT replaces the tag list: merge with what is there now.
                changes["tags"] = update.merged_tags(current.tags)
        if update.fields:
            known = self._field_names()
            fields = {name: value for name, value in update.fields.items() if name in known}
            for name in set(update.fields) - set(fields):
                log.warning("custom field not in this account; skipped", extra={"kind": name})
            if fields:
                changes["custom_fields"] = fields
        if changes:
            self._request("PUT", f"/tickets/{int(ticket.id)}", json=changes)
        if update.public_reply:
            self._request("POST", f"/tickets/{int(ticket.id)}/reply",
                          json={"body": update.public_reply})
        elif update.notes:
            self._request("POST", f"/tickets/{int(ticket.id)}/notes",
                          json={"body": "<hr>".join(update.notes), "private": True})

    def has_marker(self, ticket_id: str, marker: str) -> bool:
        return any(marker in comment.body for comment in self.comments(ticket_id))

    def changed_tickets(self, since: int) -> tuple[list[Ticket], int]:
        stamp = datetime.fromtimestamp(since, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        items = self._pages("/tickets", {"updated_since": stamp, "order_by": "updated_at",
                                         "order_type": "asc", "per_page": 100})
        tickets = [freshdesk_ticket(item) for item in items]
        latest = max((int(datetime.fromisoformat(t.updated_at.replace("Z", "+00:00"))
                          .timestamp()) for t in tickets if t.updated_at), default=since)
        return tickets, latest

    def create_ticket(self, new: CreateTicket, external_id: str) -> str:
        """Freshdesk has no task API: a follow-up call becomes a private note on the ticket,
        e-mailed to its agent (notify_emails) at the call time — the customer gets nothing;
        a survey for a closed ticket becomes a reply on it."""
        about = int(new.about)
        body = f"{new.html}<p><em>ref {html.escape(external_id)}</em></p>"
        if new.followup_source:
            self._request("POST", f"/tickets/{about}/reply", json={"body": body})
            return new.about
        payload: dict[str, Any] = {"body": body, "private": True}
        if new.assignee_id:
            agent = self._request("GET", f"/agents/{int(new.assignee_id)}").json()
            email = (agent.get("contact") or {}).get("email")
            if email:
                payload["notify_emails"] = [email]
        self._request("POST", f"/tickets/{about}/notes", json=payload)
        if new.tags:
            current = self.ticket(new.about)
            self._request("PUT", f"/tickets/{about}",
                          json={"tags": sorted(set(current.tags) | set(new.tags))})
        return new.about

    def ticket_exists(self, new: CreateTicket, external_id: str) -> bool:
        return bool(new.about) and self.has_marker(new.about, external_id)

    def request_callback(self, phone: str) -> None:
        raise Permanent("Talk callbacks are a Zendesk feature; Freshdesk has none")

    def ping(self) -> None:
        self._me = None
        self.me()
