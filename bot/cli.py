"""`python -m bot COMMAND` (INTERFACES.md). Exit 0 on success; a bad file or argument gives a
one-line error naming the problem and exit 2."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import date
from typing import NoReturn

from config.settings import Settings, SettingsError

log = logging.getLogger("bot")


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        print(f"error: {message} (see: python -m bot --help)", file=sys.stderr)
        raise SystemExit(2)


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a YYYY-MM-DD date") from exc


def build_parser() -> Parser:
    p = Parser(prog="python -m bot", description="大讨论活动助手 (WeChat assistant)")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)

    serve = sub.add_parser("serve", help="webhook + scheduler in one process")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5000)

    sub.add_parser("scheduler", help="the scheduler alone (production)")

    chat = sub.add_parser("chat", help="talk to the assistant in the terminal")
    chat.add_argument("--user", default="chat-user")
    chat.add_argument("--today", type=_iso_date, help="rehearsal date YYYY-MM-DD")

    plan = sub.add_parser("plan", help="campaign plans").add_subparsers(
        dest="plan_command", required=True, parser_class=Parser
    )
    check = plan.add_parser("check", help="validate a plan file")
    check.add_argument("file")
    check.add_argument("--json", action="store_true")
    load = plan.add_parser("load", help="create or update a campaign from a plan file")
    load.add_argument("file")
    plan.add_parser("list", help="campaigns with their current phase")
    imp = plan.add_parser("import", help="draft a plan file from a plan document")
    imp.add_argument("document")
    imp.add_argument("--year", type=int)

    sugg = sub.add_parser("suggestions", help="suggestions").add_subparsers(
        dest="sugg_command", required=True, parser_class=Parser
    )
    export = sugg.add_parser("export", help="every suggestion")
    export.add_argument("--format", choices=("csv", "json", "xlsx"), required=True)
    export.add_argument("--out")
    # --- the console's commands (bot/cli_console.py) ---
    from bot import cli_console

    cli_console.add_suggestion_commands(sugg)
    cli_console.add_commands(sub, Parser)

    jobs = sub.add_parser("jobs", help="scheduled notices").add_subparsers(
        dest="jobs_command", required=True, parser_class=Parser
    )
    preview = jobs.add_parser("preview", help="notices that will go out")
    preview.add_argument("--days", type=int, default=14)
    preview.add_argument("--json", action="store_true")
    run = jobs.add_parser("run", help="send every notice due at that moment")
    run.add_argument("--at", required=True)

    db = sub.add_parser("db", help="database").add_subparsers(
        dest="db_command", required=True, parser_class=Parser
    )
    db.add_parser("upgrade", help="apply database migrations")
    return p


def main(argv: list[str] | None = None) -> int:
    from bot.logs import setup_logging

    args = build_parser().parse_args(argv)
    setup_logging("WARNING" if args.command in ("chat", "plan", "suggestions", "jobs") else None)
    try:
        settings = Settings.from_env()
        from bot import cli_console, commands

        if cli_console.handles(args):  # users, audit, suggestions list|answer
            return cli_console.dispatch(args, settings)
        return commands.dispatch(args, settings)
    except (CliError, SettingsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
