"""Signed Zendesk-style event webhooks: a queued background sender with Zendesk's retry rules."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import queue
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable
from typing import Any

import requests

from plugin.sandbox.config import SandboxConfig
from plugin.sandbox.state import iso

EVENT_VERSION = "2022-11-06"
MAX_STATUS_RETRIES = 3  # 409, and 429/503 with Retry-After < 60
MAX_NETWORK_RETRIES = 5  # timeouts and connection errors
Job = dict[str, Any]


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """base64(HMAC-SHA256(secret verbatim, timestamp + body)), as Zendesk signs webhooks."""
    mac = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def _retry_after(headers: Any) -> float | None:
    try:
        return float(headers.get("Retry-After"))
    except (TypeError, ValueError):
        return None


class WebhookSender:
    """One queue + worker per shard; a ticket always maps to one shard, keeping its order."""

    def __init__(self, config: SandboxConfig, now: Callable[[], float]) -> None:
        self.config = config
        self._now = now
        self._queues: list[queue.Queue[Job | None]] = [
            queue.Queue() for _ in range(max(config.webhook_workers, 1))]
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self._idle = threading.Condition()
        self._pending = 0
        self._invocations = itertools.count(int(time.time()) * 1000)
        self.stats: Counter[str] = Counter()
        self.log: deque[dict[str, Any]] = deque(maxlen=200)

    def start(self) -> None:
        for index, q in enumerate(self._queues):
            thread = threading.Thread(target=self._work, args=(q,), daemon=True,
                                      name=f"sandbox-webhooks-{index}")
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        for q in self._queues:
            q.put(None)
        for thread in self._threads:
            thread.join(timeout)

    def enqueue(self, ticket_id: int, event_type: str, detail: dict[str, Any],
                event: dict[str, Any]) -> None:
        """Queue one event for every configured target (no-op when webhooks are off)."""
        targets = self.config.webhook_targets
        if not targets:
            return
        envelope = {"type": f"zen:event-type:{event_type}", "account_id": self.config.account_id,
                    "id": str(uuid.uuid4()), "time": iso(self._now()),
                    "zendesk_event_version": EVENT_VERSION, "subject": f"zen:ticket:{ticket_id}",
                    "detail": detail, "event": event}
        body = json.dumps(envelope, ensure_ascii=False).encode()
        self._submit(ticket_id, [{
            "url": url, "webhook_id": f"01SANDBOXWEBHOOK{index:010d}",
            "invocation_id": str(next(self._invocations)), "event_id": envelope["id"],
            "type": envelope["type"], "ticket_id": ticket_id, "body": body}
            for index, url in enumerate(targets)])

    def _submit(self, ticket_id: int, jobs: list[Job]) -> None:
        """Queue jobs on the ticket's shard (counted as pending before any can finish)."""
        with self._idle:
            self._pending += len(jobs)
            self.stats["enqueued"] += len(jobs)
        for job in jobs:
            self._queues[ticket_id % len(self._queues)].put(job)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued event is delivered or has finally failed."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
            return True

    def describe(self) -> dict[str, int]:
        with self._idle:
            return {"sent": self.stats["sent"], "delivered": self.stats["delivered"],
                    "failed": self.stats["failed"], "pending": self._pending,
                    "enqueued": self.stats["enqueued"], "retried": self.stats["retried"]}

    def reset(self) -> None:
        with self._idle:
            self.stats.clear()
            self.log.clear()

    def _work(self, q: queue.Queue[Job | None]) -> None:
        session = requests.Session()
        while True:
            job = q.get()
            if job is None:
                return
            delivered = self._deliver(session, job)
            with self._idle:
                self.stats["delivered" if delivered else "failed"] += 1
                self._pending -= 1
                self._idle.notify_all()

    def _deliver(self, session: requests.Session, job: Job) -> bool:
        status_retries = network_retries = attempt = 0
        while True:
            attempt += 1
            status, retry_after, error = self._attempt(session, job)
            wait: float | None = None
            if status is not None and 200 <= status < 300:
                self._log(job, attempt, status, None, final=True)
                return True
            if status == 409 and status_retries < MAX_STATUS_RETRIES:
                status_retries, wait = status_retries + 1, 0.0
            elif (status in (429, 503) and retry_after is not None and retry_after < 60
                  and status_retries < MAX_STATUS_RETRIES):
                status_retries, wait = status_retries + 1, max(retry_after, 0.0)
            elif status is None and network_retries < MAX_NETWORK_RETRIES:
                wait = self.config.webhook_retry_base * 2 ** network_retries
                network_retries += 1
            self._log(job, attempt, status, error, final=wait is None)
            if wait is None or self._stop.wait(wait):
                return False
            with self._idle:
                self.stats["retried"] += 1

    def _headers(self, job: Job) -> dict[str, str]:
        timestamp = iso(time.time())
        return {
            "Content-Type": "application/json", "User-Agent": "Zendesk Webhook",
            "x-zendesk-account-id": str(self.config.account_id),
            "x-zendesk-webhook-id": job["webhook_id"],
            "x-zendesk-webhook-invocation-id": job["invocation_id"],
            "x-zendesk-webhook-signature": sign(self.config.webhook_secret, timestamp,
                                                job["body"]),
            "x-zendesk-webhook-signature-timestamp": timestamp,
        }

    def _attempt(self, session: requests.Session,
                 job: Job) -> tuple[int | None, float | None, str | None]:
        headers = self._headers(job)
        with self._idle:
            self.stats["sent"] += 1
        try:
            response = session.post(job["url"], data=job["body"], headers=headers,
                                    timeout=self.config.webhook_timeout, allow_redirects=False)
        except requests.RequestException as exc:
            return None, None, type(exc).__name__
        return response.status_code, _retry_after(response.headers), None

    def _log(self, job: Job, attempt: int, status: int | None, error: str | None,
             final: bool) -> None:
        self.log.append({"invocation_id": job["invocation_id"], "event_id": job["event_id"],
                         "type": job["type"], "ticket_id": job["ticket_id"], "url": job["url"],
                         "attempt": attempt, "status": status, "error": error, "final": final,
                         "time": iso(time.time())})
