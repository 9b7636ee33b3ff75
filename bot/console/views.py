"""The inbox, a suggestion's page and its actions. Each action calls one use case."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from bot.console import auth, workflow_pages  # noqa: F401 - auth adds sign-in routes
from bot.console.blueprint import bp, console
from bot.console.inbox_form import PER_PAGE
from bot.console.inbox_form import parse as parse_filters
from domain import workflow as wf
from services import answers
from services import inbox as related
from services import suggestions as uc
from services import units as units_uc
from services.ports import Delivery
from texts import console as texts


def _units() -> list[str]:
    """Units to assign to: the active units of the editable list (seeded from the plans)."""
    return workflow_pages.active_units()


@bp.get("/")
@login_required
def inbox() -> str:
    actor = auth.current_actor()
    c = console()
    form = parse_filters(request.args, c.state.settings.tz)
    query = form.query
    cases, total = uc.list_cases(c.workflow, actor, query)
    pages = max(1, -(-total // PER_PAGE))
    keep = {k: v for k, v in form.values.items() if k != "page"}

    def page_url(n: int) -> str:
        return url_for("console.inbox") + "?" + urlencode({**keep, "page": n})

    campaigns = c.state.campaigns.active()
    topics = sorted({t for info in campaigns for t in info.topics})
    return render_template(
        "console/inbox.html",
        cases=cases,
        total=total,
        query=query,
        form=form.values,
        pages=pages,
        page_url=page_url,
        statuses=wf.STATUSES,
        outcomes=wf.OUTCOMES,
        topics=topics,
        sorts=texts.SORTS,
        campaigns=[i.code for i in campaigns],
        units=workflow_pages.filter_units() if actor.role != wf.UNIT else [],
    )


@bp.get("/s/<ticket>")
@login_required
def detail(ticket: str) -> str:
    actor = auth.current_actor()
    c = console()
    try:
        case = uc.view(c.workflow, actor, ticket.upper())
    except wf.WorkflowError:
        abort(404)
    detail = c.workflow.delivery_detail(case.ticket)  # one read of the answer's ledger row
    actions, picker = workflow_pages.template_picker(
        case, wf.allowed_actions(actor, case.status, case.unit), request.args.get("template", "")
    )
    return render_template(
        "console/detail.html",
        case=case,
        picker=picker,
        actions=actions,
        action_names={**texts.AUDIT_ACTIONS, **wf.ACTION_NAMES},
        outcomes=wf.OUTCOMES,
        units=_units(),
        history=c.workflow.history(case.ticket),
        delivery=texts.DELIVERY.get(_delivery_word(detail, c.state.settings.outbound_enabled), ""),
        delivery_detail=detail,  # console/_delivery.html
        related=related.related(c.workflow.inbox, actor, case),
    )


def _delivery_word(detail: Delivery | None, outbound_enabled: bool) -> str | None:
    """The ledger's status, except that a send without credentials was only recorded."""
    if detail is None:
        return None
    return "recorded" if detail.status == "sent" and not outbound_enabled else detail.status


@bp.post("/s/<ticket>/<action>")
@login_required
def act(ticket: str, action: str) -> Response:
    if action not in wf.ACTIONS:
        abort(404)
    actor = auth.current_actor()
    c = console()
    ticket = ticket.upper()
    form = request.form
    now = datetime.now(UTC)
    try:
        if action == wf.ASSIGN and action in wf.ROLE_ACTIONS.get(actor.role, frozenset()):
            workflow_pages.require_unit(form.get("unit", ""))
        uc.act(
            c.workflow, actor, ticket, action, now,
            reason=form.get("reason", ""), unit=form.get("unit", ""),
            reply=form.get("reply", ""), outcome=form.get("outcome", ""),
        )  # fmt: skip
    except units_uc.UnitError as exc:
        flash(exc.zh, "error")
        return redirect(url_for("console.detail", ticket=ticket), code=303)
    except wf.WorkflowError as exc:
        if exc.code == wf.NOT_VISIBLE:
            abort(404)
        if exc.code == wf.FORBIDDEN:
            abort(403)
        flash(str(exc), "error")
        return redirect(url_for("console.detail", ticket=ticket), code=303)
    if action == wf.PUBLISH:
        answers.deliver_due(c.outbox, answers.channels_for(c.state.sender, c.state.settings), now)
    flash(texts.DONE[action], "ok")
    return redirect(url_for("console.detail", ticket=ticket), code=303)
