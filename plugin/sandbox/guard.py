"""Account budget and fault injection applied to every non-simulated /api/v2 request."""

from __future__ import annotations

import socket
import struct
import time
from collections.abc import Callable

from flask import Response, request

from plugin.sandbox.common import runtime
from plugin.sandbox.errors import ApiError

API_PREFIX = "/api/v2"
Headers = dict[str, str]


def drop_connection() -> Response:
    """Close the client connection without sending a response."""
    sock = request.environ.get("werkzeug.socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    request.environ["sandbox.dropped"] = True
    return Response(status=500)


def guard_request(limited: Callable[[], ApiError], fault: Callable[[int], ApiError],
                  rate_headers: Callable[[Headers], Headers]) -> Response | None:
    """Count the request against the budget, then maybe stall, reset or fail it.

    The vendor dialect supplies its 429 and injected-error bodies and its rate-limit headers
    (stored for the after-request hook, which adds them to the response).
    """
    faults = runtime().faults
    allowed, headers = faults.limiter.hit()
    request.environ["sandbox.rate_headers"] = rate_headers(headers)
    if not allowed:
        raise limited()
    stall, outcome = faults.injector.draw()
    if stall:
        time.sleep(stall)
    if outcome == "reset":
        faults.count("reset")
        return drop_connection()
    if isinstance(outcome, int):
        raise fault(outcome)
    return None
