"""Process entry points: the web server (gunicorn), the worker, and `serve` supervising both."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from gunicorn.app.base import BaseApplication

from plugin.config import Settings, persistent_secret

log = logging.getLogger(__name__)


class _Gunicorn(BaseApplication):
    """gunicorn, configured in code; each worker builds its own app after the fork."""

    def __init__(self, options: dict) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from plugin import create_app

        return create_app()


def gunicorn_options(settings: Settings) -> dict:
    """The web server's settings; benchmarks/ingest.py serves its baseline with the same ones.

    SQLite takes one writer at a time, so one process with threads (and an in-process write
    lock) beats several processes contending for the file lock; PostgreSQL gets processes.
    """
    sqlite = settings.database_url.startswith("sqlite")
    return {
        "bind": f"{os.environ.get('FT_HOST', '127.0.0.1')}:{settings.port}",
        "workers": 1 if sqlite else settings.web_workers,
        "worker_class": "gthread",
        "threads": 8 if sqlite else 4,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "timeout": 30,
        "graceful_timeout": 10,
        "proc_name": "followthrough-web",
    }


def run_web(settings: Settings) -> None:
    """Serve intake, admin API and health with gunicorn (threaded workers)."""
    _Gunicorn(gunicorn_options(settings)).run()


def run_worker(settings: Settings, services) -> None:
    """Hold the worker lease (others wait as standby), then drain the inbox, run the scheduler
    and reconcile periodically, until SIGTERM/SIGINT or the lease is lost."""
    from plugin.leader import Lease

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    lease = Lease(services.store, "worker")
    announced = False
    while not stop.is_set():
        if lease.acquire():
            _lead(settings, services, lease, stop)
        elif not announced:
            log.info("another worker holds the lease; waiting as standby",
                     extra={"reason": lease.holder()})
            announced = True
        stop.wait(2)
    lease.release()


def _lead(settings: Settings, services, lease, stop: threading.Event) -> None:
    """The active worker: inbox, scheduler, reconciliation, and the lease's heartbeat."""
    from plugin.reconcile import reconcile_once
    from plugin.scheduler import Scheduler
    from plugin.worker import Worker

    lost = threading.Event()
    scheduler = Scheduler(services.store)
    processor = services.processor()
    processor.scheduler = scheduler

    def heartbeat() -> None:
        while not stop.wait(5) and not lost.is_set():
            if not lease.acquire():
                log.error("worker lease lost; stepping down")
                lost.set()

    def reconcile_loop() -> None:
        first = not services.store.get_value(f"{services.helpdesk.vendor}:reconcile_cursor")
        while not (stop.wait(0 if first else settings.reconcile_seconds) or lost.is_set()):
            first = False
            try:
                reconcile_once(services.store, services.helpdesk)
            except Exception as exc:
                log.warning("reconciliation failed; next round will retry",
                            extra={"error": type(exc).__name__})

    armed = scheduler.start()
    log.info("worker started", extra={"count": settings.worker_threads, "reason": f"{armed} "
                                      "follow-ups re-armed"})
    threading.Thread(target=heartbeat, name="ft-lease", daemon=True).start()
    threading.Thread(target=reconcile_loop, name="ft-reconcile", daemon=True).start()
    either = threading.Event()
    threading.Thread(target=lambda: (stop.wait(), either.set()), daemon=True).start()
    threading.Thread(target=lambda: (lost.wait(), either.set()), daemon=True).start()
    try:
        Worker(services.store, processor, settings.worker_threads).run(either)
    finally:
        scheduler.shutdown()


def sandbox_banner(settings: Settings, admin_token: str, created: bool) -> str:
    lines = [
        "",
        f"followthrough is running with the built-in SANDBOX helpdesk ({settings.helpdesk}; no "
        "credentials set).",
        f"  plugin:   http://localhost:{settings.port}   (webhooks at /webhooks/"
        f"{settings.helpdesk})",
        f"  sandbox:  http://127.0.0.1:{settings.sandbox_port}/api/v2",
        f"  admin token{' (new)' if created else ''}: {admin_token}   (kept in "
        f"{settings.var_dir}/admin_token)",
        "Next, in another terminal:",
        '  .venv/bin/followthrough sandbox ticket "Siparişim hâlâ gelmedi" --lang tr',
        "  .venv/bin/followthrough sandbox show 1",
    ]
    if settings.helpdesk == "zendesk":
        lines.append(f"  the ticket with the side panel: http://127.0.0.1:{settings.sandbox_port}"
                     "/agent/tickets/1")
    return "\n".join([*lines, ""])


def serve(settings: Settings) -> int:
    """Run web, worker (and the sandbox when no credentials are set) as one process group."""
    env = dict(os.environ)
    metrics_dir = Path(settings.var_dir) / "prometheus"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir.resolve())
    exe = [sys.executable, "-m", "plugin.cli"]
    commands = [[*exe, "web"], [*exe, "worker"]]
    if settings.sandbox:
        token, created = (settings.admin_token, False) if settings.admin_token else \
            persistent_secret(settings.var_dir, "admin_token")
        env["FT_ADMIN_TOKEN"] = token
        commands.insert(0, [*exe, "sandbox", "serve"])
        print(sandbox_banner(settings, token, created), flush=True)
    children = []
    for command in commands:
        children.append(subprocess.Popen(command, env=env))  # noqa: S603 - our own CLI
        if command[-1] == "serve":
            time.sleep(0.5)  # the sandbox listens before the worker first calls it
    stopping = threading.Event()

    def stop(*_):
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    code = 0
    while not stopping.is_set():
        for child in children:
            if child.poll() is not None:
                log.error("a service process stopped; stopping the rest",
                          extra={"reason": " ".join(child.args[3:]), "status": child.returncode})
                code = child.returncode or 1
                stopping.set()
        stopping.wait(0.5)
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
    return code
