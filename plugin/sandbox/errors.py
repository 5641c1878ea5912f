"""Zendesk-shaped API errors raised by the sandbox and rendered by its blueprints."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An HTTP error with a Zendesk-style JSON body."""

    def __init__(self, status: int, body: dict[str, Any],
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def not_found() -> ApiError:
    return ApiError(404, {"error": "RecordNotFound", "description": "Not found"})


def invalid(field: str, description: str) -> ApiError:
    """422 RecordInvalid with one field detail."""
    return ApiError(422, {"error": "RecordInvalid", "description": "Record validation errors",
                          "details": {field: [{"description": description}]}})


def bad_request(description: str) -> ApiError:
    return ApiError(400, {"error": "InvalidValue", "description": description})


def unauthorized() -> ApiError:
    return ApiError(401, {"error": "Couldn't authenticate you"})


def forbidden() -> ApiError:
    return ApiError(403, {"error": "Forbidden", "description": "You do not have access to this "
                          "page. Please contact the account owner of this help desk for further "
                          "help."})


def closed_ticket() -> ApiError:
    return invalid("status", "Status: closed prevents ticket update")


def update_conflict() -> ApiError:
    return ApiError(409, {"error": "UpdateConflict", "description": "Safe Update prevented the "
                          "update due to outdated ticket data. Please fetch the latest ticket "
                          "data and try again."})
