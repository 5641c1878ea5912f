"""The customer's survey page at /s/<token>: GET only shows it, POST records one answer."""

from __future__ import annotations

import hmac
import re
import secrets

from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from plugin.surveys import (
    LANGUAGES,
    MAX_COMMENT_CHARS,
    QUESTIONS,
    SCALE_WORDS,
    SCALES,
    TEXTS,
)
from plugin.surveys.tokens import BadToken, SurveyClaim, read_token

bp = Blueprint("surveys", __name__, url_prefix="/s")
CSRF_COOKIE = "ft_survey_csrf"
_CSRF_SHAPE = re.compile(r"[A-Za-z0-9_-]{32}")
_SCORE = re.compile(r"[0-9]{1,2}")
# The page loads nothing from anywhere; the token in its address must not leak onwards.
_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def _claim(token: str) -> SurveyClaim | None:
    try:
        return read_token(current_app.extensions["followthrough"].secret_key, token)
    except BadToken:
        return None


def _language(claim: SurveyClaim | None) -> str:
    """The token's language; for a link we cannot trust, the browser's preference."""
    if claim is not None:
        return claim.language
    return request.accept_languages.best_match(LANGUAGES, default="en")


def _message(claim: SurveyClaim | None, key: str, status: int) -> tuple[str, int]:
    language = _language(claim)
    texts = TEXTS[language]
    return render_template("survey_message.html", lang=language, heading=texts[f"{key}_title"],
                           message=texts[key]), status


def _score(ask: str, raw: str | None) -> int | None:
    """RAW as a score on ASK's scale; None when it is missing, not a number or out of range."""
    if raw is None or not _SCORE.fullmatch(raw):
        return None
    low, high = SCALES[ask]
    return int(raw) if low <= int(raw) <= high else None


def _answered(claim: SurveyClaim) -> bool:
    answers = current_app.extensions["followthrough"].store.survey_answers(claim.vendor,
                                                                          claim.ticket_id)
    return any(answer.token_id == claim.token_id for answer in answers)


def _form(token: str, claim: SurveyClaim, chosen: dict[str, int | None], comment: str,
          csrf: str, error: str | None = None, status: int = 200) -> Response:
    language = claim.language
    questions = [{"ask": ask, "question": QUESTIONS[language][ask],
                  "options": [(value, SCALE_WORDS[language][ask].get(value, ""))
                              for value in range(SCALES[ask][0], SCALES[ask][1] + 1)]}
                 for ask in claim.asks]
    response = Response(render_template(
        "survey.html", lang=language, texts=TEXTS[language], token=token, questions=questions,
        chosen=chosen, comment=comment, csrf=csrf, error=error,
        max_comment=MAX_COMMENT_CHARS), status=status)
    secure = current_app.extensions["followthrough"].settings.public_url.startswith("https://")
    response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="Strict", secure=secure,
                        path="/s/")
    return response


@bp.after_request
def _hardened(response: Response) -> Response:
    response.headers.update(_HEADERS)
    return response


@bp.errorhandler(HTTPException)
def _friendly_error(exc: HTTPException):
    """A page, not the API's JSON, when the request itself fails (too large, unreadable)."""
    return _message(None, "error", exc.code or 500)


@bp.get("/<token>")
def show(token: str):
    """The form, the score from the e-mail's link preselected; a GET never records anything."""
    claim = _claim(token)
    if claim is None:
        return _message(None, "invalid", 404)
    if _answered(claim):
        return _message(claim, "used", 409)
    chosen = {ask: _score(ask, request.args.get(ask)) for ask in claim.asks}
    # A second tab keeps the first one's value, so either form can still be sent.
    csrf = request.cookies.get(CSRF_COOKIE, "")
    if not _CSRF_SHAPE.fullmatch(csrf):
        csrf = secrets.token_urlsafe(24)
    return _form(token, claim, chosen, "", csrf)


@bp.post("/<token>")
def answer(token: str):
    claim = _claim(token)
    if claim is None:
        return _message(None, "invalid", 404)
    cookie = request.cookies.get(CSRF_COOKIE, "")
    field = request.form.get("csrf", "")
    if not cookie or not hmac.compare_digest(cookie.encode(), field.encode()):
        return _message(claim, "expired_form", 403)
    raw = {ask: request.form.get(ask, "").strip() for ask in SCALES}
    scores = {ask: _score(ask, raw[ask]) for ask in SCALES}
    comment = request.form.get("comment", "").replace("\r\n", "\n").strip()
    wrong = [ask for ask in SCALES
             if raw[ask] and (ask not in claim.asks or scores[ask] is None)]
    if wrong or all(score is None for score in scores.values()):
        return _form(token, claim, scores, comment, cookie,
                     TEXTS[claim.language]["invalid_values"], 400)
    if len(comment) > MAX_COMMENT_CHARS:
        return _form(token, claim, scores, comment, cookie,
                     TEXTS[claim.language]["comment_too_long"], 400)
    store = current_app.extensions["followthrough"].store
    if not store.save_survey_answer(claim.token_id, claim.vendor, claim.ticket_id, scores,
                                    comment or None):
        return _message(claim, "used", 409)
    return _message(claim, "done", 200)
