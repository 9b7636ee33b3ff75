"""Statistics and timeline use cases over the SQL adapter, on both stores, against the known
data set of tests/integration/stats_data.py."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.store.stats_repo import SqlStatsStore
from domain import workflow as wf
from services import stats as uc
from services.ports import StatsQuery
from tests.integration.stats_data import CODE, LIMIT, NOW, XSS_TOPIC, seed, seed_plan

BOSS = wf.Actor("boss", wf.ORGANISER)
REV = wf.Actor("rev", wf.REVIEWER)
TECH = wf.Actor("tech", wf.UNIT, "科技科")
OFFICE = wf.Actor("office", wf.UNIT, "办公室")
DAY = 86400.0


@pytest.fixture
def world(state):  # type: ignore[no-untyped-def]
    seed(state)
    return state, SqlStatsStore(state.db)


def report(world, actor=BOSS, **filters):  # type: ignore[no-untyped-def]
    state, store = world
    return uc.report(store, actor, uc.Filters(CODE, **filters), state.settings.tz, LIMIT, NOW)


def test_counts_by_local_day_topic_status_outcome_unit(world) -> None:  # type: ignore[no-untyped-def]
    r = report(world)
    assert r.total == 7  # F is another campaign's
    # Asia/Shanghai days: 15:59:59 UTC is still 11-30, 16:00:00 UTC is already 12-01.
    days = dict(r.by_day)
    assert days[date(2026, 11, 30)] == 1
    assert days[date(2026, 12, 1)] == 2
    assert days[date(2026, 12, 2)] == 2
    assert days[date(2026, 11, 29)] == 0  # a gap is a zero, not a missing day
    assert r.by_day[0] == (date(2026, 11, 28), 1) and r.by_day[-1] == (date(2026, 12, 8), 1)
    assert sum(n for _, n in r.by_day) == 7
    assert dict(r.by_status) == {
        wf.PENDING: 1, wf.ACCEPTED: 0, wf.DECLINED: 1, wf.ASSIGNED: 1, wf.ANSWERED: 2,
        wf.CLOSED: 2,
    }  # fmt: skip
    assert [k for k, _ in r.by_status] == list(wf.STATUSES)  # workflow order
    assert dict(r.by_outcome) == {
        wf.ADOPTED: 2, wf.PARTLY_ADOPTED: 1, wf.NOT_ADOPTED: 1, wf.FOR_REFERENCE: 0, "": 3,
    }  # fmt: skip
    assert dict(r.by_unit) == {"": 3, "科技科": 2, "办公室": 2}
    topics = dict(r.by_topic)
    assert topics[XSS_TOPIC] == 1 and sum(topics.values()) == 7


def test_all_campaigns_and_a_date_range(world) -> None:  # type: ignore[no-untyped-def]
    state, store = world
    everything = uc.report(store, BOSS, uc.Filters(), state.settings.tz, LIMIT, NOW)
    assert everything.total == 8
    # 12-01 and 12-02 in Shanghai: B, C (12-01), D, H (12-02); not A (23:59:59 on 11-30).
    r = report(world, start=date(2026, 12, 1), end=date(2026, 12, 2))
    assert r.total == 4
    assert [d for d, _ in r.by_day] == [date(2026, 12, 1), date(2026, 12, 2)]


def test_median_with_even_and_odd_counts(world) -> None:  # type: ignore[no-untyped-def]
    r = report(world)
    # answered after 1, 3, 20 and 5 days: even count, the mean of 3 and 5.
    assert r.times.answered == 4
    assert r.times.median_seconds == pytest.approx(4 * DAY, abs=1)
    odd = report(world, start=date(2026, 12, 1), end=date(2026, 12, 2))  # 3, 20, 5 days
    assert odd.times.answered == 3
    assert odd.times.median_seconds == pytest.approx(5 * DAY, abs=1)
    nothing = report(world, start=date(2026, 12, 8), end=date(2026, 12, 8))
    assert nothing.times.answered == 0 and nothing.times.median_seconds is None


def test_overdue_both_ways(world) -> None:  # type: ignore[no-untyped-def]
    r = report(world)
    # C answered after 20 days (late); H after exactly 5 days is on time.
    assert r.times.late_answered == 1
    # D unanswered for 8 days; E is declined, G only 2 days old.
    assert r.times.overdue_open == 1
    assert r.overdue == 2
    state, store = world
    later = uc.report(store, BOSS, uc.Filters(CODE), state.settings.tz, LIMIT,
                      NOW + timedelta(days=10))  # fmt: skip
    assert later.times.overdue_open == 2  # G too, now; E still never
    generous = uc.report(store, BOSS, uc.Filters(CODE), state.settings.tz, 30, NOW)
    assert generous.overdue == 0


def test_satisfaction_counts_and_share(world) -> None:  # type: ignore[no-untyped-def]
    r = report(world)
    assert r.by_satisfaction == [("满意", 2), ("基本满意", 1), ("不满意", 1)]
    assert r.rated == 4
    assert r.satisfied_share == pytest.approx(0.75)


def test_a_unit_sees_only_its_own_figures(world) -> None:  # type: ignore[no-untyped-def]
    tech = report(world, TECH)
    assert tech.total == 2
    assert dict(tech.by_unit) == {"科技科": 2}
    assert tech.times.answered == 2 and tech.times.late_answered == 1
    assert tech.times.overdue_open == 0
    assert tech.by_satisfaction == [("满意", 0), ("基本满意", 1), ("不满意", 1)]
    office = report(world, OFFICE)
    assert office.total == 2 and office.times.overdue_open == 1
    assert report(world, wf.Actor("nobody", wf.UNIT, "")).total == 0
    assert report(world, wf.Actor("x", "stranger")).total == 0
    assert report(world, REV).total == 7


def test_store_days_fold_any_zone(world) -> None:  # type: ignore[no-untyped-def]
    """The store's day grouping follows the zone it is given (PostgreSQL and SQLite alike)."""
    from zoneinfo import ZoneInfo

    _, store = world
    utc = dict(store.count_by_day(StatsQuery(CODE), ZoneInfo("UTC")))
    assert utc[date(2026, 11, 30)] == 2 and utc[date(2026, 12, 1)] == 2
    kolkata = dict(store.count_by_day(StatsQuery(CODE), ZoneInfo("Asia/Kolkata")))  # +05:30
    assert kolkata[date(2026, 11, 30)] == 2  # 15:59:59 and 16:00 UTC are 21:29 / 21:30 there
    assert kolkata[date(2026, 12, 1)] == 2 and kolkata[date(2026, 12, 2)] == 1  # C, D | H


