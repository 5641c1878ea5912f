"""Benchmark: check_reply latency on the shipped playbooks, cold and warm, in tr, az and en;
then POST /api/lint over HTTP, with a panel session, as the side panel calls it."""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from plugin import create_app  # noqa: E402
from plugin.config import Settings  # noqa: E402
from plugin.panel.lint import check_reply  # noqa: E402
from plugin.playbooks.loader import PlaybookSet, load_playbooks  # noqa: E402

CALLS = 300
TARGET_MS = 200.0
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)

# (draft with {n} for a per-call order number, active playbooks, customer zone)
DRAFTS: list[tuple[str, list[str], str]] = [
    (
        "Merhaba Ayşe Hanım, yaşadıklarınız için gerçekten üzgünüm. Mağazadaki arkadaşımızın "
        "tavrı kabul edilemez; konuyu bizzat üstlendim ve mağaza müdürüyle görüşüyorum. "
        "Politikamız gereği bunu yapamıyoruz demek yerine size seçenek sunmak isterim: indirim "
        "mi, mağaza kredisi mi tercih edersiniz? Yarın saat 15:00'e kadar size dönüş yapacağım. "
        "Talep numaranız {n}.",
        ["complaint"],
        "Europe/Istanbul",
    ),
    (
        "Merhaba, sipariş {n} ile ilgili bilgi verdiğiniz için teşekkürler. Bu konu bizim "
        "departmanımızı ilgilendirmiyor, kargo firmasıyla görüşün. Kargo firmasının hatası, "
        "onlarla görüşün.",
        ["order_problem"],
        "Europe/Istanbul",
    ),
    (
        "Salam, yaşadıqlarınıza görə üzr istəyirik. Sifariş {n} üzrə çatdırılma qeydini özüm "
        "yoxladım; kuryer şirkəti ilə özüm danışıb sizə yeni göndəriş təşkil edəcəyəm. Sabah "
        "saat 15:00-a qədər sizə xəbər verəcəyəm. Başqa sualınız olsa, yazın.",
        ["order_problem", "complaint"],
        "Asia/Baku",
    ),
    (
        "Hörmətli müştəri, bu məsələ bizim şöbəyə aid deyil, mühasibatlığa yazın. Sistem belə "
        "hesablayıb, əlimdən heç nə gəlmir. Müraciət nömrəsi {n}.",
        ["billing"],
        "Asia/Baku",
    ),
    (
        "Hi Sam, thank you for flagging this, and I'm sorry about the double charge on order "
        "{n}. I've checked our payment records myself: the second charge was our error. I have "
        "started the refund and you will see it on your statement within 3 business days. Is "
        "there anything else I can help with?",
        ["billing", "refund_exchange"],
        "America/New_York",
    ),
    (
        "Hello, that's not my department, please contact your bank. It works on our side, just "
        "uninstall and reinstall the app. Ticket {n}.",
        ["technical_issue"],
        "Europe/London",
    ),
]


def _call(playbook_set: PlaybookSet, index: int, language: str | None) -> float:
    text, active, zone = DRAFTS[index % len(DRAFTS)]
    start = time.perf_counter()
    check_reply(
        text.replace("{n}", str(100_000 + index)),
        playbook_set=playbook_set,
        active=active,
        language=language,
        now=NOW + timedelta(minutes=index),
        agent_tz="Europe/Istanbul",
        customer_tz=zone,
    )
    return (time.perf_counter() - start) * 1e3


def _line(name: str, times: list[float]) -> str:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"  {name:44} median {statistics.median(ordered):6.2f} ms, p99 {p99:6.2f} ms"


def main() -> None:
    playbook_set = load_playbooks(ROOT / "playbooks")
    cold = _call(playbook_set, 0, "tr")
    models = _call(playbook_set, 0, None)
    detected = [_call(playbook_set, i, None) for i in range(1, CALLS + 1)]
    given = [_call(playbook_set, i, ("tr", "tr", "az", "az", "en", "en")[i % 6])
             for i in range(CALLS + 1, 2 * CALLS + 1)]
    fresh = PlaybookSet(playbooks=dict(playbook_set.playbooks), errors=[], version="fresh")
    recompile = _call(fresh, 0, "tr")
    huge_text = (DRAFTS[0][0] + " ") * (100_000 // len(DRAFTS[0][0]) + 1)
    huge = PlaybookSet(playbooks=playbook_set.playbooks, errors=[], version="huge")
    _call(huge, 0, "tr")
    start = time.perf_counter()
    check_reply(huge_text[:100_000], playbook_set=huge, active=["complaint"], language=None,
                now=NOW, agent_tz="Europe/Istanbul", customer_tz="Asia/Baku")
    huge_ms = (time.perf_counter() - start) * 1e3
    print(f"check_reply on {len(playbook_set.playbooks)} shipped playbooks, {len(DRAFTS)} drafts "
          f"(tr, az, en), target < {TARGET_MS:.0f} ms per request")
    print(f"  first call, cold, language given (lexicons, zones, compile): {cold:.0f} ms")
    print(f"  first call that detects the language (loads its models once): {models:.0f} ms")
    print(f"  first call on a fresh playbook set (compile only): {recompile:.1f} ms")
    print(_line(f"{CALLS} warm calls, language detected [headline]", detected))
    print(_line(f"{CALLS} warm calls, language given", given))
    print(f"  one 100 KB draft (checked on its first part): {huge_ms:.1f} ms")


def http_round_trips() -> list[float]:
    """POST /api/lint through the real route (session check, ticket read, check, JSON)."""
    folder = Path(tempfile.mkdtemp(prefix="ft-lint-bench-"))
    settings = Settings(database_url=f"sqlite:///{folder}/ft.db", var_dir=str(folder),
                        playbooks_dir=str(ROOT / "playbooks"), admin_token="bench")
    app = create_app(settings)
    services = app.extensions["followthrough"]
    services.migrate()
    with services.store.sessions() as session:
        for index, (_text, active, _zone) in enumerate(DRAFTS):
            services.store.save_ticket_state(session, "zendesk", str(index + 1), playbooks=[
                {"id": playbook, "score": 1.0, "why": []} for playbook in active])
        session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/api/lint"
    client = requests.Session()
    client.headers["Authorization"] = f"Bearer {services.panel_sessions.issue('zendesk', '2')}"
    times = []
    for index in range(CALLS + 20):
        text, _active, zone = DRAFTS[index % len(DRAFTS)]
        start = time.perf_counter()
        response = client.post(url, timeout=30, json={
            "ticket_id": str(index % len(DRAFTS) + 1), "text": text.replace("{n}", str(index)),
            "agent_tz": "Europe/Istanbul", "customer_tz": zone})
        response.raise_for_status()
        if index >= 20:  # the first calls load the language models
            times.append((time.perf_counter() - start) * 1e3)
    server.shutdown()
    return times


if __name__ == "__main__":
    main()
    print(_line(f"POST /api/lint over HTTP, {CALLS} warm requests", http_round_trips()))
