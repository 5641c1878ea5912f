"""A per-minute API budget in the database, shared by every process of one deployment."""

from __future__ import annotations

import time

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from plugin.helpdesk.errors import RateLimited
from plugin.models import RateWindow

WINDOW_SECONDS = 10


class Budget:
    """Allows RPM calls a minute, spread over 10-second windows so a burst cannot spend it all.

    Every process takes from the same counter rows, so N workers together stay under the
    account's limit. A caller that would wait longer than MAX_WAIT gets RateLimited instead,
    and the event goes back to the inbox for later.
    """

    def __init__(self, sessions: sessionmaker[Session], key: str, rpm: int,
                 max_wait: float = 10.0, clock=time.time, sleep=time.sleep) -> None:
        self.sessions = sessions
        self.key = key
        self.per_window = max(1, rpm * WINDOW_SECONDS // 60)
        self.max_wait = max_wait
        self.clock = clock
        self.sleep = sleep

    def _take(self, window: int) -> bool:
        with self.sessions() as session:
            result = session.execute(
                update(RateWindow)
                .where(RateWindow.key == self.key, RateWindow.window == window,
                       RateWindow.count < self.per_window)
                .values(count=RateWindow.count + 1)
            )
            if result.rowcount == 1:
                session.commit()
                return True
            if session.get(RateWindow, (self.key, window)) is not None:
                session.rollback()
                return False
            session.execute(
                delete(RateWindow).where(RateWindow.key == self.key, RateWindow.window < window - 6)
            )
            session.add(RateWindow(key=self.key, window=window, count=1))
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                return self._take(window)
            return True

    def acquire(self) -> None:
        """Take one call from the budget, waiting up to MAX_WAIT seconds for the next window."""
        waited = 0.0
        while True:
            now = self.clock()
            window = int(now // WINDOW_SECONDS)
            if self._take(window):
                return
            pause = (window + 1) * WINDOW_SECONDS - now + 0.01
            if waited + pause > self.max_wait:
                raise RateLimited(pause, "client-side API budget spent")
            self.sleep(pause)
            waited += pause
