"""A per-minute API budget in the database, shared by every process of one deployment."""

from __future__ import annotations

import threading
import time

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from plugin.db import write_lock
from plugin.helpdesk.errors import RateLimited
from plugin.models import RateWindow

WINDOW_SECONDS = 10
MAX_BATCH = 20


class Budget:
    """Allows RPM calls a minute, spread over 10-second windows so a burst cannot spend it all.

    Every process takes from the same counter rows, so N workers together stay under the
    account's limit. A process reserves up to BATCH calls per transaction (a twentieth of a
    window, at most 20) and hands them out to its threads; what it has not used when the window
    ends is lost, so a reservation can only make the process spend less, never more. A caller
    that would wait longer than MAX_WAIT gets RateLimited instead, and the event goes back to
    the inbox for later.
    """

    def __init__(self, sessions: sessionmaker[Session], key: str, rpm: int,
                 max_wait: float = 10.0, clock=time.time, sleep=time.sleep) -> None:
        self.sessions = sessions
        self.key = key
        self.per_window = max(1, rpm * WINDOW_SECONDS // 60)
        self.batch = max(1, min(MAX_BATCH, self.per_window // 20))
        self.max_wait = max_wait
        self.clock = clock
        self.sleep = sleep
        self._write_lock = write_lock(sessions.kw["bind"])
        self._lock = threading.Lock()
        self._reserved = (0, 0)  # (window, calls reserved and not yet handed out)

    def _take(self, window: int) -> int:
        """Reserve up to BATCH calls of WINDOW in the shared row; returns how many."""
        with self._write_lock, self.sessions() as session:
            row = session.get(RateWindow, (self.key, window), with_for_update=True)
            if row is not None:
                granted = min(self.batch, self.per_window - row.count)
                if granted <= 0:
                    session.rollback()
                    return 0
                row.count += granted
                session.commit()
                return granted
            session.execute(
                delete(RateWindow).where(RateWindow.key == self.key, RateWindow.window < window - 6)
            )
            session.add(RateWindow(key=self.key, window=window, count=self.batch))
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                return self._take(window)
            return self.batch

    def _take_reserved(self, window: int) -> bool:
        with self._lock:
            reserved_window, left = self._reserved
            if reserved_window != window or left <= 0:
                return False
            self._reserved = (window, left - 1)
            return True

    def _reserve(self, window: int) -> bool:
        """Take a batch from the shared row; keep all but one call for the next callers."""
        granted = self._take(window)
        if granted <= 0:
            return False
        with self._lock:
            reserved_window, left = self._reserved
            self._reserved = (window, granted - 1 + (left if reserved_window == window else 0))
        return True

    def acquire(self) -> None:
        """Take one call from the budget, waiting up to MAX_WAIT seconds for the next window."""
        waited = 0.0
        while True:
            now = self.clock()
            window = int(now // WINDOW_SECONDS)
            if self._take_reserved(window) or self._reserve(window):
                return
            pause = (window + 1) * WINDOW_SECONDS - now + 0.01
            if waited + pause > self.max_wait:
                raise RateLimited(pause, "client-side API budget spent")
            self.sleep(pause)
            waited += pause
