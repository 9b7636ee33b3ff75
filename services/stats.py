"""Use cases for the console's statistics and the campaign timeline (issue 10 point 8).

Who sees what: organisers and reviewers see every suggestion's figures; a unit account sees
only those of the suggestions assigned to its own unit (and, on the timeline, its own tasks
and no notice fan-out). The rules of counting are in domain/stats.py; the aggregation is done
by the store (services/ports.py StatsStore), in the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain import stats as rules
from domain import workflow as wf
from domain.notices import unit_matches
from domain.plan import Phase, Task
from services.ports import (
    AnswerTimes,
    NoticeTallies,
    NoticeTally,
    PlanSource,
    StatsQuery,
    StatsStore,
)

NO_TIMES = AnswerTimes(0, None, 0, 0)
# Notice statuses (bot/store/models.py NoticeRow) as the timeline counts them.
NOTICE_OUT = ("done",)
NOTICE_PENDING = ("scheduled", "sending")


@dataclass(frozen=True)
class Filters:
    """What the organiser asked for: a campaign ("" = all) and local days, both inclusive."""

    campaign: str = ""
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class Report:
    limit_days: int
    total: int = 0
    by_day: list[tuple[date, int]] = field(default_factory=list)
    by_topic: list[tuple[str, int]] = field(default_factory=list)
    by_status: list[tuple[str, int]] = field(default_factory=list)
    by_outcome: list[tuple[str, int]] = field(default_factory=list)
    by_unit: list[tuple[str, int]] = field(default_factory=list)
    by_satisfaction: list[tuple[str, int]] = field(default_factory=list)
    times: AnswerTimes = NO_TIMES
    satisfied_share: float | None = None

    @property
    def overdue(self) -> int:
        return self.times.late_answered + self.times.overdue_open

    @property
    def rated(self) -> int:
        return sum(n for _, n in self.by_satisfaction)


def scope(actor: wf.Actor, filters: Filters, tz: ZoneInfo) -> StatsQuery | None:
    """The store query for what this actor may see; None when it may see nothing."""
    if actor.role not in wf.ROLES or (actor.role == wf.UNIT and not actor.unit):
        return None
    since = datetime.combine(filters.start, time(0), tz) if filters.start else None
    until = datetime.combine(filters.end + timedelta(days=1), time(0), tz) if filters.end else None
    only_unit = actor.unit if actor.role == wf.UNIT else None
    return StatsQuery(filters.campaign, since, until, only_unit)


def report(
    store: StatsStore,
    actor: wf.Actor,
    filters: Filters,
    tz: ZoneInfo,
    limit_days: int,
    now: datetime,
) -> Report:
    """Every figure of the statistics page for this actor."""
    query = scope(actor, filters, tz)
    if query is None:
        return Report(limit_days=limit_days)
    counts = store.count_by(query, rules.DIMENSIONS)
    by_status = rules.ordered(counts[rules.STATUS], wf.STATUSES)
    satisfaction = rules.ordered(
        [(k, n) for k, n in counts[rules.SATISFACTION] if k], rules.SATISFACTION_LEVELS
    )
    return Report(
        limit_days=limit_days,
        total=sum(n for _, n in by_status),
        by_day=rules.fill_days(store.count_by_day(query, tz)),
        by_topic=rules.ordered(counts[rules.TOPIC]),
        by_status=by_status,
        by_outcome=rules.ordered(counts[rules.OUTCOME], wf.OUTCOMES),
        by_unit=rules.ordered(counts[rules.UNIT]),
        by_satisfaction=satisfaction,
        times=store.answer_times(query, timedelta(days=limit_days), now),
        satisfied_share=rules.satisfied_share(dict(satisfaction)),
    )


@dataclass(frozen=True)
class Timeline:
    code: str
    name: str
    today: date
    phases: tuple[Phase, ...]
    tasks: list[Task]
    notices: list[NoticeTally]
    notices_shown: bool

    def total(self, what: str) -> int:
        """Deliveries "sent" / "failed" / "waiting" over all notices."""
        return sum(int(getattr(n, what)) for n in self.notices)

    def notices_in(self, statuses: tuple[str, ...]) -> int:
        return sum(1 for n in self.notices if n.status in statuses)


def timeline(
    plans: PlanSource, notices: NoticeTallies, actor: wf.Actor, code: str, today: date
) -> Timeline | None:
    """A campaign's phases, tasks and notices; None if there is no such campaign (or the
    actor may see none of it). A unit account gets its own tasks only and no notices."""
    if actor.role not in wf.ROLES or (actor.role == wf.UNIT and not actor.unit):
        return None
    plan = plans.plan(code)
    if plan is None:
        return None
    tasks = list(plan.tasks)
    if actor.role == wf.UNIT:
        tasks = [t for t in tasks if unit_matches(actor.unit, t.owner)]
    shown = actor.role != wf.UNIT
    return Timeline(
        code=plan.code,
        name=plan.name,
        today=today,
        phases=plan.phases,
        tasks=tasks,
        notices=notices.tallies(plan.code) if shown else [],
        notices_shown=shown,
    )
