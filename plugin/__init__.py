"""followthrough: helpdesk plugin service. `create_app(settings)` builds the WSGI app."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from plugin.config import Settings, load_settings, persistent_secret
from plugin.services import Services

MAX_BODY_BYTES = 256 * 1024  # Zendesk's own webhook payload limit


def webhook_secrets(settings: Settings) -> dict[str, str | None]:
    """Each vendor's webhook secret; in sandbox mode the sandbox's own for the chosen vendor."""
    secrets_by_vendor = {"zendesk": settings.zendesk_webhook_secret,
                         "freshdesk": settings.freshdesk_webhook_secret}
    if settings.sandbox and not secrets_by_vendor[settings.helpdesk]:
        secrets_by_vendor[settings.helpdesk] = persistent_secret(
            settings.var_dir, "sandbox_webhook_secret")[0]
    return secrets_by_vendor


def create_app(settings: Settings | None = None, services: Services | None = None) -> Flask:
    """The WSGI app: webhook intake, admin API, health. Nothing runs at import time."""
    settings = settings or load_settings()
    services = services or Services(settings)
    services.webhook_secrets = webhook_secrets(settings)
    app = Flask(__name__, template_folder="web/templates")
    app.config.update(
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        # Console sessions are signed with a key derived from the admin token: rotating the
        # token signs everyone out. No admin token, no console.
        SECRET_KEY=hmac.new((settings.admin_token or secrets.token_hex(32)).encode(),
                            b"followthrough console session", hashlib.sha256).hexdigest(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=settings.public_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=8 * 3600,
    )
    app.extensions["followthrough"] = services

    from plugin import webhooks
    from plugin.web import admin, console, health, panel, surveys

    app.register_blueprint(webhooks.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(console.bp)
    app.register_blueprint(surveys.bp)
    app.register_blueprint(panel.bp)

    @app.errorhandler(HTTPException)
    def json_errors(exc: HTTPException):
        response = jsonify(error=exc.description or exc.name)
        response.status_code = exc.code or 500
        if exc.code == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    return app
