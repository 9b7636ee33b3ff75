"""The organisers' pages: accounts (add, disable, enable) and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from bot.console import auth, workflow_pages
from bot.console.blueprint import bp, console
from domain import workflow as wf
from domain.inbox import parse_day
from services import accounts
from services import units as units_uc
from texts import console as texts

AUDIT_ROWS = 500


def _organiser() -> wf.Actor:
    actor = auth.current_actor()
    if not wf.can_administer(actor):
        abort(403)
    return actor


@bp.get("/accounts")
@login_required
def account_list() -> str:
    _organiser()
    return render_template(
        "console/accounts.html",
        accounts=console().accounts.all(),
        roles=wf.ROLES,
        units=workflow_pages.active_units(),
    )


@bp.post("/accounts")
@login_required
def account_add() -> Response:
    actor = _organiser()
    form = request.form
    try:
        unit = form.get("unit", "")
        if unit.strip():  # a unit account's unit comes from the units list
            unit = workflow_pages.require_unit(unit)
        accounts.add_account(
            console().accounts,
            actor.login,
            form.get("login", "").strip(),
            form.get("role", ""),
            unit,
            form.get("password", ""),
            datetime.now(UTC),
        )
    except (accounts.AccountError, units_uc.UnitError) as exc:
        flash(exc.zh, "error")
    else:
        flash(texts.ACCOUNT_ADDED, "ok")
    return redirect(url_for("console.account_list"), code=303)


@bp.post("/accounts/<login>/<change>")
@login_required
def account_switch(login: str, change: str) -> Response:
    actor = _organiser()
    if change not in ("disable", "enable"):
        abort(404)
    try:
        accounts.set_disabled(
            console().accounts, actor.login, login, change == "disable", datetime.now(UTC)
        )
    except accounts.AccountError as exc:
        flash(exc.zh, "error")
    else:
        flash(texts.ACCOUNT_DISABLED if change == "disable" else texts.ACCOUNT_ENABLED, "ok")
    return redirect(url_for("console.account_list"), code=303)


@bp.get("/audit")
@login_required
def audit_log() -> str:
    _organiser()
    since_day = parse_day(request.args.get("since"))
    tz = console().state.settings.tz
    since = datetime.combine(since_day, time(0), tz) if since_day else None
    entries = list(reversed(console().audit.since(since, limit=AUDIT_ROWS)))
    return render_template(
        "console/audit.html",
        entries=entries,
        since=since_day.isoformat() if since_day else "",
        action_names={**wf.ACTION_NAMES, **texts.AUDIT_ACTIONS},
        limit=AUDIT_ROWS,
    )
