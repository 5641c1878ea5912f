"""Shared pieces of the fault suite: its size, the ledger line, a Zendesk-like webhook sender."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import requests
from sqlalchemy import Engine, text

from tests.conftest import signed, zendesk_event

# 1 = the short form that `make test` runs; `make faults` runs e.g. FT_FAULT_SCALE=10.
SCALE = max(1, int(os.environ.get("FT_FAULT_SCALE", "1")))
TEXT = "Merhaba, siparişim bir haftadır gelmedi, kargo takip numarası da çalışmıyor."


def ledger(sent: int, acknowledged: int, processed: int, lost: int, duplicated: int,
           stored: bool = False) -> str:
    """The suite's one-line account; STORED names the third column for intake-only cases."""
    third = "stored" if stored else "processed"
    events = "sent" if stored else "events sent"
    return (f"{events} {sent} / acknowledged {acknowledged} / {third} {processed} / "
            f"lost {lost} / duplicated {duplicated}")


@dataclass
class Reply:
    """One attempt at delivering one event: the HTTP status (None: no answer) and headers."""

    key: str
    status: int | None
    retry_after: str | None = None
    event_id: int | None = None
    error: str | None = None


@dataclass
class ZendeskSender:
    """Signed Zendesk events from THREADS threads until stopped, each retried until a 2xx.

    Like Zendesk: only a 2xx is an acknowledgement; anything else (a 503, no answer) is retried
    with the same event id after a short pause. Every attempt is recorded.
    """

    base_url: str
    threads: int = 2
    pause: float = 0.2
    timeout: float = 20.0
    padding: int = 0  # extra bytes of description, to make each row need fresh pages
    replies: list[Reply] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    acked: dict[str, Reply] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._next = 0
        self._workers: list[threading.Thread] = []

    def start(self) -> ZendeskSender:
        for index in range(self.threads):
            worker = threading.Thread(target=self._run, name=f"zendesk-sender-{index}",
                                      daemon=True)
            worker.start()
            self._workers.append(worker)
        return self

    def stop(self, timeout: float = 60.0) -> None:
        """Send no new events; wait for those in flight to be acknowledged."""
        self._stop.set()
        deadline = time.monotonic() + timeout
        for worker in self._workers:
            worker.join(max(0.0, deadline - time.monotonic()))
        alive = [w.name for w in self._workers if w.is_alive()]
        assert not alive, f"senders still retrying after {timeout} s: {alive}"

    def count(self, status: int | None) -> int:
        with self._lock:
            return sum(1 for reply in self.replies if reply.status == status)

    def statuses(self) -> Counter:
        with self._lock:
            return Counter(reply.status for reply in self.replies)

    def _new_key(self) -> tuple[str, int]:
        with self._lock:
            self._next += 1
            key = f"fault-{self._next}"
            self.sent.append(key)
            return key, 900000 + self._next

    def _run(self) -> None:
        session = requests.Session()
        while not self._stop.is_set():
            key, ticket_id = self._new_key()
            body = zendesk_event("created", ticket_id, event_id=key, requester_id="100",
                                 description=TEXT + " " + "x" * self.padding)
            while True:
                reply = self._post(session, key, body)
                with self._lock:
                    self.replies.append(reply)
                    if reply.status is not None and 200 <= reply.status < 300:
                        self.acked[key] = reply
                        break
                time.sleep(self.pause)

    def _post(self, session: requests.Session, key: str, body: dict) -> Reply:
        raw, headers = signed(body)
        try:
            response = session.post(f"{self.base_url}/webhooks/zendesk", data=raw,
                                    headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            return Reply(key, None, error=type(exc).__name__)
        event_id = None
        if response.status_code == 202:
            event_id = response.json().get("event_id")
        return Reply(key, response.status_code, response.headers.get("Retry-After"), event_id)


def inbox_keys(engine: Engine) -> tuple[Counter, dict[int, str]]:
    """(rows per Zendesk delivery key, delivery key by row id) as the inbox holds them now."""
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT id, delivery_key FROM inbox WHERE vendor = 'zendesk'")).all()
        connection.rollback()
    return Counter(key for _, key in rows), {row_id: key for row_id, key in rows}


def check_intake(sender: ZendeskSender, engine: Engine, case: str) -> str:
    """Assert the intake's promise for everything SENDER sent; returns the ledger line."""
    per_key, by_id = inbox_keys(engine)
    sent = list(sender.sent)
    acked = dict(sender.acked)
    stored = [key for key in sent if per_key.get(f"event:{key}")]
    lost = sorted(key for key in acked if not per_key.get(f"event:{key}"))
    doubled = sorted(key for key in sent if per_key.get(f"event:{key}", 0) > 1)
    statuses = sender.statuses()
    line = f"store faults {case}: " + ledger(len(sent), len(acked), len(stored), len(lost),
                                             len(doubled), stored=True)
    print(f"{line}  (503 answers: {statuses.get(503, 0)})")
    assert sender.count(503), f"the fault never reached the intake: {dict(statuses)}"
    assert set(statuses) <= {200, 202, 503}, f"unexpected answers: {dict(statuses)}"
    no_retry_after = [r for r in sender.replies if r.status == 503 and not r.retry_after]
    assert not no_retry_after, f"503 without Retry-After: {no_retry_after[:3]}"
    wrong_row = [r for r in acked.values()
                 if r.status == 202 and by_id.get(r.event_id) != f"event:{r.key}"]
    assert not wrong_row, f"a 202 named a row that is not its event: {wrong_row[:3]}"
    assert len(acked) == len(sent), "an event was never acknowledged"
    assert lost == [], f"acknowledged but not stored: {lost[:10]}"
    assert doubled == [], f"stored more than once: {doubled[:10]}"
    return line
