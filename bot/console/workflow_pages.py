"""The units page (organisers) and the answer templates page (organisers and reviewers), and
the template picker of a suggestion's page. Each change calls one use case, audited there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from bot.console import auth
from bot.console.blueprint import bp, console
from bot.store.units_repo import SqlTemplateStore, SqlUnitStore
from domain import workflow as wf
from services import templates as tpl
from services import units as units_uc
from services.ports import Case
from services.unit_ports import AnswerTemplate
from texts import console as texts


def unit_store() -> SqlUnitStore:
    return SqlUnitStore(console().state.db)


def template_store() -> SqlTemplateStore:
    return SqlTemplateStore(console().state.db)


def plan_owners() -> list[str]:
    """The task owners named in the loaded plans (the units list is seeded from them)."""
    campaigns = console().state.campaigns
    return units_uc.plan_owners(campaigns.plan(i.code) for i in campaigns.active())


def active_units() -> list[str]:
    """The active units (once per request: the inbox asks for them twice)."""
    if "active_units" not in g:
        g.active_units = units_uc.active_names(unit_store(), plan_owners(), datetime.now(UTC))
    return list(g.active_units)


def filter_units() -> list[str]:
    """The inbox filter's units: the active ones, then the retired ones (not renamed away:
    no idea keeps a renamed unit's old name)."""
    listed = units_uc.listing(unit_store(), plan_owners(), datetime.now(UTC))
    return [u.name for u in listed if not u.renamed_to]


def require_unit(name: str) -> str:
    """The active unit named (UnitError otherwise): assigning and unit accounts use the list."""
    return units_uc.require_active(unit_store(), name, plan_owners(), datetime.now(UTC))


# --- Units ------------------------------------------------------------------------------------


def _organiser() -> wf.Actor:
    actor = auth.current_actor()
    if not wf.can_administer(actor):
        abort(403)
    return actor


def _back_to_units() -> Response:
    return redirect(url_for("console.unit_list"), code=303)


@bp.get("/units")
@login_required
def unit_list() -> str:
    _organiser()
    units = units_uc.listing(unit_store(), plan_owners(), datetime.now(UTC))
    return render_template("console/units.html", units=units)


@bp.post("/units")
@login_required
def unit_add() -> Response:
    actor = _organiser()
    try:
        done = units_uc.add(unit_store(), actor.login, request.form.get("name", ""), _now())
    except units_uc.UnitError as exc:
        flash(exc.zh, "error")
    else:
        flash(texts.UNIT_ADDED if done == "added" else texts.UNIT_RESTORED, "ok")
    return _back_to_units()


@bp.post("/units/rename")
@login_required
def unit_rename() -> Response:
    actor = _organiser()
    form = request.form
    try:
        result = units_uc.rename(
            unit_store(), actor.login, form.get("old", ""), form.get("new", ""), _now()
        )
    except units_uc.UnitError as exc:
        flash(exc.zh, "error")
    else:
        done = texts.UNIT_RENAMED.format(tickets=len(result.tickets), accounts=result.accounts)
        flash(done, "ok")
    return _back_to_units()


@bp.post("/units/retire")
@login_required
def unit_retire() -> Response:
    actor = _organiser()
    try:
        units_uc.retire(unit_store(), actor.login, request.form.get("name", ""), _now())
    except units_uc.UnitError as exc:
        flash(exc.zh, "error")
    else:
        flash(texts.UNIT_RETIRED, "ok")
    return _back_to_units()


# --- Answer templates -------------------------------------------------------------------------


def _reviewer() -> wf.Actor:
    """Organisers and reviewers edit templates; unit accounts only use them."""
    actor = auth.current_actor()
    if actor.role not in (wf.ORGANISER, wf.REVIEWER):
        abort(403)
    return actor


def _now() -> datetime:
    return datetime.now(UTC)


@bp.get("/templates")
@login_required
def template_list() -> str:
    _reviewer()
    return render_template(
        "console/templates.html",
        templates=template_store().all(),
        campaigns=[i.code for i in console().state.campaigns.active()],
        placeholders=tpl.PLACEHOLDERS,
    )


def _save(template_id: int | None) -> Response:
    actor = _reviewer()
    form = request.form
    try:
        tpl.save(
            template_store(), actor.login, template_id, form.get("name", ""),
            form.get("text", ""), form.get("campaign", ""), _now(),
        )  # fmt: skip
    except tpl.TemplateError as exc:
        flash(exc.zh, "error")
    else:
        flash(texts.TEMPLATE_SAVED, "ok")
    return redirect(url_for("console.template_list"), code=303)


@bp.post("/templates")
@login_required
def template_add() -> Response:
    return _save(None)


@bp.post("/templates/<int:template_id>")
@login_required
def template_edit(template_id: int) -> Response:
    return _save(template_id)


@bp.post("/templates/<int:template_id>/delete")
@login_required
def template_delete(template_id: int) -> Response:
    actor = _reviewer()
    try:
        tpl.delete(template_store(), actor.login, template_id, _now())
    except tpl.TemplateError as exc:
        flash(exc.zh, "error")
    else:
        flash(texts.TEMPLATE_DELETED, "ok")
    return redirect(url_for("console.template_list"), code=303)


# --- The picker on a suggestion's page ----------------------------------------------------------


ANSWER_ACTIONS = (wf.DRAFT, wf.PUBLISH)


@dataclass(frozen=True)
class Picker:
    """The template picker (console/_template_picker.html). Once a template is applied, the
    partial draws the draft and publish forms itself, their answer box pre-filled with
    `text`, and the page's own loop of action forms leaves those two out."""

    templates: list[AnswerTemplate]
    answer_actions: list[str]
    selected: int | None = None
    applied: str = ""  # the chosen template's name
    text: str = ""  # its filled-in text


def template_picker(case: Case, actions: list[str], chosen: str) -> tuple[list[str], Picker]:
    """(the actions the page's own loop draws, the picker) for `?template=ID` or none."""
    answer_actions = [a for a in actions if a in ANSWER_ACTIONS]
    store = template_store()
    offered = tpl.for_case(store, case) if answer_actions else []
    if not chosen or not answer_actions:
        return actions, Picker(offered, answer_actions)
    try:
        found = tpl.filled_for(store, case, int(chosen))
    except ValueError:
        found = None
    if found is None:
        flash(texts.TEMPLATE_MISSING, "error")
        return actions, Picker(offered, answer_actions)
    name, text = found
    rest = [a for a in actions if a not in ANSWER_ACTIONS]
    return rest, Picker(offered, answer_actions, int(chosen), name, text)
