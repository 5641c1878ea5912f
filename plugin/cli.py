"""`followthrough …`: run the service, inspect events, drive the sandbox, check playbooks."""

from __future__ import annotations

import argparse
import sys

from dotenv import load_dotenv

from plugin.config import ConfigError, Settings, load_settings, persistent_secret


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="followthrough", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="intake, worker (and sandbox) as one process group")
    sub.add_parser("web", help="the HTTP intake and admin API only (gunicorn)")
    sub.add_parser("worker", help="the inbox worker and reconciliation only")
    sub.add_parser("migrate", help="bring the database schema up to date")
    events = sub.add_parser("events", help="list recent events")
    events.add_argument("--failed", action="store_true", help="only dead-lettered events")
    events.add_argument("--limit", type=int, default=50)
    replay = sub.add_parser("replay", help="run a finished or failed event again")
    replay.add_argument("event_id", type=int)

    report = sub.add_parser("report", help="reports over what the plugin recorded")
    report.add_argument("kind", choices=["transfers", "promises"])
    report.add_argument("--since", default="30d", help="e.g. 30d or 12h (default 30d)")
    report.add_argument("--json", action="store_true", help="print JSON instead of a table")

    jobs = sub.add_parser("jobs", help="scheduled follow-ups")
    jobs.add_argument("action", nargs="?", choices=["list", "cancel"], default="list")
    jobs.add_argument("job_id", nargs="?")
    jobs.add_argument("--ticket", help="only this ticket's follow-ups")

    sandbox = sub.add_parser("sandbox", help="the built-in sandbox helpdesk")
    sandbox_sub = sandbox.add_subparsers(dest="sandbox_command", required=True)
    sandbox_sub.add_parser("serve", help="run the sandbox helpdesk")
    ticket = sandbox_sub.add_parser("ticket", help="open a ticket as a customer")
    ticket.add_argument("text")
    ticket.add_argument("--lang", choices=["tr", "az", "en"], default="tr")
    ticket.add_argument("--subject")
    show = sandbox_sub.add_parser("show", help="print a ticket with its comments")
    show.add_argument("ticket_id", type=int)
    reply = sandbox_sub.add_parser("reply", help="add a public agent reply")
    reply.add_argument("ticket_id", type=int)
    reply.add_argument("text")

    playbooks = sub.add_parser("playbooks", help="check, try and evaluate playbooks")
    pb_sub = playbooks.add_subparsers(dest="playbooks_command", required=True)
    check = pb_sub.add_parser("check", help="validate playbook files")
    check.add_argument("directory", nargs="?")
    trial = pb_sub.add_parser("try", help="show what a ticket text would get")
    trial.add_argument("text")
    trial.add_argument("--channel")
    trial.add_argument("--tag", action="append", default=[])
    evaluate = pb_sub.add_parser("eval", help="accuracy on a labelled CSV (text,expected)")
    evaluate.add_argument("csv")

    for vendor in ("zendesk", "freshdesk"):
        helpdesk_app = sub.add_parser(f"{vendor}-app",
                                      help=f"the {vendor.capitalize()} ticket sidebar app")
        app_sub = helpdesk_app.add_subparsers(dest="app_command", required=True)
        app_build = app_sub.add_parser("build", help="check the app and write its zip")
        app_build.add_argument("--out", default=f"var/followthrough-{vendor}-app.zip")
        if vendor == "zendesk":
            app_build.add_argument("--url", help="bake this plugin URL into the manifest instead "
                                   "of asking for it when the app is installed")
    return parser


def _sandbox(args, settings: Settings) -> int:
    from plugin import sandbox
    from plugin.services import SANDBOX_API_TOKEN, sandbox_url

    if args.sandbox_command == "serve":
        secret = persistent_secret(settings.var_dir, "sandbox_webhook_secret")[0]
        sandbox.run_sandbox(sandbox.SandboxConfig(
            api_token=SANDBOX_API_TOKEN,
            webhook_url=f"http://127.0.0.1:{settings.port}/webhooks/{settings.helpdesk}",
            webhook_secret=secret,
            persist_path=f"{settings.var_dir}/sandbox.json",
            host="127.0.0.1",
            port=settings.sandbox_port,
            vendor=settings.helpdesk,
        ))
        return 0
    client = sandbox.SandboxClient(sandbox_url(settings), SANDBOX_API_TOKEN)
    if args.sandbox_command == "ticket":
        ticket_id = client.create_customer_ticket(args.text, subject=args.subject, lang=args.lang)
        print(f"created ticket {ticket_id}; in a second or two: "
              f"followthrough sandbox show {ticket_id}")
    elif args.sandbox_command == "show":
        print(client.show(args.ticket_id))
    elif args.sandbox_command == "reply":
        client.agent_reply(args.ticket_id, args.text)
        print(f"replied on ticket {args.ticket_id}")
    return 0


