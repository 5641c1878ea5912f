"""A lease in the database: exactly one process holds a role (worker + scheduler); others wait."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from plugin.models import KeyValue
from plugin.store import Store


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Lease:
    """Held by one owner until it expires; an owner on this host whose process died (kill -9)
    is taken over at once instead of after the expiry."""

    def __init__(self, store: Store, name: str, ttl_seconds: int = 20) -> None:
        self.store = store
        self.key = f"lease:{name}"
        self.ttl = timedelta(seconds=ttl_seconds)
        self.host = socket.gethostname()
        self.owner = f"{self.host}|{os.getpid()}|{uuid.uuid4().hex[:8]}"

    def _value(self, now: datetime) -> str:
        return f"{self.owner}|{(now + self.ttl).isoformat()}"

    def _free(self, current: str, now: datetime) -> bool:
        host, pid, _token, expires = current.split("|")
        if current.startswith(self.owner + "|"):
            return True
        if datetime.fromisoformat(expires) < now:
            return True
        return host == self.host and not _alive(int(pid))

    def acquire(self) -> bool:
        """Take or renew the lease; False while another live owner holds it."""
        now = self.store.now()
        with self.store.sessions() as session:
            row = session.get(KeyValue, self.key)
            if row is None:
                session.add(KeyValue(key=self.key, value=self._value(now)))
                try:
                    session.commit()
                    return True
                except IntegrityError:
                    session.rollback()
                    return False
            if not self._free(row.value, now):
                return False
            result = session.execute(
                update(KeyValue).where(KeyValue.key == self.key, KeyValue.value == row.value)
                .values(value=self._value(now)))
            session.commit()
            return result.rowcount == 1

    def holder(self) -> str | None:
        with self.store.sessions() as session:
            value = session.scalar(select(KeyValue.value).where(KeyValue.key == self.key))
        return value.rsplit("|", 1)[0] if value else None

    def release(self) -> None:
        with self.store.sessions() as session:
            row = session.get(KeyValue, self.key)
            if row is not None and row.value.startswith(self.owner + "|"):
                session.delete(row)
                session.commit()
