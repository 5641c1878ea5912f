"""Reports over what the store remembers: transfers between groups and the flags they raised."""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

from plugin.tickets import parse_time

VENDORS = ("zendesk", "freshdesk")
DURATION = re.compile(r"^(\d+)([dh])$")


def parse_since(value: str) -> timedelta:
    """"30d" or "12h" as a timedelta; ValueError otherwise."""
    found = DURATION.match(value.strip())
    if not found:
        raise ValueError("use a number of days or hours, like 30d or 12h")
    number, unit = int(found.group(1)), found.group(2)
    if number > (3660 if unit == "d" else 3660 * 24):
        raise ValueError("look back ten years at most")
    return timedelta(days=number) if unit == "d" else timedelta(hours=number)


def transfer_report(states, since: datetime, group_names: dict[str, str]) -> dict:
    """From→to counts, flags per group and per agent, and the median time to first transfer."""
    name = lambda group: group_names.get(str(group), str(group)) if group else "—"  # noqa: E731
    matrix: dict[str, Counter] = defaultdict(Counter)
    by_group: dict[str, Counter] = defaultdict(Counter)
    by_agent: dict[str, Counter] = defaultdict(Counter)
    first_minutes = []
    total = 0
    for state in states:
        transfers = (state.memory or {}).get("transfers", [])
        for transfer in transfers:
            if (parse_time(transfer["at"]) or since) >= since:
                matrix[name(transfer["from"])][name(transfer["to"])] += 1
                total += 1
        if transfers and (parse_time(transfers[0]["at"]) or since) >= since:
            seconds = (state.memory or {}).get("first_transfer_after_s")
            if seconds is not None:
                first_minutes.append(seconds / 60)
        for flag in state.flags or []:
            if (parse_time(flag.get("at")) or since) < since:
                continue
            by_group[name(flag.get("group"))][flag["kind"]] += 1
            if flag.get("agent"):
                by_agent[str(flag["agent"])][flag["kind"]] += 1
    return {
        "since": since.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "transfers": total,
        "matrix": {source: dict(targets) for source, targets in sorted(matrix.items())},
        "flags_by_group": {group: dict(kinds) for group, kinds in sorted(by_group.items())},
        "flags_by_agent": {agent: dict(kinds) for agent, kinds in sorted(by_agent.items())},
        "median_minutes_to_first_transfer":
            round(statistics.median(first_minutes), 1) if first_minutes else None,
    }


def render_promises(report: dict) -> str:
    lines = [f"promises since {report['since']}"]
    for title, key in (("by group", "by_group"), ("by agent", "by_agent")):
        lines.append(f"\n{title}")
        for who, counts in report[key].items():
            lines.append(f"  {who}: kept {counts.get('kept', 0)}, broken "
                         f"{counts.get('broken', 0)}")
    return "\n".join(lines)


def render_text(report: dict) -> str:
    """The report as a terminal table."""
    lines = [f"transfers since {report['since']}: {report['transfers']}"]
    median = report["median_minutes_to_first_transfer"]
    lines.append(f"median time to first transfer: "
                 f"{'—' if median is None else f'{median} min'}")
    lines.append("\nfrom → to")
    for source, targets in report["matrix"].items():
        lines.extend(f"  {source} → {target}: {count}" for target, count in targets.items())
    for title, key in (("flags by group", "flags_by_group"), ("flags by agent", "flags_by_agent")):
        lines.append(f"\n{title}")
        for who, kinds in report[key].items():
            lines.append(f"  {who}: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    return "\n".join(lines)


def build_transfer_report(services, window) -> dict:
    """The transfer report over every vendor's tickets, with group names where reachable."""
    try:
        names = services.helpdesk.groups()
    except Exception:
        names = {}  # ids instead of names when the helpdesk cannot be reached
    states = [state for vendor in VENDORS
              for state in services.store.ticket_states(vendor).values()]
    since = datetime.now(UTC) - window
    return transfer_report(states, since, names)


def promise_report(rows, since: datetime, group_names: dict[str, str]) -> dict:
    """Promises kept and broken, by group and by agent."""
    by_group: dict[str, Counter] = defaultdict(Counter)
    by_agent: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        if row.kind != "promise_check" or row.reason not in ("kept", "broken"):
            continue
        if row.updated_at.replace(tzinfo=UTC) < since:
            continue
        group = (row.payload or {}).get("group")
        by_group[group_names.get(str(group), str(group)) if group else "—"][row.reason] += 1
        by_agent[str((row.payload or {}).get("agent") or "—")][row.reason] += 1
    return {"since": since.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "by_group": {k: dict(v) for k, v in sorted(by_group.items())},
            "by_agent": {k: dict(v) for k, v in sorted(by_agent.items())}}


def build_promise_report(services, window) -> dict:
    try:
        names = services.helpdesk.groups()
    except Exception:
        names = {}
    rows = services.store.followups(limit=1_000_000)
    return promise_report(rows, datetime.now(UTC) - window, names)
