"""API economy: vendor API calls per processed event over a ticket's life, and a 10× burst.

Drives the sandbox helpdesk (customers and agents act as "simulated" users that don't count)
through created → customer comment → agent reply → transfer → solved, for several tickets, and
divides the plugin's own API calls (counted by the sandbox) by the events processed. Then sends
a burst with FT_ZENDESK_RPM below the sandbox's limit and counts 429s. Usage:
python benchmarks/api_economy.py [--tickets 10] [--vendor zendesk|freshdesk]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.stack import Stack, wait_until

TEXT = "Merhaba, siparişim bir haftadır gelmedi, kargo takip numarası da çalışmıyor."
AGENT, OTHER = "ayse@sandbox.test", "elvin@sandbox.test"


def plugin_calls(stack: Stack) -> int:
    return sum(stack.stats()["requests_by_status"].values())


def life(stack: Stack, index: int) -> None:
    email = f"economy-{index}@example.test"
    ticket = stack.client.create_customer_ticket(TEXT, lang="tr", email=email)
    wait_until(stack.settled, timeout=60)
    stack.client.set_group(ticket, 10, OTHER)
    stack.client.customer_comment(ticket, "Takip numarası TRK123456 ama sistemde yok.", email)
    stack.client.agent_reply(ticket, "Kontrol ediyorum, yarın size dönüş yapacağım.",
                             agent_email=AGENT)
    stack.client.set_group(ticket, 11, AGENT)
    stack.client.set_status(ticket, "solved", AGENT)
    wait_until(stack.settled, timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=10)
    parser.add_argument("--vendor", default="zendesk")
    args = parser.parse_args()
    stack = Stack(Path(tempfile.mkdtemp(prefix="ft-economy-")), vendor=args.vendor)
    try:
        for index in range(args.tickets):
            life(stack, index)
        counts = stack.services.store.count_by_status()
        # Events the worker ran: done, or skipped (e.g. the plugin's own changes coming back);
        # events ignored at the intake never reach the worker and are not counted.
        processed = counts.get("done", 0) + counts.get("skipped", 0)
        calls = plugin_calls(stack)
        print(f"{args.vendor}: {args.tickets} ticket lives, {processed} events processed "
              f"({counts}), {calls} API calls by the plugin → {calls / processed:.2f} per event")
    finally:
        stack.close()
    burst = Stack(Path(tempfile.mkdtemp(prefix="ft-burst-")), vendor=args.vendor,
                  worker=False, zendesk_rpm=60, freshdesk_rpm=60)
    try:
        burst.faults(rate_limit_rpm=100)
        ids = [burst.client.create_customer_ticket(TEXT, lang="tr") for _ in range(40)]
        wait_until(lambda: burst.services.store.count_by_status().get("pending", 0) >= 40,
                   timeout=60)
        burst.start_worker()
        wait_until(lambda: all(burst.note_count(i) for i in ids), timeout=600)
        wait_until(burst.settled, timeout=120)
        status = burst.stats()["requests_by_status"]
        print(f"burst: 40 tickets at once, plugin budget 60/min under the helpdesk's 100/min: "
              f"{sum(status.values())} calls, 429s: {status.get('429', 0)}, notes: "
              f"{sum(burst.note_count(i) for i in ids)}")
    finally:
        burst.close()


if __name__ == "__main__":
    main()
