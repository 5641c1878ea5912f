"""The ticket side panel over HTTP: app sign-in, the panel page, its JSON API and /api/lint."""

from __future__ import annotations

import hmac
import re
import threading
from datetime import UTC, datetime
from functools import wraps
from urllib.parse import quote, urlsplit

from flask import Blueprint, Response, current_app, g, jsonify, render_template, request

from plugin.followups.zones import resolve_zone
from plugin.panel import records
from plugin.panel.keys import KeyUnavailable, app_public_key
from plugin.panel.lint import check_reply
from plugin.panel.signin import SignInError, verify_app_token
from plugin.panel.texts import TEXTS, agent_language
from plugin.panel.view import customer_zone, panel_view

bp = Blueprint("panel", __name__, static_folder="static", static_url_path="/panel/static")
ZAF_SDK = "https://static.zdassets.com/zendesk_app_framework_sdk/2.0/zaf_sdk.min.js"
ANCESTORS = {"zendesk": "https://*.zendesk.com",
             "freshdesk": "https://*.freshdesk.com https://*.freshworks.com"}
SESSION_HEADER = "X-Panel-Session"
MAX_DRAFT_CHARS = 20_000
_TICKET_ID = re.compile(r"[0-9]{1,20}")
_JOB_ACTIONS = ("run", "cancel")
_warm = threading.Event()


def _services():
    return current_app.extensions["followthrough"]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _sdk_url() -> str:
    settings = _services().settings
    if settings.zaf_sdk_url:
        return settings.zaf_sdk_url
    if settings.helpdesk == "zendesk" and (settings.sandbox or _is_sandbox_api(settings)):
        return f"{_zendesk_api_base()}/static/zaf_sdk.js"  # the sandbox's ZAF stand-in
    return ZAF_SDK


def _is_sandbox_api(settings) -> bool:
    """ZENDESK_API_URL pointing anywhere but zendesk.com means a sandbox (tests, demos)."""
    host = urlsplit(settings.zendesk_api_url or "").hostname or ""
    return bool(host) and not host.endswith(".zendesk.com")


def _zendesk_api_base() -> str:
    from plugin.services import sandbox_url

    settings = _services().settings
    if settings.zendesk_api_url:
        return settings.zendesk_api_url.rstrip("/")
    if settings.sandbox:
        return sandbox_url(settings)
    return f"https://{settings.zendesk_subdomain}.zendesk.com"


def _page_headers(response: Response, vendor: str) -> Response:
    """The panel runs inside the helpdesk's page and loads only our files and the SDK."""
    settings = _services().settings
    ancestors = settings.panel_frame_ancestors or ANCESTORS[vendor]
    if settings.sandbox or settings.zendesk_api_url:
        ancestors += f" {_origin(_zendesk_api_base())}"
    scripts = "'self'" + (f" {_origin(_sdk_url())}" if vendor == "zendesk" else "")
    response.headers.update({
        "Content-Security-Policy": f"default-src 'none'; script-src {scripts}; "
                                   "style-src 'self'; connect-src 'self'; img-src 'self' data:; "
                                   f"frame-ancestors {ancestors}; base-uri 'none'; "
                                   "form-action 'none'",
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    })
    return response


def _refusal(reason: str, status: int = 401) -> Response:
    language = request.accept_languages.best_match(TEXTS, default="en")
    response = Response(render_template(
        "panel_refused.html", lang=language, message=TEXTS[language]["session_ended"],
        reason=reason), status=status)
    return _page_headers(response, "zendesk")


def _warm_up() -> None:
    """Once per process, in the background: load the language models and compile the reply
    check, so an agent's first "check my reply" answers as fast as the later ones."""
    if _warm.is_set():
        return
    _warm.set()
    services = _services()

    def run() -> None:
        from plugin.panel.lint import check_reply

        playbook_set = services.playbooks.current()
        zone = services.settings.default_timezone
        check_reply("Merhaba, yarın size döneceğim.", playbook_set=playbook_set,
                    active=list(playbook_set.playbooks), language=None, now=datetime.now(UTC),
                    agent_tz=zone, customer_tz=zone)

    threading.Thread(target=run, name="panel-warm-up", daemon=True).start()


