"""A tiny threaded webhook receiver for the sandbox's own tests (Zendesk and Freshdesk)."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.serving import make_server

from plugin.sandbox.server import QuietRequestHandler


class Receiver:
    """A tiny threaded webhook receiver; `script` holds (status, headers) answers to use first."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[dict[str, Any]] = []
        self.script: list[tuple[int, dict[str, str]]] = []
        self.max_delay = 0.0  # random answer delay, to expose ordering bugs
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True,
                                  request_handler=QuietRequestHandler)
        self.url = f"http://127.0.0.1:{self.server.port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items()
                   if k.startswith("HTTP_")}
        headers["content-type"] = environ.get("CONTENT_TYPE", "")
        time.sleep(random.uniform(0, self.max_delay))
        with self.lock:
            self.received.append({"headers": headers, "raw": raw, "json": json.loads(raw)})
            status, extra = self.script.pop(0) if self.script else (200, {})
        start_response(f"{status} X", [("Content-Type", "application/json"), *extra.items()])
        return [b"{}"]

    def events(self, ticket_id: int | None = None) -> list[dict[str, Any]]:
        with self.lock:
            return [r["json"] for r in self.received
                    if ticket_id is None or r["json"]["subject"] == f"zen:ticket:{ticket_id}"]
