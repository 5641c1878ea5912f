"""kill -9 of `followthrough serve` during a burst: every acknowledged event is processed once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from plugin.db import make_engine, session_factory
from plugin.sandbox import SandboxConfig, start_in_thread
from plugin.services import SANDBOX_API_TOKEN, SANDBOX_EMAIL
from plugin.store import Store
from tests.conftest import SECRET, signed, zendesk_event
from tests.stack import free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]
TEXT = "Merhaba, siparişim bir haftadır gelmedi, kargo takip numarası da çalışmıyor."
EVENTS = int(os.environ.get("FT_CRASH_EVENTS", "120"))
KILLS = int(os.environ.get("FT_CRASH_KILLS", "2"))


class Service:
    """`followthrough serve` in its own process group, killed with SIGKILL like a power cut."""

    def __init__(self, env: dict) -> None:
        self.env = env
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "plugin.cli", "serve"], cwd=ROOT, env=self.env,
            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{self.env['FT_PORT']}/healthz"
        wait_until(lambda: _answers(url), timeout=30, what="the service to start")

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(20)


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).status_code == 200
    except requests.RequestException:
        return False


@pytest.mark.slow
def test_kill_9_during_a_burst_loses_and_doubles_nothing(tmp_path):
    # Rate limits are not under test here: lifted, so 5,000 events drain in minutes.
    sandbox = start_in_thread(SandboxConfig(port=0, webhooks_enabled=False,
                                            rate_limit_rpm=1_000_000))
    port = free_port()
    database = f"sqlite:///{tmp_path}/ft.db"
    env = dict(os.environ, FT_PORT=str(port), FT_DATABASE_URL=database,
               FT_VAR_DIR=str(tmp_path / "var"), ZENDESK_SUBDOMAIN="sandbox",
               ZENDESK_EMAIL=SANDBOX_EMAIL, ZENDESK_API_TOKEN=SANDBOX_API_TOKEN,
               ZENDESK_WEBHOOK_SECRET=SECRET, ZENDESK_API_URL=sandbox.base_url,
               FT_RECONCILE_SECONDS="3600", FT_ADMIN_TOKEN="x", FT_ZENDESK_RPM="1000000")
    service = Service(env)
    tickets = []
    for _ in range(EVENTS):
        ticket_id = sandbox_client(sandbox).create_customer_ticket(TEXT, lang="tr")
        tickets.append(ticket_id)
    acked: set[int] = set()
    lock = threading.Lock()
    url = f"http://127.0.0.1:{port}/webhooks/zendesk"

    def deliver(ticket_id: int) -> None:
        """Send like Zendesk: retry until a 2xx; only a 2xx counts as acknowledged."""
        body = zendesk_event("created", ticket_id, event_id=f"created-{ticket_id}",
                             description=TEXT, requester_id="100")
        while True:
            raw, headers = signed(body)
            try:
                if requests.post(url, data=raw, headers=headers, timeout=5).status_code < 300:
                    with lock:
                        acked.add(ticket_id)
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)

    try:
        service.start()
        senders = [threading.Thread(target=lambda chunk=tickets[i::4]: [deliver(t) for t in chunk])
                   for i in range(4)]
        for sender in senders:
            sender.start()
        for kill in range(1, KILLS + 1):
            # Spread the kills over the run: the k-th once k/(KILLS+1) of the notes are written.
            due = max(5, EVENTS * kill // (KILLS + 1))
            wait_until(lambda due=due: sum(sandbox_notes(sandbox).values()) >= due
                       or len(acked) == EVENTS, timeout=120, what="work in flight")
            service.kill()
            time.sleep(0.5)
            service.start()
        for sender in senders:
            sender.join(120)
        store = Store(session_factory(make_engine(database)))
        wait_until(lambda: not store.count_by_status().get("pending")
                   and not store.count_by_status().get("processing"),
                   timeout=max(120, EVENTS // 10),
                   what="the inbox to drain")
        notes = sandbox_notes(sandbox)
    finally:
        service.stop()
        sandbox.stop()
    processed = sum(1 for t in acked if notes.get(t, 0) >= 1)
    lost = sorted(t for t in acked if notes.get(t, 0) == 0)
    doubled = sorted(t for t in tickets if notes.get(t, 0) > 1)
    print(f"events sent {EVENTS} / acknowledged {len(acked)} / processed {processed} / "
          f"lost {len(lost)} / duplicated {len(doubled)}  (kills: {KILLS})")
    assert len(acked) == EVENTS
    assert lost == [] and doubled == []


def sandbox_notes(handle) -> dict[int, int]:
    stats = requests.get(f"{handle.base_url}/_sandbox/stats", timeout=5).json()
    return {int(ticket): count for ticket, count in stats["notes_by_ticket"].items()}


def sandbox_client(handle):
    from plugin.sandbox import SandboxClient

    return SandboxClient(handle.base_url, SANDBOX_API_TOKEN)
