"""One JSON line per log record; only the fields we pass explicitly, never message bodies."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

SAFE_FIELDS = (
    "event_id", "vendor", "event_type", "ticket_id", "status", "outcome", "attempt",
    "duration_ms", "error", "kind", "count", "delay_s", "url", "port", "mode", "reason",
)


class JsonFormatter(logging.Formatter):
    """Formats a record as JSON with its whitelisted `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for name in SAFE_FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            # The type only: exception text may quote a vendor body with customer words.
            line["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
        return json.dumps(line, ensure_ascii=False, default=str)


def setup_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("zenpy", "urllib3", "werkzeug", "apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