def _shell(vendor: str, session: str | None) -> Response:
    # Zendesk's signed POST carries no language: the browser's is the best first guess.
    language = agent_language(request.args.get("lang") or
                              request.accept_languages.best_match(TEXTS, default="en"))
    return _page_headers(Response(render_template(
        "panel.html", lang=language, texts=TEXTS[language], vendor=vendor, session=session,
        sdk_url=_sdk_url() if vendor == "zendesk" else None,
    )), vendor)


@bp.post("/panel/zendesk")
def zendesk_panel():
    """Zendesk's first request for the sidebar (signedUrls): verify the token, open a session."""
    services = _services()
    settings = services.settings
    token = request.form.get("token", "")
    try:
        from plugin.services import SANDBOX_API_TOKEN, SANDBOX_EMAIL

        auth = (f"{SANDBOX_EMAIL}/token", SANDBOX_API_TOKEN) if settings.sandbox else \
            (f"{settings.zendesk_email}/token", settings.zendesk_api_token or "")
        key = app_public_key(settings, _zendesk_api_base(), auth)
    except KeyUnavailable:
        return _refusal("the plugin cannot verify Zendesk apps yet", 503)
    try:
        claims = verify_app_token(token, key, settings.zendesk_subdomain or "sandbox",
                                  settings.zendesk_app_installation_id)
    except SignInError as exc:
        return _refusal(exc.reason)
    if not records.use_token_once(services.store, claims.fingerprint):
        return _refusal("replayed")
    _warm_up()
    return _shell("zendesk", services.panel_sessions.issue("zendesk", claims.agent_id))


@bp.get("/panel/app")
def freshdesk_panel():
    """The panel page for the Freshdesk app; its session arrives in the address fragment."""
    return _shell("freshdesk", None)


@bp.post("/panel/freshdesk/session")
def freshdesk_session():
    """Called by the Freshdesk app's request template with the installation's secret."""
    services = _services()
    expected = services.settings.freshdesk_app_secret or ""
    given = request.headers.get("X-Followthrough-App-Secret", "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        return jsonify(error="a valid X-Followthrough-App-Secret is required"), 401
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error="expected a JSON object"), 400
    ticket_id, agent_id = str(body.get("ticket_id", "")), str(body.get("agent_id", ""))
    if not _TICKET_ID.fullmatch(ticket_id) or not re.fullmatch(r"[0-9]{0,20}", agent_id):
        return jsonify(error="ticket_id and agent_id must be numeric ids"), 400
    session = services.panel_sessions.issue("freshdesk", agent_id)
    _warm_up()
    language = agent_language(str(body.get("locale", "")))
    url = (f"{services.settings.public_url}/panel/app?lang={language}"
           f"#session={quote(session)}&ticket={ticket_id}")
    return jsonify(panel_url=url, expires_in=services.panel_sessions.lifetime)


