"""A running stack for end-to-end tests: sandbox helpdesk, plugin on a real socket, worker."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta

import requests
from werkzeug.serving import make_server

from plugin import create_app
from plugin.db import utcnow
from plugin.helpdesk.freshdesk import STATUSES as FRESHDESK_STATUSES
from plugin.sandbox import SandboxClient, SandboxConfig, start_in_thread
from plugin.services import SANDBOX_API_TOKEN, SANDBOX_EMAIL, SANDBOX_FRESHDESK_KEY, Services
from plugin.worker import Worker
from tests.conftest import ADMIN, SECRET, make_settings

# The test's own reads of the sandbox bypass its rate limits and faults (they are not the
# plugin's traffic), as the sandbox client's simulated customers and agents do.
OBSERVER = {"X-Sandbox-Simulated": "1"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition: Callable[[], object], timeout: float = 30.0, what: str = "condition"):
    """Poll CONDITION until it returns something truthy; fail with WHAT after TIMEOUT."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class Stack:
    """Sandbox + plugin web (werkzeug, threaded, real socket) + a worker thread."""

    def __init__(self, tmp_path, database_url: str | None = None, webhooks: bool = True,
                 worker: bool = True, vendor: str = "zendesk", **settings_overrides) -> None:
        self.port = free_port()
        self.vendor = vendor
        self.sandbox = start_in_thread(SandboxConfig(
            port=0, webhook_url=f"http://127.0.0.1:{self.port}/webhooks/{vendor}",
            webhook_secret=SECRET, webhooks_enabled=webhooks, webhook_retry_base=0.2,
            vendor=vendor,
        ))
        account = {"zendesk_subdomain": "sandbox", "zendesk_email": SANDBOX_EMAIL,
                   "zendesk_api_token": SANDBOX_API_TOKEN,
                   "zendesk_api_url": self.sandbox.base_url} if vendor == "zendesk" else {
            "helpdesk": "freshdesk", "freshdesk_api_key": SANDBOX_FRESHDESK_KEY,
            "freshdesk_api_url": self.sandbox.base_url, "freshdesk_webhook_secret": SECRET}
        self.settings = make_settings(tmp_path, database_url, **account, **settings_overrides)
        self.services = Services(self.settings)
        self.services.migrate()
        self.app = create_app(self.settings, self.services)
        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.client = SandboxClient(self.sandbox.base_url, SANDBOX_API_TOKEN)
        self.stop_worker = threading.Event()
        self.worker_thread: threading.Thread | None = None
        if worker:
            self.start_worker()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start_worker(self) -> None:
        self.stop_worker.clear()
        worker = Worker(self.services.store, self.services.processor(), threads=2,
                        poll_seconds=0.02)
        self.worker_thread = threading.Thread(target=worker.run, args=(self.stop_worker,),
                                              daemon=True)
        self.worker_thread.start()

    def halt_worker(self) -> None:
        self.stop_worker.set()
        if self.worker_thread:
            self.worker_thread.join(10)

    def advance(self, minutes: float) -> None:
        """Move the plugin's clock forward (due checks become due); the sandbox keeps real time."""
        offset = timedelta(minutes=minutes) + getattr(self, "_offset", timedelta())
        self._offset = offset
        self.services.store.clock = lambda: utcnow() + offset

    def faults(self, **settings) -> None:
        requests.post(f"{self.sandbox.base_url}/_sandbox/faults", json=settings,
                      timeout=5).raise_for_status()

    def stats(self) -> dict:
        return requests.get(f"{self.sandbox.base_url}/_sandbox/stats", timeout=5).json()

    def _get(self, path: str, **params) -> requests.Response:
        auth = (f"{SANDBOX_EMAIL}/token", SANDBOX_API_TOKEN) if self.vendor == "zendesk" \
            else (SANDBOX_FRESHDESK_KEY, "X")
        return requests.get(f"{self.sandbox.base_url}/api/v2/{path}", auth=auth, timeout=5,
                            headers=OBSERVER, params=params)

    def comments(self, ticket_id: int) -> list[dict]:
        """The ticket's comments, in Zendesk's shape whatever the vendor."""
        if self.vendor == "zendesk":
            return self._get(f"tickets/{ticket_id}/comments.json").json()["comments"]
        return [{"id": c["id"], "html_body": c["body"], "public": not c["private"],
                 "author_id": c["user_id"]}
                for c in self._get(f"tickets/{ticket_id}/conversations",
                                   per_page=100).json()]

    def notes(self, ticket_id: int) -> list[dict]:
        return [c for c in self.comments(ticket_id) if not c["public"] and c["author_id"] == 1]

    def note_count(self, ticket_id: int) -> int:
        """Private notes by the plugin's user, counted by the sandbox (unaffected by faults)."""
        return self.stats()["notes_by_ticket"].get(str(ticket_id), 0)

    def ticket(self, ticket_id: int) -> dict:
        """The ticket with tags and a status name, whatever the vendor."""
        if self.vendor == "zendesk":
            return self._get(f"tickets/{ticket_id}.json").json()["ticket"]
        ticket = self._get(f"tickets/{ticket_id}").json()
        return {**ticket, "status": FRESHDESK_STATUSES[ticket["status"]]}

    def report(self, ticket_id: int) -> dict:
        response = requests.get(f"{self.url}/api/tickets/{self.vendor}/{ticket_id}",
                                headers={"Authorization": f"Bearer {ADMIN}"}, timeout=5)
        response.raise_for_status()
        return response.json()

    def settled(self) -> bool:
        """Nothing left to deliver or to process."""
        # The sender first: once it has nothing pending, every delivery it made is committed,
        # so the inbox read after it sees them (the other order can miss a delivery that is
        # acknowledged between the two reads).
        sender = self.stats()["webhooks"]
        counts = self.services.store.count_by_status()
        return not counts.get("pending") and not counts.get("processing") and \
            not sender.get("pending")

    def close(self) -> None:
        self.halt_worker()
        self.server.shutdown()
        self.sandbox.stop()
        self.services.engine.dispose()
        for name in ("ZENPY_FORCE_SCHEME", "ZENPY_FORCE_NETLOC"):
            os.environ.pop(name, None)
