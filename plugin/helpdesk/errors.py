"""Failures of vendor calls, classified as transient (retry) or permanent (don't)."""

from __future__ import annotations


class HelpdeskError(Exception):
    """Base class; `status` is the HTTP status when there was one."""

    transient = False

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class Transient(HelpdeskError):
    """5xx, timeouts, connection resets: retried with backoff.

    `ambiguous` marks failures after which the request may have taken effect (a timeout while
    waiting for the answer, a 504): a write is then not repeated blindly — the event is retried
    later, and the retry first looks for its marker on the ticket.
    """

    transient = True

    def __init__(self, message: str, status: int | None = None,
                 ambiguous: bool = False) -> None:
        super().__init__(message, status)
        self.ambiguous = ambiguous


class RateLimited(Transient):
    """429 (or our own budget is spent): retried after `retry_after` seconds."""

    def __init__(self, retry_after: float, message: str = "rate limited") -> None:
        super().__init__(f"{message}; retry after {retry_after:.0f} s", 429)
        self.retry_after = retry_after


class Conflict(HelpdeskError):
    """409: the ticket changed since we read it; refetch and try again."""


class TicketClosed(HelpdeskError):
    """422 on a closed ticket: it cannot be changed any more."""


class Permanent(HelpdeskError):
    """Any other 4xx: retrying cannot help."""