def test_timeline_phases_tasks_and_notice_tallies(state) -> None:  # type: ignore[no-untyped-def]
    seed_plan(state)
    store = SqlStatsStore(state.db)
    t = uc.timeline(state.campaigns, store, BOSS, CODE, date(2018, 5, 22))
    assert t is not None and t.today == date(2018, 5, 22)
    assert [p.name for p in t.phases] == ["宣传发动阶段", "学习调研阶段"]
    assert len(t.tasks) == 3
    assert [(n.title, n.sent, n.failed, n.waiting) for n in t.notices] == [
        ("宣传发动阶段开始", 2, 1, 1),
        ("学习调研阶段开始", 0, 0, 0),
        ("学习会<3天后到期>", 1, 0, 0),
    ]
    assert (t.total("sent"), t.total("failed"), t.total("waiting")) == (3, 1, 1)
    assert t.notices_in(uc.NOTICE_OUT) == 2 and t.notices_in(uc.NOTICE_PENDING) == 1
    unit = uc.timeline(state.campaigns, store, TECH, CODE, date(2018, 5, 22))
    assert unit is not None and [task.owner for task in unit.tasks] == ["科技科"]
    assert unit.notices == [] and not unit.notices_shown
    assert uc.timeline(state.campaigns, store, BOSS, "no-such", date(2018, 5, 22)) is None
