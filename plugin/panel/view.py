"""What the side panel shows for one ticket, built from its stored record (no I/O here)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from plugin.followups.zones import resolve_zone
from plugin.panel.records import TicketRecord
from plugin.panel.texts import TEXTS

WEEKDAYS = {
    "tr": ("Pzt", "Sal", "Çar", "Per", "Cum", "Cmt", "Paz"),
    "az": ("B.e.", "Ç.a.", "Ç.", "C.a.", "C.", "Ş.", "B."),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
CUSTOMER_ZONE_KINDS = ("survey", "followup_call")  # scheduled on the customer's own clock


def local_time(moment: datetime, zone: str, language: str) -> dict:
    """MOMENT (aware, or naive UTC) on ZONE's clock: {"zone", "local", "weekday"}."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    local = aware.astimezone(ZoneInfo(zone))
    return {"zone": zone, "local": local.strftime("%Y-%m-%d %H:%M"),
            "weekday": WEEKDAYS[language][local.weekday()]}


def customer_zone(record: TicketRecord, hint: str | None, default_zone: str) -> str:
    """The helpdesk's word on the customer's zone, else the zone their follow-ups use."""
    if hint:
        return resolve_zone(hint, default_zone)
    for row in record.followups:
        if row.kind in CUSTOMER_ZONE_KINDS:
            return resolve_zone(row.tz, default_zone)
    return default_zone


def _playbooks(record: TicketRecord, playbook_set, agent_lang: str, customer_lang: str) -> list:
    found = []
    for entry in (record.state.playbooks if record.state else []) or []:
        playbook = playbook_set.playbooks.get(entry.get("id")) if playbook_set else None
        if playbook is None:
            continue
        steps_in = playbook.guidance.get(agent_lang) or playbook.guidance.get("en")
        words_in = playbook.guidance.get(customer_lang) or steps_in
        found.append({
            "id": playbook.id,
            "title": playbook.title.get(agent_lang) or playbook.title.get("en", playbook.id),
            "steps": [{"index": i, "text": text, "done": record.ticks.get((playbook.id, i), False)}
                      for i, text in enumerate(steps_in.steps)],
            "say_instead": [{"avoid": pair.avoid, "say": pair.say}
                            for pair in words_in.say_instead],
            "collect": list(steps_in.collect),
        })
    return found


def _flags(record: TicketRecord, texts: dict) -> list:
    flags = [dict(flag) for flag in (record.state.flags if record.state else []) or []]
    for row in record.followups:
        if row.kind == "promise_check" and row.status == "pending" and \
                (row.payload or {}).get("stage") == "deadline":
            flags.append({"kind": "promise_at_risk", "detail": row.payload.get("phrase", ""),
                          "at": row.updated_at.isoformat() + "Z"})
    return [{"kind": flag.get("kind", ""), "explain": texts.get(f"flag_{flag.get('kind')}", ""),
             "detail": _detail(flag), "at": flag.get("at")} for flag in flags]


def _detail(flag: dict) -> str:
    """The flag's evidence for an agent: a deflection's words without its category id."""
    detail = str(flag.get("detail") or "")
    if flag.get("kind") == "deflection" and ": " in detail:
        return detail.split(": ", 1)[1]
    return detail


def _transfers(record: TicketRecord) -> list[str]:
    memory = record.state.memory if record.state else {}
    transfers = (memory or {}).get("transfers") or []
    if not transfers:
        return []
    names = (memory or {}).get("group_names") or {}
    path = [transfers[0]["from"], *(t["to"] for t in transfers)]
    return [names.get(group, group) for group in path]


def panel_view(record: TicketRecord, *, playbook_set, agent_lang: str, agent_zone: str,
               customer_zone_hint: str | None, default_zone: str, can_act: bool) -> dict:
    """The panel's JSON for one ticket, in the agent's language."""
    texts = TEXTS[agent_lang]
    state = record.state
    customer_lang = state.language if state and state.language in TEXTS else agent_lang
    zone = customer_zone(record, customer_zone_hint, default_zone)
    return {
        "language": customer_lang,
        "agent_language": agent_lang,
        "zones": {"customer": zone, "agent": agent_zone},
        "playbooks": _playbooks(record, playbook_set, agent_lang, customer_lang),
        "flags": _flags(record, texts),
        "transfers": _transfers(record),
        "followups": [{
            "job_id": row.job_id, "kind": row.kind,
            "label": texts.get(f"kind_{row.kind}", row.kind),
            "status": row.status, "status_label": texts.get(f"status_{row.status}", row.status),
            "customer": local_time(row.run_at, zone, agent_lang),
            "agent": local_time(row.run_at, agent_zone, agent_lang),
            "can_act": can_act and row.status == "pending",
        } for row in record.followups],
        "surveys": [{"csat": a.csat, "nps": a.nps, "ces": a.ces, "comment": a.comment,
                     "at": a.answered_at.isoformat() + "Z"} for a in record.answers],
        "texts": texts,
    }
