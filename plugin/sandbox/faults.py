"""Rate limiting (account budget and per-ticket updates) and fault injection for the sandbox."""

from __future__ import annotations

import math
import random
import threading
import time
from collections import Counter, deque
from typing import Any

_ERROR_STATUSES = (500, 502, 503)
_FAULT_KEYS = ("error_rate", "stall_seconds", "stall_rate", "reset_rate", "rate_limit_rpm",
               "rate_limit_window", "seed")


class RateLimiter:
    """Fixed windows (60 s like Zendesk's account limit, shorter for tests) on the wall clock."""

    def __init__(self, rpm: int, window_seconds: int = 60) -> None:
        self.rpm = rpm
        self.window_seconds = window_seconds
        self._lock = threading.Lock()
        self._window = 0
        self._count = 0

    def hit(self) -> tuple[bool, dict[str, str]]:
        """Count one request; returns (allowed, rate-limit headers)."""
        now = time.time()
        length = self.window_seconds
        window = int(now // length)
        with self._lock:
            if window != self._window:
                self._window, self._count = window, 0
            allowed = self._count < self.rpm
            if allowed:
                self._count += 1
            remaining = max(self.rpm - self._count, 0)
        reset = max(math.ceil((window + 1) * length - now), 1)
        headers = {"X-Rate-Limit": str(self.rpm), "X-Rate-Limit-Remaining": str(remaining),
                   "ratelimit-limit": str(self.rpm), "ratelimit-remaining": str(remaining),
                   "ratelimit-reset": str(reset)}
        if not allowed:
            headers["Retry-After"] = str(reset)
        return allowed, headers

    def reset(self) -> None:
        with self._lock:
            self._window, self._count = 0, 0


class TicketUpdateLimiter:
    """Zendesk's '30 updates per ticket per 10 minutes per user' sliding window."""

    def __init__(self, limit: int, window_seconds: int) -> None:
        self.limit = limit
        self.window = window_seconds
        self._lock = threading.Lock()
        self._hits: dict[tuple[int, int], deque[float]] = {}

    def check(self, ticket_id: int, user_id: int) -> int | None:
        """Record an update attempt; returns Retry-After seconds when over the limit."""
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault((ticket_id, user_id), deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(math.ceil(hits[0] + self.window - now), 1)
            hits.append(now)
            return None

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


class FaultInjector:
    """Random 5xx errors, stalls and connection resets, configured at run time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.settings: dict[str, Any] = {}
        self._rng = random.Random()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.settings = {"error_rate": 0.0, "stall_seconds": 0.0, "stall_rate": 0.0,
                             "reset_rate": 0.0, "seed": None}
            self._rng = random.Random()

    def configure(self, data: dict[str, Any]) -> None:
        with self._lock:
            for key in ("error_rate", "stall_seconds", "stall_rate", "reset_rate"):
                if key in data:
                    self.settings[key] = float(data[key])
            if "seed" in data:
                self.settings["seed"] = data["seed"]
                self._rng = random.Random(data["seed"])

    def draw(self) -> tuple[float, str | int | None]:
        """(seconds to stall, then 'reset' | an error status | None) for one request."""
        with self._lock:
            s, rng = self.settings, self._rng
            stall = s["stall_seconds"] if rng.random() < s["stall_rate"] else 0.0
            if rng.random() < s["reset_rate"]:
                return stall, "reset"
            if rng.random() < s["error_rate"]:
                return stall, rng.choice(_ERROR_STATUSES)
            return stall, None


class FaultControl:
    """Everything behind /_sandbox/faults plus the request counters for /_sandbox/stats."""

    def __init__(self, rate_limit_rpm: int, ticket_limit: int, ticket_window: int) -> None:
        self.default_rpm = rate_limit_rpm
        self.limiter = RateLimiter(rate_limit_rpm)
        self.ticket_limiter = TicketUpdateLimiter(ticket_limit, ticket_window)
        self.injector = FaultInjector()
        self._lock = threading.Lock()
        self.requests_by_status: Counter[str] = Counter()

    def configure(self, data: dict[str, Any]) -> dict[str, Any]:
        unknown = set(data) - set(_FAULT_KEYS)
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        if "rate_limit_rpm" in data:
            self.limiter.rpm = int(data["rate_limit_rpm"])
        if "rate_limit_window" in data:
            self.limiter.window_seconds = max(int(data["rate_limit_window"]), 1)
        self.injector.configure(data)
        return self.describe()

    def describe(self) -> dict[str, Any]:
        return {**self.injector.settings, "rate_limit_rpm": self.limiter.rpm,
                "rate_limit_window": self.limiter.window_seconds}

    def count(self, status: int | str) -> None:
        with self._lock:
            self.requests_by_status[str(status)] += 1

    def reset(self) -> None:
        self.limiter.rpm = self.default_rpm
        self.limiter.window_seconds = 60
        self.limiter.reset()
        self.ticket_limiter.reset()
        self.injector.reset()
        with self._lock:
            self.requests_by_status.clear()
