"""What the statistics and the campaign timeline need from storage (services/stats.py,
bot/store/stats_repo.py), as Protocols of plain values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from domain.plan import Plan


@dataclass(frozen=True)
class StatsQuery:
    """Which suggestions to count: one campaign (or all), sent in [since, until) (aware
    instants; None = open), and `only_unit` for a unit account."""

    campaign: str = ""
    since: datetime | None = None
    until: datetime | None = None
    only_unit: str | None = None


@dataclass(frozen=True)
class AnswerTimes:
    """Time to answer (created_at -> replied_at): the median over answered ideas, and the
    ideas overdue against the limit, both ways."""

    answered: int
    median_seconds: float | None
    late_answered: int  # answered, but later than the limit
    overdue_open: int  # not answered (nor declined) and older than the limit


@dataclass(frozen=True)
class NoticeTally:
    """One scheduled notice and where its deliveries stand (sent / failed / waiting)."""

    title: str
    kind: str
    due_at: datetime
    status: str
    sent: int
    failed: int
    waiting: int


class StatsStore(Protocol):
    """Aggregations, each one GROUP BY in the database."""

    def count_by(
        self, query: StatsQuery, dimensions: Sequence[str]
    ) -> dict[str, list[tuple[str, int]]]: ...

    def count_by_day(self, query: StatsQuery, tz: ZoneInfo) -> list[tuple[date, int]]: ...

    def answer_times(self, query: StatsQuery, limit: timedelta, now: datetime) -> AnswerTimes: ...


class NoticeTallies(Protocol):
    def tallies(self, campaign: str) -> list[NoticeTally]: ...


class PlanSource(Protocol):
    def plan(self, code: str) -> Plan | None: ...
