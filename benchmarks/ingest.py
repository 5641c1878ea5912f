"""Ingest benchmark: signed webhooks into the durable inbox vs a bare Flask hello-world.

Both apps run under the same gunicorn settings as `followthrough web`, one after the other, in
one run; the load generator is the same. Prints throughput, p50/p99 acknowledgement latency and
the ratio ingest/hello. On PostgreSQL (--postgres, or a postgresql:// --database-url) the inbox
lives in a fresh schema that is dropped afterwards, so runs never meet the tests' tables.
Usage: python benchmarks/ingest.py [--seconds 10] [--postgres | --database-url URL]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from plugin.config import load_settings  # noqa: E402
from plugin.runtime import gunicorn_options  # noqa: E402
from plugin.signatures import sign_zendesk_headers  # noqa: E402

SECRET = "bench-secret"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def body(ticket: int) -> bytes:
    return json.dumps({
        "account_id": 1, "type": "zen:event-type:ticket.created", "id": str(uuid.uuid4()),
        "subject": f"zen:ticket:{ticket}", "time": "2026-11-22T10:00:00Z",
        "zendesk_event_version": "2022-11-06",
        "detail": {"id": str(ticket), "actor_id": "2", "requester_id": "9", "status": "NEW",
                   "subject": "Sipariş", "description": "Siparişim gelmedi " * 40, "tags": [],
                   "via": {"channel": "web"}, "updated_at": "2026-11-22T10:00:00Z"},
        "event": {},
    }).encode()


def client(port: int, seconds: float, offset: int, queue) -> None:
    """One connection, keep-alive, sending distinct signed events for SECONDS."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    latencies, statuses, n = [], {}, 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        raw = body(offset * 1_000_000 + n)
        headers = sign_zendesk_headers(SECRET, raw, datetime.now(UTC))
        headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        connection.request("POST", "/webhooks/zendesk", raw, headers)
        response = connection.getresponse()
        response.read()
        latencies.append(time.perf_counter() - started)
        statuses[response.status] = statuses.get(response.status, 0) + 1
        n += 1
    queue.put((latencies, statuses))


def load(port: int, seconds: float, connections: int) -> dict:
    queue = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=client, args=(port, seconds, i, queue))
               for i in range(connections)]
    for worker in workers:
        worker.start()
    latencies, statuses = [], {}
    for _ in workers:
        part, codes = queue.get()
        latencies += part
        for code, count in codes.items():
            statuses[code] = statuses.get(code, 0) + count
    for worker in workers:
        worker.join()
    latencies.sort()
    return {
        "rps": len(latencies) / seconds,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "statuses": statuses,
    }


def serve(target: str, env: dict) -> tuple[subprocess.Popen, int]:
    """TARGET under gunicorn with exactly the options `followthrough web` uses."""
    port = free_port()
    options = gunicorn_options(load_settings(env))
    command = [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}",
               "-w", str(options["workers"]), "-k", options["worker_class"],
               "--threads", str(options["threads"]), "--log-level", "warning", target]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{target} did not start")


def write_requests(path: Path, count: int) -> None:
    """COUNT distinct signed events, one per line, for wrk (signed now: valid for 300 s)."""
    now = datetime.now(UTC)
    with path.open("w") as out:
        for n in range(count):
            raw = body(n)
            headers = sign_zendesk_headers(SECRET, raw, now)
            out.write(f"{headers['X-Zendesk-Webhook-Signature']}\t"
                      f"{headers['X-Zendesk-Webhook-Signature-Timestamp']}\t{raw.decode()}\n")


def wrk(port: int, seconds: float, connections: int, requests_file: Path) -> dict:
    """Load with wrk (2 threads); parses requests/s, p50, p99 and non-2xx counts."""
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{int(seconds)}s", "--latency",
         "-s", str(ROOT / "benchmarks" / "wrk_signed.lua"), f"http://127.0.0.1:{port}",
         "--", str(requests_file), "2"],
        capture_output=True, text=True, check=True).stdout

    def ms(label: str) -> float:
        value = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", output)
        number, unit = float(value.group(1)), value.group(2)
        return number / 1000 if unit == "us" else number * 1000 if unit == "s" else number

    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "p50_ms": ms(" 50%"), "p99_ms": ms(" 99%"),
            "statuses": {"non-2xx": int(bad.group(1)) if bad else 0}}


def run(target: str, env: dict, seconds: float, connections: int, requests_file: Path | None):
    process, port = serve(target, env)
    try:
        if requests_file:
            # Warm up with events of their own, so the measured ones are all new (not the
            # cheaper duplicate path).
            wrk(port, 2, connections, requests_file.with_suffix(".warm.tsv"))
            return wrk(port, seconds, connections, requests_file)
        load(port, 1.0, connections)
        return load(port, seconds, connections)
    finally:
        process.terminate()
        process.wait()


def fresh_schema(url: str) -> tuple[str, Callable[[], None]]:
    """URL with its search_path on a new empty schema, and the function that drops it."""
    from sqlalchemy import create_engine, text

    schema = f"ft_bench_{uuid.uuid4().hex[:12]}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))

    def drop() -> None:
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()

    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}", drop


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--database-url")
    parser.add_argument("--postgres", action="store_const", const=POSTGRES, dest="database_url",
                        help=f"the database at {POSTGRES}")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="ft-bench-")
    url, drop = args.database_url or f"sqlite:///{tmp}/bench.db", None
    if url.startswith("postgresql"):
        url, drop = fresh_schema(url)
    try:
        measure(url, tmp, args.seconds, args.connections)
    finally:
        if drop:
            drop()


def measure(url: str, tmp: str, seconds: float, connections: int) -> None:
    """Serve hello, then the intake on URL, under the same load; print both and the ratio."""
    env = dict(os.environ, FT_DATABASE_URL=url,
               ZENDESK_SUBDOMAIN="bench", ZENDESK_EMAIL="bench@example.com",
               ZENDESK_API_TOKEN="unused", ZENDESK_WEBHOOK_SECRET=SECRET, FT_VAR_DIR=tmp)
    subprocess.run([sys.executable, "-m", "plugin.cli", "migrate"], cwd=ROOT, env=env,
                   check=True)
    requests_file = None
    if shutil.which("wrk"):
        requests_file = Path(tmp) / "requests.tsv"
        write_requests(requests_file, int(seconds * 4000) + 20_000)
        write_requests(requests_file.with_suffix(".warm.tsv"), 12_000)
    else:
        print("wrk not found (apt-get install wrk): using the slower Python load generator")
    hello = run("benchmarks.hello_app:app", env, seconds, connections, requests_file)
    ingest = run("app:app", env, seconds, connections, requests_file)
    options = gunicorn_options(load_settings(env))
    tool = "wrk" if requests_file else "python"
    print(f"machine: {os.cpu_count()} cores; store: {url.split('://')[0]}; load: {tool}, "
          f"{connections} connections, {seconds:.0f} s each; gunicorn {options['workers']} "
          f"worker(s) x {options['threads']} threads")
    for name, result in (("hello", hello), ("ingest", ingest)):
        print(f"{name:>7}: {result['rps']:8.0f} req/s  p50 {result['p50_ms']:6.2f} ms  "
              f"p99 {result['p99_ms']:6.2f} ms  statuses {result['statuses']}")
    print(f"  ratio ingest/hello: {ingest['rps'] / hello['rps']:.2f}")


if __name__ == "__main__":
    main()
