"""The retry policy for vendor calls (tenacity): Retry-After on 429, jittered backoff on 5xx."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

from plugin.helpdesk.errors import HelpdeskError, RateLimited

T = TypeVar("T")
MAX_IN_CALL_WAIT = 10.0


def _worth_retrying_now(exc: BaseException, write: bool = False) -> bool:
    """Transient failures are retried in-call unless the vendor asks us to wait too long, or
    a write may already have taken effect."""
    if isinstance(exc, RateLimited):
        return exc.retry_after <= MAX_IN_CALL_WAIT
    if write and getattr(exc, "ambiguous", False):
        return False
    return isinstance(exc, HelpdeskError) and exc.transient


class _WaitRetryAfterOrJitter:
    """Wait what Retry-After says on 429, else full-jitter exponential backoff."""

    def __init__(self) -> None:
        self.backoff = wait_random_exponential(multiplier=0.5, max=8)

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RateLimited):
            return exc.retry_after
        return self.backoff(state)


def call_with_retries(fn: Callable[[], T], attempts: int = 4, sleep=None,
                      write: bool = False) -> T:
    """Run FN, retrying transient failures; the last failure is re-raised to the caller.

    WRITE: FN changes the ticket; a failure that may have taken effect is not retried here.
    """
    kwargs = {"sleep": sleep} if sleep is not None else {}
    retrying = Retrying(
        retry=retry_if_exception(lambda exc: _worth_retrying_now(exc, write)),
        wait=_WaitRetryAfterOrJitter(),
        stop=stop_after_attempt(attempts) | stop_after_delay(45),
        reraise=True,
        **kwargs,
    )
    return retrying(fn)
