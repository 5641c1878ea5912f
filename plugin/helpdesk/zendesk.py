"""Zendesk adapter: zenpy with its cache off, our own session, errors classified for retries."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

import requests
from zenpy import Zenpy
from zenpy.lib.api_objects import Comment as ZComment
from zenpy.lib.api_objects import Ticket as ZTicket
from zenpy.lib.exception import APIException, ZenpyException

from plugin import metrics
from plugin.decisions import CreateTicket
from plugin.events import zendesk_ticket
from plugin.helpdesk.budget import Budget
from plugin.helpdesk.errors import (
    Conflict,
    HelpdeskError,
    Permanent,
    RateLimited,
    TicketClosed,
    Transient,
)
from plugin.helpdesk.http import vendor_session
from plugin.tickets import Comment, Person, Ticket, TicketUpdate

T = TypeVar("T")
log = logging.getLogger(__name__)
# zenpy logs request bodies at DEBUG: customer text must never reach the logs.
logging.getLogger("zenpy").setLevel(logging.WARNING)


def _retry_after(response: requests.Response) -> float:
    try:
        return max(1.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return 30.0


def _raise_on_429(response: requests.Response, *args, **kwargs) -> None:
    """Response hook: count the call, and turn 429 into RateLimited before zenpy sleeps on it.

    zenpy 2.0.57 blocks inside the call on 429 (zenpy/lib/api.py BaseApi._call_api); we want
    the worker to decide, so the hook raises first.
    """
    metrics.API_CALLS.labels(vendor="zendesk", status=str(response.status_code)).inc()
    if response.status_code == 429:
        raise RateLimited(_retry_after(response), "Zendesk answered 429")


def classify(status: int, text: str) -> HelpdeskError:
    """The HelpdeskError for an HTTP error STATUS with body TEXT."""
    if status == 429:
        return RateLimited(30.0, "Zendesk answered 429")
    if status >= 500:
        return Transient(f"Zendesk answered {status}", status, ambiguous=status == 504)
    if status == 409:
        return Conflict("the ticket changed since it was read (409)", status)
    if status == 422 and "closed" in text.lower():
        return TicketClosed("the ticket is closed and cannot be updated (422)", status)
    return Permanent(f"Zendesk refused the request ({status}): {text[:200]}", status)


class ZendeskHelpdesk:
    """The Helpdesk protocol over the Zendesk Support API."""

    vendor = "zendesk"

    def __init__(self, subdomain: str, email: str, token: str, api_url: str | None = None,
                 budget: Budget | None = None, timeout: float = 15.0) -> None:
        if api_url:
            parts = urlsplit(api_url)
            # Documented zenpy override for local endpoints (docs "Custom Domains", PR #406).
            os.environ["ZENPY_FORCE_SCHEME"] = parts.scheme
            os.environ["ZENPY_FORCE_NETLOC"] = parts.netloc
            self.base_url = f"{parts.scheme}://{parts.netloc}/api/v2"
        else:
            self.base_url = f"https://{subdomain}.zendesk.com/api/v2"
        # Our own session: zenpy's default mounts a urllib3 Retry that silently re-sends PUTs.
        session = vendor_session(self.base_url)
        session.hooks["response"].append(_raise_on_429)
        self.session = session
        self.timeout = timeout
        self.budget = budget
        self.client = Zenpy(subdomain=subdomain, email=email, token=token, session=session,
                            disable_cache=True, timeout=timeout)
        self._me: str | None = None
        self.talk_phone_number_id: str | None = None

    def _call(self, fn: Callable[[], T]) -> T:
        if self.budget is not None:
            self.budget.acquire()
        try:
            return fn()
        except HelpdeskError:
            raise
        except APIException as exc:
            response = getattr(exc, "response", None)
            if response is None:
                raise Transient(f"Zendesk call failed: {exc}") from exc
            raise classify(response.status_code, response.text) from exc
        except requests.HTTPError as exc:
            raise classify(exc.response.status_code, exc.response.text) from exc
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise Transient(f"Zendesk unreachable: {type(exc).__name__}",
                            ambiguous=not isinstance(exc, requests.ConnectTimeout)) from exc
        except ZenpyException as exc:
            raise Permanent(f"zenpy refused the call: {exc}") from exc

    def _get_json(self, path: str, params: dict | None = None) -> dict:
        def get() -> dict:
            response = self.session.get(self.base_url + path, params=params, timeout=self.timeout)
            if response.status_code >= 400:
                raise classify(response.status_code, response.text)
            return response.json()

        return self._call(get)

    def me(self) -> str:
        # Reference: https://developer.zendesk.com/api-reference/ticketing/users/users/#show-the-currently-authenticated-user
        if self._me is None:
            self._me = str(self._call(lambda: self.client.users.me()).id)
        return self._me

    def ticket(self, ticket_id: str) -> Ticket:
        # Reference: https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#show-ticket
        return zendesk_ticket(self._get_json(f"/tickets/{int(ticket_id)}.json")["ticket"])

    def person(self, user_id: str) -> Person:
        # Reference: https://developer.zendesk.com/api-reference/ticketing/users/users/#show-user
        user = self._get_json(f"/users/{int(user_id)}.json")["user"]
        return Person(
            id=str(user["id"]),
            name=user.get("name") or "",
            locale=user.get("locale"),
            time_zone=user.get("iana_time_zone") or user.get("time_zone"),
            phone=user.get("phone"),
        )

    def comments(self, ticket_id: str) -> list[Comment]:
        # Reference: https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_comments/
        found: list[Comment] = []
        for item in self._call(lambda: list(self.client.tickets.comments(ticket=int(ticket_id)))):
            found.append(Comment(
                id=str(item.id),
                author_id=str(item.author_id) if item.author_id is not None else None,
                body=item.html_body or item.body or "",
                public=bool(item.public),
                created_at=item.created_at,
            ))
        return found

    def groups(self) -> dict[str, str]:
        # Reference: https://developer.zendesk.com/api-reference/ticketing/groups/groups/#list-groups
        names: dict[str, str] = {}
        path: str | None = "/groups.json"
        while path:
            page = self._get_json(path)
            names.update({str(g["id"]): g.get("name") or str(g["id"]) for g in page["groups"]})
            next_page = page.get("next_page")
            path = next_page.split("/api/v2", 1)[1] if next_page else None
        return names

    def requested_tickets(self, user_id: str) -> list[Ticket]:
        # Reference: https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#list-tickets
        page = self._get_json(f"/users/{int(user_id)}/tickets/requested.json",
                              {"sort_by": "created_at", "sort_order": "desc"})
        return [zendesk_ticket(item) for item in page.get("tickets", [])]

    def apply(self, ticket: Ticket, update: TicketUpdate) -> None:
        """One PUT: private note + tags (safe_update against the stamp we read) + fields.

        The body is the one zenpy's tickets.update sends, written directly: zenpy's object
        mapping of the request and of the returned ticket and audit cost more CPU than the
        rest of the event's handling, and nothing reads the answer.
        """
        # Reference: https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#update-ticket
        change: dict = {"id": int(ticket.id)}
        if update.public_reply:
            # A survey: a public comment; an agent's comment keeps a solved ticket solved.
            change["comment"] = {"html_body": update.public_reply, "public": True}
        elif update.notes:
            # `public` always explicit: the first comment's value otherwise carries over.
            change["comment"] = {"html_body": "<hr>".join(update.notes), "public": False}
        if update.changes_tags(ticket.tags):
            change["tags"] = update.merged_tags(ticket.tags)
            if ticket.updated_at:
                change["safe_update"] = True
                change["updated_stamp"] = ticket.updated_at
        if update.fields:
            change["custom_fields"] = [{"id": int(k), "value": v}
                                       for k, v in update.fields.items()]

        def put() -> None:
            response = self.session.put(f"{self.base_url}/tickets/{int(ticket.id)}.json",
                                        json={"ticket": change}, timeout=self.timeout)
            if response.status_code >= 400:
                raise classify(response.status_code, response.text)

        self._call(put)

    def create_ticket(self, new: CreateTicket, external_id: str) -> str:
        """A task for an agent (private, due, assigned; no e-mail) or a public follow-up."""
        # Reference: https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#create-ticket
        ticket = ZTicket(subject=new.subject, tags=list(new.tags), external_id=external_id,
                         comment=ZComment(html_body=new.html,
                                          public=new.followup_source is not None))
        if new.followup_source:
            # Only a closed ticket can have a follow-up; it inherits the conversation link.
            ticket.via_followup_source_id = int(new.followup_source)
        else:
            ticket.type = "task"
        if new.due_at:
            ticket.due_at = new.due_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        if new.requester_id:
            ticket.requester_id = int(new.requester_id)
        if new.assignee_id:
            ticket.assignee_id = int(new.assignee_id)
        return str(self._call(lambda: self.client.tickets.create(ticket)).ticket.id)

    def ticket_exists(self, new: CreateTicket, external_id: str) -> bool:
        # Reference: https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#list-tickets
        return bool(self._get_json("/tickets.json", {"external_id": external_id})["tickets"])

    def request_callback(self, phone: str) -> None:
        # Reference: https://developer.zendesk.com/api-reference/voice/talk-api/callback_requests/
        body = {"callback_request": {"requester_phone_number": phone}}
        if self.talk_phone_number_id:
            body["callback_request"]["phone_number_id"] = int(self.talk_phone_number_id)

        def post() -> None:
            response = self.session.post(self.base_url + "/channels/voice/callback_requests.json",
                                         json=body, timeout=self.timeout)
            if response.status_code >= 400:
                raise classify(response.status_code, response.text)

        self._call(post)

    def has_marker(self, ticket_id: str, marker: str) -> bool:
        return any(marker in comment.body for comment in self.comments(ticket_id))

    def changed_tickets(self, since: int) -> tuple[list[Ticket], int]:
        # Reference: https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/#incremental-ticket-export-time-based
        page = self._get_json("/incremental/tickets.json", {"start_time": since})
        tickets = [zendesk_ticket(item) for item in page.get("tickets", [])]
        return tickets, int(page.get("end_time") or since)

    def ping(self) -> None:
        self._me = None
        self.me()
