"""The console's command-line side (INTERFACES.md): `users add|list|disable`, `audit`,
`suggestions list|answer|assign`. Registered from bot/cli.py; every change goes through the same
use cases (services/) as the web console, and is audited.

The command line acts as an organiser named "cli" unless `--by LOGIN` names an account, whose
role then applies (a unit account cannot publish from a script either).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import UTC, date, datetime, time
from typing import Any, TextIO

from bot.cli_suggestions import CLI_ACTOR, ConsoleCliError
from config.settings import Settings
from domain import workflow as wf

COMMANDS = ("users", "audit")
SUGGESTION_COMMANDS = ("list", "answer", "assign")


def add_commands(sub: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    """`users …` and `audit` on the top-level subparsers."""
    users = sub.add_parser("users", help="console accounts").add_subparsers(
        dest="users_command", required=True, parser_class=parser_class
    )
    add = users.add_parser("add", help="add an account (password from stdin or prompted)")
    add.add_argument("login")
    add.add_argument("--role", choices=wf.ROLES, required=True)
    add.add_argument("--unit", default="")
    users.add_parser("list", help="every account")
    disable = users.add_parser("disable", help="disable an account (it can no longer sign in)")
    disable.add_argument("login")

    audit = sub.add_parser("audit", help="organisers' actions: when, who, what, before → after")
    audit.add_argument("--since", type=_iso_date)
    audit.add_argument("--json", action="store_true")


def add_suggestion_commands(sugg: Any) -> None:
    """`suggestions list` and `suggestions answer` beside `suggestions export`."""
    lst = sugg.add_parser("list", help="suggestions with their status, outcome and unit")
    lst.add_argument("--campaign", default="")
    lst.add_argument("--status", choices=wf.STATUSES)
    lst.add_argument("--json", action="store_true")
    ans = sugg.add_parser("answer", help="publish the answer to a suggestion; the user is told")
    ans.add_argument("ticket")
    ans.add_argument("--reply", required=True)
    ans.add_argument("--status", choices=(wf.ANSWERED, wf.CLOSED), default=wf.ANSWERED)
    ans.add_argument("--outcome", choices=wf.OUTCOMES)
    ans.add_argument("--by", default="")
    asg = sugg.add_parser("assign", help="hand a suggestion to a unit of the units list")
    asg.add_argument("ticket")
    asg.add_argument("--unit", required=True)
    asg.add_argument("--by", default="")


def handles(args: argparse.Namespace) -> bool:
    if args.command in COMMANDS:
        return True
    return args.command == "suggestions" and args.sugg_command in SUGGESTION_COMMANDS


def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    from bot.wiring import build_state

    state = build_state(settings, migrate=True)
    try:
        if args.command == "users":
            return users(args, state, sys.stdin, sys.stdout)
        if args.command == "audit":
            return audit(args, state, sys.stdout)
        from bot import cli_suggestions

        return cli_suggestions.dispatch(args, state, sys.stdout)
    except ConsoleCliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        state.close()


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a YYYY-MM-DD date") from exc


def _read_password(stdin: TextIO) -> str:
    if stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise ConsoleCliError("the passwords differ")
        return first
    return stdin.readline().rstrip("\r\n")


def users(args: argparse.Namespace, state: Any, stdin: TextIO, out: TextIO) -> int:
    from bot.store.console_repo import SqlAccountStore
    from services import accounts

    store = SqlAccountStore(state.db)
    now = datetime.now(UTC)
    try:
        if args.users_command == "add":
            account = accounts.add_account(
                store, CLI_ACTOR, args.login, args.role, args.unit, _read_password(stdin), now
            )
            unit = f" ({account.unit})" if account.unit else ""
            print(f"{account.login}: {account.role}{unit} added", file=out)
        elif args.users_command == "disable":
            accounts.set_disabled(store, CLI_ACTOR, args.login, True, now)
            print(f"{args.login}: disabled", file=out)
        else:
            for a in store.all():
                status = "disabled" if a.disabled else "active"
                created = a.created_at.astimezone(state.settings.tz).strftime("%Y-%m-%d %H:%M")
                print(f"{a.login}\t{a.role}\t{a.unit or '-'}\t{status}\t{created}", file=out)
    except accounts.AccountError as exc:
        raise ConsoleCliError(str(exc)) from exc
    return 0


def audit(args: argparse.Namespace, state: Any, out: TextIO) -> int:
    from bot.store.console_repo import SqlAuditStore

    tz = state.settings.tz
    since = datetime.combine(args.since, time(0), tz) if args.since else None
    entries = SqlAuditStore(state.db).since(since, limit=100_000)
    if args.json:
        rows = [
            {
                "at": e.at.astimezone(tz).isoformat(),
                "actor": e.actor,
                "action": e.action,
                "target": e.target,
                "before": e.before,
                "after": e.after,
            }
            for e in entries
        ]
        json.dump(rows, out, ensure_ascii=False, indent=1)
        out.write("\n")
        return 0
    for e in entries:
        when = e.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
        change = f"{e.before} → {e.after}" if e.before else e.after
        print(f"{when}\t{e.actor}\t{e.action}\t{e.target}\t{change}", file=out)
    return 0
