"""`python -m bot COMMAND` (INTERFACES.md). Exit 0 on success; a bad file, argument, setting or
an unreachable database or Redis gives a one-line error naming the problem and exit 2: main()
is the single place that turns known failures into that line (bot/cli_errors.py), so every
command, present and future, gets it without a try/except of its own."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import date
from typing import NoReturn

from bot.cli_errors import CliError, explain
from config.settings import Settings

__all__ = ["CliError", "build_parser", "main"]

log = logging.getLogger("bot")


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
    demo = chat.add_mutually_exclusive_group()
    demo.add_argument(
        "--demo",
        dest="demo",
        action="store_const",
        const=True,
        default=None,
        help="talk to the seed plans in instance/demo.sqlite3 (default when no campaign is "
        "loaded and DATABASE_URL is unset)",
    )
    demo.add_argument(
        "--no-demo", dest="demo", action="store_const", const=False, help="never the demo"
    )

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
    run.add_argument("--include-missed", action="store_true", help="also send missed notices")

    db = sub.add_parser("db", help="database").add_subparsers(
        dest="db_command", required=True, parser_class=Parser
    )
    db.add_parser("upgrade", help="apply database migrations")

    sub.add_parser("doctor", help="check the whole configuration, one line per item")
    from bot import cli_questions

    cli_questions.add_parser(sub, Parser, _iso_date)
    return p


def main(argv: list[str] | None = None) -> int:
    from bot.logs import setup_logging

    args = build_parser().parse_args(argv)
    setup_logging(
        "WARNING"
        if args.command in ("chat", "plan", "suggestions", "jobs", "doctor", "questions")
        else None
    )
    settings: Settings | None = None
    try:
        if args.command == "doctor":  # reads the settings itself: it reports every bad one
            from bot.doctor import run_doctor

            return run_doctor(sys.stdout)
        settings = Settings.from_env()
        from bot import cli_console, commands

        if cli_console.handles(args):  # users, audit, suggestions list|answer
            return cli_console.dispatch(args, settings)
        return commands.dispatch(args, settings)
    except Exception as exc:  # noqa: BLE001 - known failures become one line, the rest re-raise
        line = explain(exc, settings)
        if line is None:
            raise
        print(f"error: {line}", file=sys.stderr)
        return 2
