"""The admin console: loaded playbooks with their load errors, and "try a ticket text"."""

from __future__ import annotations

import hmac
import secrets

from flask import Blueprint, abort, current_app, redirect, render_template, request, session
from markupsafe import Markup

from plugin.playbooks.admin import preview

bp = Blueprint("console", __name__, url_prefix="/console")
MAX_TRY_CHARS = 5000


def _services():
    return current_app.extensions["followthrough"]


def _signed_in() -> bool:
    return session.get("admin") is True


def _check_csrf() -> None:
    expected = session.get("csrf", "")
    given = request.form.get("csrf", "")
    if not expected or not hmac.compare_digest(expected.encode(), given.encode()):
        abort(403, "the form has expired; reload the page")


@bp.get("")
def home():
    if not _signed_in():
        return render_template("console_login.html", error=None)
    session.setdefault("csrf", secrets.token_urlsafe(24))
    registry = _services().playbooks
    loaded = registry.current()
    return render_template("console.html", playbooks=sorted(loaded.playbooks.values(),
                                                             key=lambda p: p.id),
                           errors=[str(e) for e in loaded.errors], result=None, text="",
                           csrf=session["csrf"])


@bp.post("/login")
def login():
    expected = _services().settings.admin_token or ""
    given = request.form.get("token", "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        return render_template("console_login.html", error="That token is not right."), 401
    session.clear()
    session["admin"] = True
    session["csrf"] = secrets.token_urlsafe(24)
    return redirect("/console", code=303)


@bp.post("/logout")
def logout():
    _check_csrf()
    session.clear()
    return redirect("/console", code=303)


@bp.post("/try")
def try_text():
    if not _signed_in():
        abort(401, "sign in first")
    _check_csrf()
    text = request.form.get("text", "")[:MAX_TRY_CHARS]
    loaded = _services().playbooks.current()
    result = preview(loaded, text, channel=request.form.get("channel") or None)
    # The note HTML comes from our renderer, which escapes every piece of text it inserts.
    note = Markup(result.note_html) if result.note_html else None  # noqa: S704
    return render_template("console.html", playbooks=sorted(loaded.playbooks.values(),
                                                            key=lambda p: p.id),
                           errors=[str(e) for e in loaded.errors], result=result, note=note,
                           text=text, csrf=session["csrf"])
