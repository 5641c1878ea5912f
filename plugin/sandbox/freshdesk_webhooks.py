"""Freshdesk automation-rule webhooks: an id-only JSON body, a secret header, slow retries."""

from __future__ import annotations

import json
import uuid

import requests

from plugin.sandbox.webhooks import Job, WebhookSender

MAX_RETRIES = 3  # Freshdesk retries +5, +30, +60 min, then e-mails the admins


class FreshdeskWebhookSender(WebhookSender):
    """The body an admin pastes in the rule, e.g. {"ft_event": ..., "ticket_id": "{{ticket.id}}"}.

    Shares the Zendesk sender's sharded queues (per-ticket order), stats and delivery log;
    no signature (Freshdesk signs nothing); any non-2xx or network error is retried after
    config.webhook_retry_base seconds, MAX_RETRIES times, then counted as failed.
    """

    def notify(self, ticket_id: int, event: str) -> None:
        """Queue `event` ("ticket.created" / "ticket.updated") for every configured target."""
        targets = self.config.webhook_targets
        if not targets:
            return
        body = json.dumps({"ft_event": event, "ticket_id": str(ticket_id)}).encode()
        event_id = str(uuid.uuid4())
        self._submit(ticket_id, [{
            "url": url, "invocation_id": str(next(self._invocations)), "event_id": event_id,
            "type": event, "ticket_id": ticket_id, "body": body} for url in targets])

    def _headers(self, job: Job) -> dict[str, str]:
        return {"Content-Type": "application/json",
                "X-Followthrough-Secret": self.config.webhook_secret}

    def _deliver(self, session: requests.Session, job: Job) -> bool:
        attempt = 0
        while True:
            attempt += 1
            status, _, error = self._attempt(session, job)
            delivered = status is not None and 200 <= status < 300
            final = delivered or attempt > MAX_RETRIES
            self._log(job, attempt, status, error, final=final)
            if delivered:
                return True
            if final or self._stop.wait(self.config.webhook_retry_base):
                return False
            with self._idle:
                self.stats["retried"] += 1
