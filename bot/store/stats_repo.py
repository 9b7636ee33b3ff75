"""SQL adapters for statistics and the campaign timeline (services/ports.py StatsStore,
NoticeTallies). Every figure is one GROUP BY (or one aggregate) in the database; Python only
folds a few hundred groups. The same code is right on SQLite and fast on PostgreSQL:

- days: PostgreSQL converts to the campaign's zone itself (timezone(tz, created_at)::date);
  SQLite knows no zones, so it groups by UTC quarter-hour and the folding to local days is
  done here with zoneinfo (every zone's offset is a whole number of quarter hours, so this is
  exact, daylight saving included);
- durations: extract(epoch ...) on PostgreSQL, julianday() differences on SQLite (SQLite
  keeps instants as whole milliseconds, so "later than the limit" compares exactly);
- the median: percentile_cont on PostgreSQL (in the same scan as the overdue counts), the
  one or two middle rows (ORDER BY, OFFSET) on SQLite;
- topic, status, outcome, unit and satisfaction: one GROUP BY over all five columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Integer, Interval, and_, case, cast, func, literal, select

from bot.store.db import Database
from bot.store.models import DeliveryRow, NoticeRow, SuggestionRow
from domain import stats as rules
from domain import workflow as wf
from services.ports import AnswerTimes, NoticeTally, StatsQuery

S = SuggestionRow
_COLUMNS = {
    rules.TOPIC: S.topic,
    rules.STATUS: S.status,
    rules.OUTCOME: S.outcome,
    rules.UNIT: S.unit,
    rules.SATISFACTION: S.satisfaction,
}
# Delivery statuses (bot/store/models.py DeliveryRow) as the timeline shows them.
SENT = ("sent", "recorded")
FAILED = ("failed", "undeliverable")
WAITING = ("sending", "retry", "uncertain")


def _filters(query: StatsQuery) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if query.campaign:
        conds.append(S.campaign_code == query.campaign)
    if query.since is not None:
        conds.append(S.created_at >= query.since)
    if query.until is not None:
        conds.append(S.created_at < query.until)
    if query.only_unit is not None:
        conds.append(S.unit == query.only_unit)
    return conds


class SqlStatsStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.postgres = db.engine.dialect.name == "postgresql"

    def count_by(
        self, query: StatsQuery, dimensions: Sequence[str]
    ) -> dict[str, list[tuple[str, int]]]:
        """(value, count) per dimension; "" stands for none (no unit, no outcome yet). One
        scan: GROUP BY every dimension at once (a few hundred combinations), folded here."""
        columns = [_COLUMNS[d] for d in dimensions]
        with self.db.session() as s:
            rows = s.execute(
                select(*columns, func.count()).where(*_filters(query)).group_by(*columns)
            ).all()
        folded: list[dict[str, int]] = [{} for _ in dimensions]
        for row in rows:
            n = int(row[-1] or 0)
            for i, counts in enumerate(folded):
                key = row[i] or ""
                counts[key] = counts.get(key, 0) + n
        return {d: list(folded[i].items()) for i, d in enumerate(dimensions)}

    def count_by_day(self, query: StatsQuery, tz: ZoneInfo) -> list[tuple[date, int]]:
        """(local day, count), in order, days without an idea left out."""
        conds = _filters(query)
        with self.db.session() as s:
            if self.postgres:
                day = func.date(func.timezone(tz.key, S.created_at))
                rows = s.execute(
                    select(day, func.count()).where(*conds).group_by(day).order_by(day)
                ).all()
                return [(d, int(n)) for d, n in rows]
            hour = func.strftime("%Y-%m-%d %H", S.created_at)
            quarter = cast(func.strftime("%M", S.created_at), Integer) / 15
            buckets = s.execute(
                select(hour, quarter, func.count()).where(*conds).group_by(hour, quarter)
            ).all()
        days: dict[date, int] = {}
        for hour_text, q, n in buckets:
            start = datetime.strptime(hour_text, "%Y-%m-%d %H").replace(tzinfo=UTC)
            local = (start + timedelta(minutes=15 * int(q))).astimezone(tz).date()
            days[local] = days.get(local, 0) + int(n)
        return sorted(days.items())

    def _seconds(self) -> ColumnElement[Any]:
        if self.postgres:
            return func.date_part("epoch", S.replied_at - S.created_at)
        return (func.julianday(S.replied_at) - func.julianday(S.created_at)) * 86400.0

    def _later_than(self, limit: timedelta) -> ColumnElement[bool]:
        if self.postgres:
            return S.replied_at > S.created_at + literal(limit, Interval())
        shift = f"+{int(limit.total_seconds())} seconds"
        return func.julianday(S.replied_at) > func.julianday(S.created_at, shift)

    def answer_times(self, query: StatsQuery, limit: timedelta, now: datetime) -> AnswerTimes:
        conds = _filters(query)
        answered = S.replied_at.is_not(None)
        open_late = and_(
            S.replied_at.is_(None), S.status != wf.DECLINED, S.created_at < now - limit
        )
        figures: list[ColumnElement[Any]] = [
            func.count(S.replied_at),
            func.coalesce(func.sum(case((and_(answered, self._later_than(limit)), 1))), 0),
            func.coalesce(func.sum(case((open_late, 1))), 0),
        ]
        with self.db.session() as s:
            if self.postgres:  # the median in the same scan
                seconds = self._seconds()
                figures.append(func.percentile_cont(0.5).within_group(seconds))
                n, late, overdue, value = s.execute(select(*figures).where(*conds)).one()
                median = None if value is None else round(float(value), 3)
            else:
                n, late, overdue = s.execute(select(*figures).where(*conds)).one()
                median = self._median(s, conds, int(n))
        return AnswerTimes(int(n), median, int(late), int(overdue))

    def _median(self, s: Any, conds: list[ColumnElement[bool]], n: int) -> float | None:
        if n == 0:
            return None
        seconds = self._seconds()
        where = [*conds, S.replied_at.is_not(None)]
        middle = s.scalars(
            select(seconds).where(*where).order_by(seconds).offset((n - 1) // 2).limit(2 - n % 2)
        ).all()
        return round(sum(float(v) for v in middle) / len(middle), 3) if middle else None

    def tallies(self, campaign: str) -> list[NoticeTally]:
        """A campaign's notices in time order, with their deliveries counted by outcome."""
        d = DeliveryRow

        def bucket(statuses: tuple[str, ...]) -> Any:
            return func.coalesce(func.sum(case((d.status.in_(statuses), 1))), 0)

        with self.db.session() as s:
            rows = s.execute(
                select(
                    NoticeRow.title,
                    NoticeRow.kind,
                    NoticeRow.due_at,
                    NoticeRow.status,
                    bucket(SENT),
                    bucket(FAILED),
                    bucket(WAITING),
                )
                .outerjoin(d, d.notice_id == NoticeRow.id)
                .where(NoticeRow.campaign_code == campaign)
                .group_by(NoticeRow.id)
                .order_by(NoticeRow.due_at, NoticeRow.id)
            ).all()
        return [
            NoticeTally(title, kind, due_at, status, int(sent), int(failed), int(waiting))
            for title, kind, due_at, status, sent, failed, waiting in rows
        ]
