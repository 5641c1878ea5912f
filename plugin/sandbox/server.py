"""Serve the sandbox helpdesk with werkzeug's threaded WSGI server (blocking or in a thread)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from plugin.sandbox.app import create_sandbox_app
from plugin.sandbox.config import SandboxConfig
from plugin.sandbox.state import SandboxState
from plugin.sandbox.webhooks import WebhookSender

log = logging.getLogger(__name__)


class QuietRequestHandler(WSGIRequestHandler):
    """Request handler without per-request access logs (tests)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


@dataclass
class SandboxHandle:
    """A running sandbox; also unpacks as (base_url, stop, app)."""

    base_url: str
    app: Flask
    state: SandboxState
    sender: WebhookSender
    _server: BaseWSGIServer = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    def stop(self) -> None:
        """Stop serving, stop the webhook sender and write pending persistence."""
        self._server.shutdown()
        self._thread.join(5)
        self._server.server_close()
        self.sender.stop()
        self.state.close()

    def __iter__(self) -> Iterator[Any]:
        stop: Callable[[], None] = self.stop
        return iter((self.base_url, stop, self.app))


def _serve(config: SandboxConfig, quiet: bool) -> tuple[Flask, BaseWSGIServer]:
    app = create_sandbox_app(config)
    handler = QuietRequestHandler if quiet else WSGIRequestHandler
    server = make_server(config.host, config.port, app, threaded=True, request_handler=handler)
    return app, server


def start_in_thread(config: SandboxConfig | None = None, quiet: bool = True) -> SandboxHandle:
    """Start a sandbox on config.host:config.port (port 0 = any free port) in a daemon thread."""
    config = config or SandboxConfig(port=0)
    app, server = _serve(config, quiet)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True, name="sandbox-http")
    thread.start()
    runtime = app.extensions["sandbox"]
    return SandboxHandle(base_url=f"http://{config.host}:{server.port}", app=app,
                         state=runtime.state, sender=runtime.sender, _server=server,
                         _thread=thread)


def run_sandbox(config: SandboxConfig | str | None = None, port: int | None = None,
                settings: SandboxConfig | None = None) -> None:
    """Serve until interrupted; call as run_sandbox(config) or run_sandbox(host, port, config)."""
    if isinstance(config, str):
        settings = settings or SandboxConfig()
        settings.host = config
        if port is not None:
            settings.port = port
    else:
        settings = config or settings or SandboxConfig()
    app, server = _serve(settings, quiet=False)
    runtime = app.extensions["sandbox"]
    log.info("sandbox helpdesk on http://%s:%s", settings.host, server.port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        log.info("sandbox helpdesk stopping")
    finally:
        server.server_close()
        runtime.sender.stop()
        runtime.state.close()