def require_panel_session(view):
    """The panel's API: a valid session in Authorization: Bearer; renewed when half-spent."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ") if header.startswith("Bearer ") else ""
        sessions = _services().panel_sessions
        try:
            g.panel_session, renew = sessions.read(token)
        except SignInError as exc:
            response = jsonify(error=exc.reason)
            response.status_code = 401
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
        response = current_app.make_response(view(*args, **kwargs))
        if renew:
            session = g.panel_session
            response.headers[SESSION_HEADER] = sessions.issue(session.vendor, session.agent_id,
                                                              started=session.started)
        response.headers["Cache-Control"] = "no-store"
        return response

    return wrapped


def _ticket_id(raw: str) -> str | None:
    return raw if _TICKET_ID.fullmatch(raw) else None


def _zone(raw: str | None) -> str:
    default = _services().settings.default_timezone
    return resolve_zone(raw[:64], default) if raw else default


def _can_act(agent_id: str) -> bool:
    allowed = _services().settings.panel_action_agents.strip()
    if allowed == "*":
        return True
    return bool(agent_id) and agent_id in {a.strip() for a in allowed.split(",")}


@bp.get("/panel/api/tickets/<raw_id>")
@require_panel_session
def ticket(raw_id: str):
    ticket_id = _ticket_id(raw_id)
    if ticket_id is None:
        return jsonify(error="malformed ticket id"), 404
    services = _services()
    session = g.panel_session
    record = records.ticket_record(services.store, session.vendor, ticket_id)
    view = panel_view(
        record, playbook_set=services.playbooks.current(),
        agent_lang=agent_language(request.args.get("lang")),
        agent_zone=_zone(request.args.get("agent_tz")),
        customer_zone_hint=request.args.get("customer_tz", "")[:64] or None,
        default_zone=services.settings.default_timezone, can_act=_can_act(session.agent_id))
    return jsonify(ticket_id=ticket_id, **view)


@bp.post("/panel/api/tickets/<raw_id>/steps")
@require_panel_session
def tick(raw_id: str):
    ticket_id = _ticket_id(raw_id)
    body = request.get_json(silent=True)
    if ticket_id is None or not isinstance(body, dict):
        return jsonify(error="expected a ticket id and a JSON object"), 400
    playbook_set = _services().playbooks.current()
    playbook = playbook_set.playbooks.get(body.get("playbook")) if playbook_set and \
        isinstance(body.get("playbook"), str) else None
    step, done = body.get("step"), body.get("done")
    if playbook is None or not isinstance(done, bool) or type(step) is not int or \
            not 0 <= step < max(len(g.steps) for g in playbook.guidance.values()):
        return jsonify(error="unknown playbook or step, or done is not true/false"), 400
    session = g.panel_session
    records.set_tick(_services().store, session.vendor, ticket_id, playbook.id, step, done,
                     session.agent_id)
    return jsonify(playbook=playbook.id, step=step, done=done)


@bp.post("/panel/api/tickets/<raw_id>/followups/<job_id>/<action>")
@require_panel_session
def followup_action(raw_id: str, job_id: str, action: str):
    """Run a pending follow-up now, or cancel it: agents in FT_PANEL_ACTION_AGENTS only."""
    ticket_id = _ticket_id(raw_id)
    session = g.panel_session
    if ticket_id is None or action not in _JOB_ACTIONS:
        return jsonify(error="unknown ticket or action"), 404
    if not _can_act(session.agent_id):
        return jsonify(error="follow-up actions are not allowed for this agent"), 403
    store = _services().store
    row = records.followup_of(store, session.vendor, ticket_id, job_id[:120])
    if row is None or row.status != "pending":
        return jsonify(error="no pending follow-up with that id on this ticket"), 404
    done = store.run_now(row.job_id) if action == "run" else \
        store.cancel_followup(row.job_id, f"cancelled in the side panel by {session.agent_id}")
    if not done:
        return jsonify(error="the follow-up is no longer pending"), 409
    return jsonify(job_id=row.job_id, action=action), 202


@bp.post("/api/lint")
@require_panel_session
def lint():
    """Check a draft reply; answers what it found and stores nothing."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        return jsonify(error="expected {\"ticket_id\": …, \"text\": …}"), 400
    if len(body["text"]) > MAX_DRAFT_CHARS:
        return jsonify(error=f"a draft is at most {MAX_DRAFT_CHARS} characters"), 413
    ticket_id = _ticket_id(str(body.get("ticket_id", "")))
    if ticket_id is None:
        return jsonify(error="malformed ticket id"), 400
    services = _services()
    record = records.ticket_record(services.store, g.panel_session.vendor, ticket_id)
    state = record.state
    result = check_reply(
        body["text"], playbook_set=services.playbooks.current(),
        active=[entry.get("id") for entry in (state.playbooks if state else []) or []],
        language=state.language if state else None, now=datetime.now(UTC),
        agent_tz=_zone(body.get("agent_tz") if isinstance(body.get("agent_tz"), str) else None),
        customer_tz=customer_zone(record, body.get("customer_tz") if isinstance(
            body.get("customer_tz"), str) else None, services.settings.default_timezone))
    return jsonify(ticket_id=ticket_id, **result)
