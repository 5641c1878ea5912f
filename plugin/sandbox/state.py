"""Thread-safe in-memory state of the sandbox helpdesk, with optional debounced JSON persistence."""

from __future__ import annotations

import calendar
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from plugin.sandbox.config import DEFAULT_TIME_ZONE, SandboxConfig

Record = dict[str, Any]

_RAILS_ZONES = {"Europe/Istanbul": "Istanbul", "Asia/Baku": "Baku", "Europe/Berlin": "Berlin",
                "Europe/London": "London", "UTC": "UTC"}
_FIRST_IDS = {"user": 100, "ticket": 1, "comment": 10001, "audit": 50001, "callback": 1}


def iso(ts: float) -> str:
    """Format epoch seconds like Zendesk: 2026-11-22T10:00:00Z."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(ts)))


def parse_iso(value: str) -> int:
    """Parse a Zendesk ISO timestamp (Z suffix, optional fraction) into epoch seconds."""
    return calendar.timegm(time.strptime(value.split(".")[0].rstrip("Z"), "%Y-%m-%dT%H:%M:%S"))


class SandboxClock:
    """Wall clock with an adjustable offset (POST /_sandbox/time)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset


class Persister:
    """Writes snapshots to a JSON file, debounced, via an atomic rename."""

    def __init__(self, path: str, debounce: float, snapshot: Callable[[], str]) -> None:
        self.path = Path(path)
        self.debounce = debounce
        self._snapshot = snapshot
        self._timer: threading.Timer | None = None
        self._timer_lock = threading.Lock()  # never held while taking the state lock
        self._write_lock = threading.Lock()

    def schedule(self) -> None:
        with self._timer_lock:
            if self._timer is None:
                self._timer = threading.Timer(self.debounce, self.flush)
                self._timer.daemon = True
                self._timer.start()

    def flush(self) -> None:
        with self._timer_lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        with self._write_lock:
            data = self._snapshot()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".sandbox-", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)


class SandboxState:
    """Users, groups, tickets, comments, audits and counters behind one re-entrant lock."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.lock = threading.RLock()
        self.clock = SandboxClock()
        self.users: dict[int, Record] = {}
        self.groups: dict[int, Record] = {}
        self.tickets: dict[int, Record] = {}
        self.comments: dict[int, list[Record]] = {}
        self.audits: dict[int, list[Record]] = {}
        self.callback_requests: list[Record] = []
        self.counters: dict[str, int] = {}
        self._persister: Persister | None = None
        if config.persist_path:
            self._persister = Persister(config.persist_path, config.persist_debounce_seconds,
                                        self.snapshot_json)
        self.reset()
        if config.persist_path and Path(config.persist_path).exists():
            self.restore(json.loads(Path(config.persist_path).read_text(encoding="utf-8")))

    def now(self) -> int:
        return int(self.clock.now())

    def reset(self) -> None:
        """Back to the seeded users and groups, no tickets."""
        with self.lock:
            self.clock.offset = 0.0
            now = self.now()
            self.users = {}
            for seed in self.config.users:
                self._add_user({**seed, "created_ts": now})
            self.groups = {g["id"]: {**g, "created_ts": now} for g in self.config.groups}
            self.tickets, self.comments, self.audits = {}, {}, {}
            self.callback_requests = []
            self.counters = dict(_FIRST_IDS)
            self.changed()

    def next_id(self, kind: str) -> int:
        with self.lock:
            value = self.counters[kind]
            self.counters[kind] = value + 1
            return value

    def _add_user(self, data: Record) -> Record:
        tz = data.get("iana_time_zone") or DEFAULT_TIME_ZONE
        user = {
            "id": data["id"], "name": data.get("name") or data["email"].split("@")[0],
            "email": data["email"].lower(), "role": data.get("role") or "end-user",
            "locale": data.get("locale") or "tr", "iana_time_zone": tz,
            "time_zone": data.get("time_zone") or _RAILS_ZONES.get(tz, tz),
            "phone": data.get("phone"), "created_ts": data.get("created_ts", self.now()),
        }
        self.users[user["id"]] = user
        return user

    def user_by_email(self, email: str) -> Record | None:
        wanted = email.strip().lower()
        with self.lock:
            return next((u for u in self.users.values() if u["email"] == wanted), None)

    def create_user(self, data: Record) -> Record:
        """Create a user (an end-user unless a role is given); the caller checks uniqueness."""
        with self.lock:
            user = self._add_user({**data, "id": self.next_id("user"), "created_ts": self.now()})
            self.changed()
            return user

    def ensure_end_user(self, data: Record) -> Record:
        """Find a user by email or create an end-user from requester data."""
        with self.lock:
            return self.user_by_email(data["email"]) or self.create_user(
                {**data, "role": "end-user"})

    def bump_updated(self, ticket: Record) -> int:
        """Set a strictly increasing updated timestamp on the ticket and return it."""
        ts = max(self.now(), ticket["updated_ts"] + 1)
        ticket["updated_ts"] = ts
        return ts

    def changed(self) -> None:
        if self._persister is not None:
            self._persister.schedule()

    def close(self) -> None:
        if self._persister is not None:
            self._persister.flush()

    def snapshot_json(self) -> str:
        """The whole state as JSON text (serialised under the lock)."""
        with self.lock:
            return json.dumps({
                "clock_offset": self.clock.offset,
                "users": list(self.users.values()),
                "groups": list(self.groups.values()),
                "tickets": list(self.tickets.values()),
                "comments": {str(k): v for k, v in self.comments.items()},
                "audits": {str(k): v for k, v in self.audits.items()},
                "callback_requests": self.callback_requests,
                "counters": self.counters,
            }, ensure_ascii=False, indent=1)

    def restore(self, data: Record) -> None:
        with self.lock:
            self.clock.offset = float(data.get("clock_offset", 0.0))
            self.users = {u["id"]: u for u in data["users"]}
            self.groups = {g["id"]: g for g in data["groups"]}
            self.tickets = {t["id"]: t for t in data["tickets"]}
            self.comments = {int(k): v for k, v in data["comments"].items()}
            self.audits = {int(k): v for k, v in data.get("audits", {}).items()}
            self.callback_requests = data.get("callback_requests", [])
            self.counters = {**_FIRST_IDS, **data["counters"]}
