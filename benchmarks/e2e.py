"""End-to-end latency: a signed ticket.created webhook → plugin → note visible in the helpdesk.

`followthrough serve` runs as a subprocess against the sandbox helpdesk (in this process, its
own webhooks off); tickets are opened in the sandbox first, then their ticket.created events are
sent at a steady rate, signed as Zendesk signs them, and the sandbox is watched until each ticket
has its note. Prints p50/p99 from the webhook's acknowledgement to the note being visible, per
10 s of sending too (a backlog that grows shows there), and the tickets whose note is missing
(lost) or came twice (duplicated). --postgres stores in a fresh schema, dropped afterwards.
Usage: python benchmarks/e2e.py [--rate 50] [--seconds 60] [--postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.ingest import POSTGRES, fresh_schema  # noqa: E402
from plugin.sandbox import SandboxClient, SandboxConfig, start_in_thread  # noqa: E402
from plugin.signatures import sign_zendesk_headers  # noqa: E402

TEXT = "Merhaba, siparişim bir haftadır gelmedi, kargo takip numarası da çalışmıyor."
SECRET = "bench-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def event(ticket: dict) -> bytes:
    return json.dumps({
        "account_id": 1, "type": "zen:event-type:ticket.created", "id": f"bench-{ticket['id']}",
        "subject": f"zen:ticket:{ticket['id']}", "time": ticket["updated_at"],
        "zendesk_event_version": "2022-11-06",
        "detail": {"id": str(ticket["id"]), "actor_id": str(ticket["requester_id"]),
                   "requester_id": str(ticket["requester_id"]), "status": "NEW",
                   "subject": ticket["subject"], "description": ticket["description"],
                   "tags": [], "via": {"channel": "web"}, "created_at": ticket["created_at"],
                   "updated_at": ticket["updated_at"]},
        "event": {}}).encode()


def percentiles(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    return (f"p50 {statistics.median(ordered) * 1000:.0f} ms, "
            f"p99 {ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000:.0f} ms, "
            f"max {ordered[-1] * 1000:.0f} ms")


def report(total: int, sent_for: float, acked: dict, seen: dict, duplicated: int,
           start: float) -> None:
    """The run's figures, and the latency per 10 s of sending (a growing backlog shows)."""
    print(f"sent {total} signed events in {sent_for:.1f} s ({total / sent_for:.1f}/s); "
          f"acknowledged {len(acked)}; notes visible for {len(seen)}; "
          f"lost {len(set(acked) - set(seen))}; duplicated {duplicated}")
    if not seen:
        return
    print(f"acknowledged → note visible: {percentiles([seen[t] - acked[t] for t in seen])}")
    buckets: dict[int, list[float]] = {}
    for ticket_id, landed in seen.items():
        buckets.setdefault(int((acked[ticket_id] - start) // 10), []).append(
            landed - acked[ticket_id])
    for bucket in sorted(buckets):
        print(f"  acknowledged at {bucket * 10:3d}-{bucket * 10 + 10:3d} s: "
              f"{percentiles(buckets[bucket])} ({len(buckets[bucket])} events)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--postgres", action="store_true", help=f"store in {POSTGRES}")
    args = parser.parse_args()
    var = tempfile.mkdtemp(prefix="ft-e2e-")
    url, drop = fresh_schema(POSTGRES) if args.postgres else (f"sqlite:///{var}/ft.db", None)
    try:
        run(args.rate, args.seconds, url, var)
    finally:
        if drop:
            drop()


def run(rate: float, seconds: float, url: str, var: str) -> None:
    sandbox = start_in_thread(SandboxConfig(port=0, webhooks_enabled=False,
                                            rate_limit_rpm=1_000_000))
    port = free_port()
    env = dict(os.environ, FT_PORT=str(port), FT_VAR_DIR=var, FT_ADMIN_TOKEN="bench",
               FT_DATABASE_URL=url, FT_RECONCILE_SECONDS="3600",
               FT_ZENDESK_RPM="1000000", ZENDESK_SUBDOMAIN="sandbox",
               ZENDESK_EMAIL="bot@sandbox.test", ZENDESK_API_TOKEN="sandbox-token",
               ZENDESK_WEBHOOK_SECRET=SECRET, ZENDESK_API_URL=sandbox.base_url)
    log = open(Path(var) / "serve.log", "w")  # noqa: SIM115 - closed with the service
    service = subprocess.Popen([sys.executable, "-m", "plugin.cli", "serve"], cwd=ROOT, env=env,
                               stdout=log, stderr=log, start_new_session=True)
    try:
        client = SandboxClient(sandbox.base_url, "sandbox-token")
        total = int(rate * seconds)
        ids = [client.create_customer_ticket(TEXT, lang="tr", email=f"e2e-{n}@example.test")
               for n in range(total)]
        auth = ("bot@sandbox.test/token", "sandbox-token")
        tickets = [requests.get(f"{sandbox.base_url}/api/v2/tickets/{i}.json", auth=auth,
                                headers={"X-Sandbox-Simulated": "1"}, timeout=5)
                   .json()["ticket"] for i in ids]
        for _ in range(200):
            try:
                requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.1)
        acked: dict[int, float] = {}
        seen: dict[int, float] = {}
        lock = threading.Lock()
        session = requests.Session()

        def send(ticket: dict) -> None:
            raw = event(ticket)
            headers = sign_zendesk_headers(SECRET, raw, datetime.now(UTC))
            headers["Content-Type"] = "application/json"
            response = session.post(f"http://127.0.0.1:{port}/webhooks/zendesk", data=raw,
                                    headers=headers, timeout=10)
            if response.status_code < 300:
                with lock:
                    acked[ticket["id"]] = time.perf_counter()

        state = sandbox.state
        bot = sandbox.app.extensions["sandbox"].config.bot_user_id

        def notes_on(ticket_id: int) -> int:
            return sum(1 for c in state.comments.get(ticket_id, ())
                       if not c["public"] and c["author_id"] == bot)

        def poll(until: float) -> None:
            # The sandbox runs in this process: look at the waiting tickets' comments directly
            # (GET /_sandbox/stats walks every comment under the sandbox's lock, which slows
            # the helpdesk being measured as the run goes on).
            while time.perf_counter() < until:
                with lock:
                    waiting = [t for t in acked if t not in seen]
                with state.lock:
                    landed = [t for t in waiting if notes_on(t)]
                now = time.perf_counter()
                with lock:
                    seen.update((t, now) for t in landed)
                    if len(acked) == total and len(seen) == total:
                        return
                time.sleep(0.02)

        poller = threading.Thread(target=poll, args=(time.perf_counter() + seconds + 120,))
        poller.start()
        start = time.perf_counter()
        senders = []
        for n, ticket in enumerate(tickets):
            time.sleep(max(0.0, start + n / rate - time.perf_counter()))
            thread = threading.Thread(target=send, args=(ticket,))
            thread.start()
            senders.append(thread)
        for thread in senders:
            thread.join()
        sent_for = time.perf_counter() - start
        poller.join()
        with state.lock:
            duplicated = sum(1 for t in acked if notes_on(t) > 1)
        report(total, sent_for, acked, seen, duplicated, start)
    finally:
        os.killpg(service.pid, 15)
        service.wait(20)
        log.close()
        sandbox.stop()


if __name__ == "__main__":
    main()
