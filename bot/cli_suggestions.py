"""`suggestions list`, `suggestions answer` and `suggestions assign` (bot/cli_console.py
registers them), each through the same use cases as the console (services/)."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import Any, TextIO

from domain import workflow as wf
from services import units as units_uc
from services.ports import Case, CaseQuery

PAGE = 200
CLI_ACTOR = "cli"  # who the command line is in the audit log, unless --by names an account


class ConsoleCliError(Exception):
    """A one-line error for the user; exit 2."""


def dispatch(args: argparse.Namespace, state: Any, out: TextIO) -> int:
    if args.sugg_command == "list":
        return list_(args, state, out)
    if args.sugg_command == "assign":
        return assign(args, state, out)
    return answer(args, state, out)


def _record(case: Case, tz: Any) -> dict[str, object]:
    return {
        "ticket": case.ticket,
        "campaign": case.campaign,
        "topic": case.topic,
        "status": case.status,
        "outcome": case.outcome or "",
        "unit": case.unit or "",
        "created_at": case.created_at.astimezone(tz).isoformat(),
        "author": case.author,
        "content": case.content,
        "reply": case.reply or "",
        "replied_at": case.replied_at.astimezone(tz).isoformat() if case.replied_at else "",
    }


def list_(args: argparse.Namespace, state: Any, out: TextIO) -> int:
    from bot.store.workflow_repo import SqlWorkflowStore
    from services import suggestions as uc

    store = SqlWorkflowStore(state.db)
    actor = wf.Actor(CLI_ACTOR, wf.ORGANISER)
    cases: list[Case] = []
    page = 1
    while True:
        query = CaseQuery(
            campaign=args.campaign, status=args.status or "", page=page, per_page=PAGE
        )
        batch, total = uc.list_cases(store, actor, query)
        cases.extend(batch)
        if len(batch) < PAGE or len(cases) >= total:
            break
        page += 1
    tz = state.settings.tz
    if args.json:
        json.dump([_record(c, tz) for c in cases], out, ensure_ascii=False, indent=1)
        out.write("\n")
        return 0
    for c in cases:
        when = c.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        preview = c.content.replace("\n", " ")[:30]
        cols = (c.ticket, c.campaign, c.status, c.outcome or "-", c.unit or "-", when, preview)
        print("\t".join(cols), file=out)
    return 0


def answer(args: argparse.Namespace, state: Any, out: TextIO) -> int:
    from bot.store.workflow_repo import SqlOutbox, SqlWorkflowStore
    from services import answers
    from services import suggestions as uc

    actor = _actor(state, args.by)
    store = SqlWorkflowStore(state.db)
    ticket = args.ticket.strip().upper()
    now = datetime.now(UTC)
    try:
        case = uc.answer(
            store, actor, ticket, args.reply, now, status=args.status, outcome=args.outcome or ""
        )
    except wf.WorkflowError as exc:
        raise ConsoleCliError(f"{ticket}: {exc}") from exc
    channels = answers.channels_for(state.sender, state.settings)
    answers.deliver_due(SqlOutbox(state.db), channels, now)
    detail = store.delivery_detail(ticket)
    delivery = detail.status if detail else "-"
    if delivery == "sent" and not state.settings.outbound_enabled:
        delivery = "recorded"
    elif delivery == "sent" and detail is not None and detail.via in ("template", "reply"):
        delivery = f"sent:{detail.via}"
    told = {
        "sent": "the submitter was told on WeChat",
        "waiting": "the answer waits for the submitter's next message (48-hour window)",
        "sent:template": "the submitter was sent a template message linking to the answer page",
        "sent:reply": "the submitter was told in the reply to their message",
        "failed": "sending failed; see the console",
        "recorded": "WECHAT_APPID/SECRET unset: the message was recorded, not sent",
    }.get(delivery, f"delivery: {delivery}")
    print(f"{ticket}: {case.status} ({case.outcome}); {told}", file=out)
    return 0


def _actor(state: Any, by: str) -> wf.Actor:
    """The organiser "cli", or the account `--by` names (its role then applies)."""
    from bot.store.console_repo import SqlAccountStore
    from services import accounts

    if not by:
        return wf.Actor(CLI_ACTOR, wf.ORGANISER)
    account = SqlAccountStore(state.db).get(by)
    if account is None or account.disabled:
        raise ConsoleCliError(f"--by {by!r}: no such active account")
    return accounts.actor_of(account)


def assign(args: argparse.Namespace, state: Any, out: TextIO) -> int:
    """`suggestions assign TICKET --unit NAME [--by LOGIN]`: the console's assign action."""
    from bot.store.units_repo import SqlUnitStore
    from bot.store.workflow_repo import SqlWorkflowStore
    from services import suggestions as uc

    actor = _actor(state, args.by)
    ticket = args.ticket.strip().upper()
    now = datetime.now(UTC)
    try:
        unit = units_uc.require_active(SqlUnitStore(state.db), args.unit, _owners(state), now)
        case = uc.assign(SqlWorkflowStore(state.db), actor, ticket, unit, now)
    except units_uc.UnitError as exc:
        raise ConsoleCliError(f"--unit: {exc}") from exc
    except wf.WorkflowError as exc:
        raise ConsoleCliError(f"{ticket}: {exc}") from exc
    print(f"{ticket}: {case.status} ({case.unit})", file=out)
    return 0


def _owners(state: Any) -> list[str]:
    campaigns = state.campaigns
    return units_uc.plan_owners(campaigns.plan(i.code) for i in campaigns.active())


def seed_plan_units(state: Any, owners: list[str]) -> list[str]:
    """After `plan load`: the plan's task owners join the units list (new names only)."""
    from bot.store.units_repo import SqlUnitStore

    return units_uc.seed(SqlUnitStore(state.db), owners, datetime.now(UTC))