def _playbooks(args, settings: Settings) -> int:
    from plugin.playbooks import admin, load_playbooks

    if args.playbooks_command == "check":
        text, code = admin.check(args.directory or settings.playbooks_dir)
    elif args.playbooks_command == "try":
        text, code = admin.try_text(load_playbooks(settings.playbooks_dir), args.text,
                                    channel=args.channel, tags=tuple(args.tag))
    else:
        text, code, _ = admin.evaluate(load_playbooks(settings.playbooks_dir), args.csv)
    print(text)
    return code


def _events(args, services) -> int:
    status = "failed" if args.failed else None
    rows = services.store.events(status=status, limit=args.limit)
    if not rows:
        print("no failed events" if args.failed else "no events")
    for row in rows:
        print(f"{row.id:>7}  {row.status:<10} {row.event_type:<36} ticket {row.ticket_id:<10} "
              f"attempts {row.attempts}  {row.last_error or ''}")
    return 0


def _jobs(args, services) -> int:
    if args.action == "cancel":
        if not args.job_id:
            print("usage: followthrough jobs cancel JOB_ID", file=sys.stderr)
            return 2
        if not services.store.cancel_followup(args.job_id, "cancelled by an admin"):
            print(f"no pending job {args.job_id}", file=sys.stderr)
            return 1
        print(f"cancelled {args.job_id}")
        return 0
    rows = services.store.followups(ticket_id=args.ticket, limit=500)
    if not rows:
        print("no follow-ups")
    for row in rows:
        print(f"{row.job_id:<40} {row.status:<10} {row.run_at.isoformat()}Z  {row.tz:<20} "
              f"{row.reason or ''}")
    return 0


def _report(args, services) -> int:
    import json

    from plugin.reports import (
        build_promise_report,
        build_transfer_report,
        parse_since,
        render_promises,
        render_text,
    )

    try:
        window = parse_since(args.since)
    except ValueError as exc:
        print(f"--since: {exc}", file=sys.stderr)
        return 2
    if args.kind == "transfers":
        report, text = build_transfer_report(services, window), render_text
    else:
        report, text = build_promise_report(services, window), render_promises
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else text(report))
    return 0


def main(argv: list[str] | None = None) -> int:
    load_dotenv(".env")
    args = _parser().parse_args(argv)
    if args.command in {"zendesk-app", "freshdesk-app"}:  # needs no settings
        from plugin.apps import build_command

        vendor = args.command.removesuffix("-app")
        return build_command(vendor, args.out, getattr(args, "url", None))
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    from plugin.logs import setup_logging

    setup_logging()
    if args.command == "sandbox":
        return _sandbox(args, settings)
    if args.command == "playbooks":
        return _playbooks(args, settings)
    from plugin import runtime
    from plugin.services import Services

    if args.command == "serve":
        Services(settings).migrate()
        return runtime.serve(settings)
    if args.command == "web":
        runtime.run_web(settings)
        return 0
    services = Services(settings)
    services.migrate()
    if args.command == "worker":
        runtime.run_worker(settings, services)
    elif args.command == "events":
        return _events(args, services)
    elif args.command == "report":
        return _report(args, services)
    elif args.command == "jobs":
        return _jobs(args, services)
    elif args.command == "replay":
        if not services.store.requeue(args.event_id):
            print(f"no finished event {args.event_id}", file=sys.stderr)
            return 1
        from plugin.worker import Worker

        Worker(services.store, services.processor(), threads=1).drain()
        row = services.store.event(args.event_id)
        print(f"event {row.id}: {row.status} {row.last_error or ''}")
        return 0 if row.status in {"done", "skipped", "ignored"} else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
