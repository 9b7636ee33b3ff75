"""What each `python -m bot` command does (argument parsing is in bot/cli.py)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli_errors import CliError
from config.settings import Settings

if TYPE_CHECKING:  # imported when used: `python -m bot --help` stays fast
    from bot.app_state import AppState
    from jobs.runner import Runner

log = logging.getLogger("bot")


def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    handler = {
        "serve": serve,
        "scheduler": scheduler,
        "chat": chat,
        "plan": plan,
        "suggestions": suggestions,
        "jobs": jobs,
        "db": db,
        "questions": questions,
    }[args.command]
    return handler(args, settings)


def _state(settings: Settings, migrate: bool = True) -> AppState:
    from bot.wiring import build_state

    return build_state(settings, migrate=migrate)


def _announce(settings: Settings) -> None:
    from bot.wiring import describe

    for line in describe(settings):
        print(line, file=sys.stderr)
        if line.startswith("REHEARSAL"):
            log.warning(line)


def serve(args: argparse.Namespace, settings: Settings) -> int:
    from werkzeug.serving import run_simple

    from bot.app import create_app

    state = _state(settings)
    _announce(settings)
    scheduler = _start_scheduler(state)
    app = create_app(state=state)
    print(
        f"listening on http://{args.host}:{args.port}/wechat  (health: /healthz)", file=sys.stderr
    )
    # SIGTERM (docker stop, systemd, kill) ends the server like Ctrl-C, so the scheduler
    # below releases its lease at once instead of making a successor wait for it to lapse.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        run_simple(args.host, args.port, app, threaded=True, use_reloader=False)
    finally:
        scheduler.shutdown()
        state.close()
    return 0


def _start_scheduler(state: AppState) -> Runner:
    """The notice scheduler in this process (the embedded default)."""
    from bot.jobs_wiring import jobs_deps
    from jobs.runner import start_scheduler

    return start_scheduler(jobs_deps(state))


def scheduler(args: argparse.Namespace, settings: Settings) -> int:
    from bot.jobs_wiring import jobs_deps
    from jobs.runner import run_forever

    state = _state(settings, migrate=False)
    _announce(settings)
    return run_forever(jobs_deps(state))


def chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot import chat as terminal
    from bot.demo import DemoError, chat_state

    if args.today:
        settings = settings.with_(today=args.today)
    try:
        state, banner = chat_state(settings, args.demo)  # a fresh install's demo: bot/demo.py
    except DemoError as exc:
        raise CliError(str(exc)) from exc
    _announce(state.settings)
    try:
        if banner:
            print(banner + "\n", flush=True)
        return terminal.run(state, args.user)
    finally:
        state.close()


def plan(args: argparse.Namespace, settings: Settings) -> int:
    from bot import cli_plan

    if args.plan_command == "check":
        return cli_plan.cmd_check(args.file, args.json, sys.stdout, sys.stderr)
    if args.plan_command == "import":
        return cli_plan.cmd_import(args.document, args.year, sys.stdout, sys.stderr)
    if args.plan_command == "load":
        return _plan_load(args.file, settings)
    return _plan_list(settings)


def _plan_load(path: str, settings: Settings) -> int:
    from bot.jobs_wiring import sync_notices
    from bot.planfile import PlanFileError, load_plan
    from bot.store.campaigns_repo import SqlPlanStore
    from bot.store.units_repo import SqlUnitStore
    from services import plans
    from services.ports import PlanConflict

    try:
        parsed = load_plan(path)
    except PlanFileError as exc:
        raise CliError(str(exc)) from exc
    state = _state(settings)
    try:
        try:
            loaded = plans.load(
                SqlPlanStore(state.db, state.campaigns),
                lambda code: sync_notices(state, code),
                parsed,
                source=str(Path(path).resolve()),
                unit_store=SqlUnitStore(state.db),
                now=datetime.now(UTC),
            )
        except PlanConflict as exc:
            raise CliError(f"{path}: {exc}") from exc
        n = loaded.notices
        print(
            f"notices: {n.total} in plan ({n.added} new, {n.updated} updated, "
            f"{n.removed} removed)",
            file=sys.stderr,
        )
        verb = "created" if loaded.created else f"updated (revision {loaded.revision})"
        print(f"{loaded.code}: {verb} - {loaded.phases} phases, {loaded.tasks} tasks")
    finally:
        state.close()
    return 0


def _plan_list(settings: Settings) -> int:
    state = _state(settings)
    try:
        today = state.services.clock.today()
        campaigns = state.campaigns.active()
        if not campaigns:
            print("no campaigns loaded (python -m bot plan load FILE)")
        for info in campaigns:
            p = state.campaigns.plan(info.code)
            stage, phase = p.standing_on(today) if p else ("no_phases", None)
            if stage == "running" and phase:
                where = f"{phase.name} ({phase.span.start}~{phase.span.end})"
            elif stage == "not_started" and phase:
                where = f"not started (starts {phase.span.start})"
            else:
                where = "finished" if stage == "finished" else "no phases"
            print(f"{info.code}\t{info.name}\t{where}")
    finally:
        state.close()
    return 0


def suggestions(args: argparse.Namespace, settings: Settings) -> int:
    from bot import export

    if args.out:  # before connecting: a bad target is one line, not a half-done export
        problem = export.target_problem(args.out)
        if problem:
            raise CliError(problem)
    state = _state(settings)
    try:
        exporter = export.SqlExport(state.db, settings.tz)
        if args.out:
            with open(args.out, "wb") as fh:
                count = exporter.write(args.format, fh)
            print(f"{count} suggestions written to {args.out}", file=sys.stderr)
        else:
            if args.format == "xlsx":
                raise CliError("xlsx needs --out FILE")
            exporter.write(args.format, sys.stdout.buffer)
            sys.stdout.flush()
    finally:
        state.close()
    return 0


def jobs(args: argparse.Namespace, settings: Settings) -> int:
    from bot.jobs_wiring import jobs_deps
    from jobs import cli as jobs_cli

    state = _state(settings)
    try:
        return jobs_cli.dispatch(args, jobs_deps(state))
    finally:
        state.close()


def db(args: argparse.Namespace, settings: Settings) -> int:
    from bot.store.db import Database

    database = Database(settings.effective_database_url)
    database.upgrade()
    print("database is up to date", file=sys.stderr)
    database.dispose()
    return 0


def questions(args: argparse.Namespace, settings: Settings) -> int:
    from bot import cli_questions

    return cli_questions.run(args, settings)
