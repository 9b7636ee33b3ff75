"""`python -m bot questions missed [--since YYYY-MM-DD] [--json]`: the questions the assistant
could not answer (handlers/schedule_help.py keeps them), oldest first, so organisers see the
wordings people use. Registered by bot/cli.py; run from bot/commands.py."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any, TextIO

from config.settings import Settings


def add_parser(
    sub: Any, parser_class: type[argparse.ArgumentParser], iso_date: Callable[[str], date]
) -> None:
    """The `questions` command and its `missed` subcommand, on the CLI's subparsers."""
    questions = sub.add_parser("questions", help="questions from chat").add_subparsers(
        dest="questions_command", required=True, parser_class=parser_class
    )
    missed = questions.add_parser("missed", help="questions the assistant could not answer")
    missed.add_argument("--since", type=iso_date, help="from this day on (YYYY-MM-DD)")
    missed.add_argument("--json", action="store_true")


def run(args: argparse.Namespace, settings: Settings, out: TextIO = sys.stdout) -> int:
    from bot.privacy import Pseudonymizer
    from bot.store.db import Database
    from bot.store.missed import SqlMissedQuestionStore

    db = Database(settings.effective_database_url)
    try:
        db.upgrade()
        # Reading needs no pseudonym key: the rows hold pseudonyms already.
        store = SqlMissedQuestionStore(db, Pseudonymizer("read-only"))
        since = datetime.combine(args.since, time(0), tzinfo=settings.tz) if args.since else None
        records = store.since(since)
    finally:
        db.dispose()
    if args.json:
        json.dump([r.as_json() for r in records], out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    for r in records:
        when = r.created_at.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M")
        answer = " ".join(r.reply.split())[:60]
        campaign = r.campaign_code or "-"
        out.write(f"{when}  {r.author}  {campaign}  {r.kind}  {r.text}\n    → {answer}\n")
    print(f"{len(records)} missed question(s)", file=sys.stderr)
    return 0
