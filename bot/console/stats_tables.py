"""The statistics page's tables: the same rows on the page and in each CSV download.

CSV: UTF-8 with a byte-order mark (Excel then reads the Chinese right), CRLF line ends (the
csv module's default), and any cell that a spreadsheet would take for a formula (=, +, -, @)
prefixed with an apostrophe: topics and unit names come from users.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.export_record import csv_safe
from domain import stats as rules
from services.stats import Report
from texts import console as texts

BOM = "\ufeff"


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    headers: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]


def _share(n: int, total: int) -> str:
    return rules.share_text(n / total if total else None)


def _counted(name: str, rows: list[tuple[str, int]], empty: str = "") -> Table:
    title, column = texts.STATS_TABLES[name]
    total = sum(n for _, n in rows)
    body = [(key or empty, str(n), _share(n, total)) for key, n in rows]
    return Table(name, title, (column, texts.COUNT, texts.SHARE), body)


def _times(report: Report) -> Table:
    title, column = texts.STATS_TABLES["times"]
    t, words = report.times, texts.TIMES_ROWS
    rows = [
        (words["total"], str(report.total)),
        (words["answered"], str(t.answered)),
        (words["median"], rules.days_text(t.median_seconds)),
        (words["limit"], str(report.limit_days)),
        (words["late_answered"], str(t.late_answered)),
        (words["overdue_open"], str(t.overdue_open)),
        (words["overdue"], str(report.overdue)),
        (words["rated"], str(report.rated)),
        (words["satisfied"], rules.share_text(report.satisfied_share)),
    ]
    return Table("times", title, (column, "数值"), rows)


def tables(report: Report) -> dict[str, Table]:
    """Every table of the page, by the name used in its CSV address."""
    title, column = texts.STATS_TABLES["day"]
    total = report.total
    days = [(d.isoformat(), str(n), _share(n, total)) for d, n in report.by_day]
    return {
        "times": _times(report),
        "day": Table("day", title, (column, texts.COUNT, texts.SHARE), days),
        "topic": _counted("topic", report.by_topic, texts.NO_TOPIC),
        "status": _counted("status", report.by_status),
        "outcome": _counted("outcome", report.by_outcome, texts.NO_OUTCOME),
        "unit": _counted("unit", report.by_unit, texts.NO_UNIT),
        "satisfaction": _counted("satisfaction", report.by_satisfaction),
    }


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([csv_safe(row[0]), *row[1:]])  # the label is the only user text
    return (BOM + out.getvalue()).encode("utf-8")


def filename(table: str, campaign: str, day: str) -> str:
    """An ASCII file name: stats-<table>-<campaign or all>-<YYYY-MM-DD>.csv."""
    code = re.sub(r"[^A-Za-z0-9_-]", "", campaign)[:40] or "all"
    return f"stats-{table}-{code}-{day}.csv"
