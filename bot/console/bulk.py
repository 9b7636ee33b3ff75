"""Bulk actions on the inbox's selection: accept, assign to a unit, publish the drafts.

The inbox's partials (_bulk_form.html, _bulk_head.html, _bulk_cell.html) draw one form
(id "bulk") and a checkbox per row that belongs to it (`form="bulk"`); POST /console/bulk runs
each ticket through services.suggestions.bulk_act (the same use case and rules as one by one)
and says in one message what was done and what was not, and why.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from bot.console import auth
from bot.console.blueprint import bp, console
from bot.console.workflow_pages import active_units, require_unit
from domain import workflow as wf
from services import answers
from services import suggestions as uc
from services import units as units_uc
from texts import console as texts

MAX_REASONS = 10
KEEP = ("campaign", "status", "unit", "q", "page")


class BulkView:
    """What the inbox's partials ask: may this account bulk-act, and the choices."""

    actions = texts.BULK_ACTION_NAMES
    outcomes = wf.OUTCOMES

    @property
    def allowed(self) -> bool:
        return bool(current_user.is_authenticated and uc.can_bulk(current_user.actor))

    def units(self) -> list[str]:
        return active_units()


@bp.context_processor
def _bulk_context() -> dict[str, BulkView]:
    return {"bulk": BulkView()}


def _back() -> str:
    """The inbox with the filters the selection was made under (only known keys kept)."""
    query = {k: request.form.get(f"back_{k}", "")[:200] for k in KEEP}
    kept = {k: v for k, v in query.items() if v}
    return url_for("console.inbox") + ("?" + urlencode(kept) if kept else "")


def summary(results: list[uc.BulkResult]) -> str:
    done = sum(1 for r in results if r.ok)
    failed = [r for r in results if not r.ok]
    if not failed:
        return texts.BULK_DONE.format(done=done)
    reasons = "；".join(f"{r.ticket} {r.message}" for r in failed[:MAX_REASONS])
    if len(failed) > MAX_REASONS:
        reasons += texts.BULK_MORE
    return texts.BULK_PARTLY.format(done=done, failed=len(failed), reasons=reasons)


@bp.post("/bulk")
@login_required
def bulk() -> Response:
    actor = auth.current_actor()
    if not uc.can_bulk(actor):
        abort(403)
    form = request.form
    back = redirect(_back(), code=303)
    tickets = form.getlist("ticket")
    if not tickets:
        flash(texts.BULK_NONE, "error")
        return back
    action = form.get("action", "")
    if action not in uc.BULK_ACTIONS:
        abort(400)
    c = console()
    now = datetime.now(UTC)
    try:
        unit = require_unit(form.get("unit", "")) if action == wf.ASSIGN else ""
        results = uc.bulk_act(
            c.workflow, actor, tickets, action, now, unit=unit, outcome=form.get("outcome", "")
        )
    except units_uc.UnitError as exc:
        flash(exc.zh, "error")
        return back
    except wf.WorkflowError as exc:
        if exc.code == wf.FORBIDDEN:
            abort(403)
        flash(str(exc), "error")
        return back
    if action == wf.PUBLISH and any(r.ok for r in results):
        answers.deliver_due(c.outbox, c.state.sender, now, limit=uc.MAX_BULK)
    flash(summary(results), "ok" if all(r.ok for r in results) else "error")
    return back
