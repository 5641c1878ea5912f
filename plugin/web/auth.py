"""Bearer-token check for /api/*, in constant time."""

from __future__ import annotations

import hmac
from functools import wraps

from flask import current_app, jsonify, request


def require_admin(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        expected = current_app.extensions["followthrough"].settings.admin_token
        header = request.headers.get("Authorization", "")
        given = header.removeprefix("Bearer ") if header.startswith("Bearer ") else ""
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            response = jsonify(error="a valid admin token is required (Authorization: Bearer …)")
            response.status_code = 401
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
        return view(*args, **kwargs)

    return wrapped
