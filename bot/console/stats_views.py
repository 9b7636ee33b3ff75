"""Statistics (/console/stats, each table as CSV) and the campaign timeline (/console/timeline).

Every signed-in role may open both; what a unit account sees is narrowed by services.stats.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Response, abort, render_template, request
from flask_login import login_required

from bot.console import auth, stats_tables
from bot.console.blueprint import bp, console
from bot.console.svg import bar_chart, day_chart
from bot.console.timeline_svg import timeline_chart
from domain import stats as rules
from domain import workflow as wf
from domain.inbox import parse_day
from services import stats as uc
from texts import console as texts
from texts.notices import KIND_LABELS


def _day(text: str | None) -> tuple[date | None, bool]:
    """A YYYY-MM-DD argument; (None, True) when it was given but is not a date."""
    day = parse_day(text)
    return day, bool(text and text.strip()) and day is None


def _filters() -> tuple[uc.Filters, bool]:
    campaign = request.args.get("campaign", "").strip()[:64]
    start, bad_start = _day(request.args.get("start"))
    end, bad_end = _day(request.args.get("end"))
    if start and end and start > end:
        start, end = end, start
    return uc.Filters(campaign, start, end), bad_start or bad_end


def _report(filters: uc.Filters) -> uc.Report:
    c = console()
    settings = c.state.settings
    return uc.report(
        c.stats,
        auth.current_actor(),
        filters,
        settings.tz,
        settings.answer_days,
        datetime.now(UTC),
    )


def _campaigns() -> list[tuple[str, str]]:
    return [(i.code, i.name) for i in console().state.campaigns.active()]


@bp.get("/stats")
@login_required
def stats_page() -> str:
    actor = auth.current_actor()
    filters, bad_date = _filters()
    report = _report(filters)
    charts = {
        "day": day_chart(report.by_day, texts.STATS_TABLES["day"][0]),
        "topic": bar_chart(
            [(k or texts.NO_TOPIC, n) for k, n in report.by_topic],
            texts.STATS_TABLES["topic"][0],
            width=1180,
            label_width=360,
        ),
        "status": bar_chart(
            report.by_status, texts.STATS_TABLES["status"][0], width=580, label_width=120
        ),
        "outcome": bar_chart(
            [(k or texts.NO_OUTCOME, n) for k, n in report.by_outcome],
            texts.STATS_TABLES["outcome"][0],
            width=580,
            label_width=120,
        ),
        "unit": bar_chart(
            [(k or texts.NO_UNIT, n) for k, n in report.by_unit],
            texts.STATS_TABLES["unit"][0],
            width=580,
            label_width=200,
        ),
        "satisfaction": bar_chart(
            report.by_satisfaction,
            texts.STATS_TABLES["satisfaction"][0],
            width=580,
            label_width=120,
            color="#3a9a5b",
        ),
    }
    keep = {"campaign": filters.campaign, "start": filters.start or "", "end": filters.end or ""}
    return render_template(
        "console/stats.html",
        report=report,
        tables=stats_tables.tables(report),
        charts=charts,
        filters=filters,
        keep={k: str(v) for k, v in keep.items() if v},
        campaigns=_campaigns(),
        unit_note=texts.STATS_UNIT_NOTE.format(unit=actor.unit) if actor.role == wf.UNIT else "",
        bad_date=bad_date,
        median_days=rules.days_text(report.times.median_seconds),
        share=rules.share_text(report.satisfied_share),
    )


@bp.get("/stats/<table>.csv")
@login_required
def stats_csv(table: str) -> Response:
    if table not in texts.STATS_TABLES:
        abort(404)
    filters, _ = _filters()
    chosen = stats_tables.tables(_report(filters))[table]
    today = datetime.now(console().state.settings.tz).date().isoformat()
    name = stats_tables.filename(table, filters.campaign, today)
    return Response(
        stats_tables.to_csv(chosen),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/timeline")
@login_required
def timeline_page() -> str:
    actor = auth.current_actor()
    c = console()
    campaigns = _campaigns()
    code = request.args.get("campaign", "").strip()[:64] or (campaigns[0][0] if campaigns else "")
    if not code:
        return render_template("console/timeline.html", t=None, campaigns=campaigns, chart="")
    today = c.state.services.clock.today()
    t = uc.timeline(c.state.campaigns, c.stats, actor, code, today)
    if t is None:
        abort(404)
    settings = c.state.settings
    today_text = texts.TODAY_REHEARSAL if settings.today else texts.TODAY_REAL
    return render_template(
        "console/timeline.html",
        t=t,
        campaigns=campaigns,
        chart=timeline_chart(t, settings.tz, today_text),
        today_text=today_text,
        kinds=KIND_LABELS,
    )
