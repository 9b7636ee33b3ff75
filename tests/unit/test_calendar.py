"""Week and month arithmetic: Monday to Sunday, across month and year ends."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.calendar import (
    RANGE_KINDS,
    UPCOMING_DAYS,
    days_until,
    last_week,
    month_range,
    nearest_month,
    next_month,
    next_week,
    resolve_range,
    this_month,
    week_of,
)


@pytest.mark.parametrize(
    ("day", "monday", "sunday"),
    [
        (date(2018, 6, 4), date(2018, 6, 4), date(2018, 6, 10)),  # a Monday
        (date(2018, 6, 6), date(2018, 6, 4), date(2018, 6, 10)),  # midweek
        (date(2018, 6, 10), date(2018, 6, 4), date(2018, 6, 10)),  # a Sunday: still this week
        (date(2018, 6, 11), date(2018, 6, 11), date(2018, 6, 17)),  # the Monday after
        (date(2018, 5, 31), date(2018, 5, 28), date(2018, 6, 3)),  # across a month end
        (date(2018, 12, 31), date(2018, 12, 31), date(2019, 1, 6)),  # Monday, year end
        (date(2019, 1, 1), date(2018, 12, 31), date(2019, 1, 6)),  # New Year's Day
        (date(2019, 1, 6), date(2018, 12, 31), date(2019, 1, 6)),  # Sunday after New Year
        (date(2017, 1, 1), date(2016, 12, 26), date(2017, 1, 1)),  # New Year on a Sunday
        (date(2016, 12, 31), date(2016, 12, 26), date(2017, 1, 1)),  # Saturday, year end
        (date(2020, 2, 29), date(2020, 2, 24), date(2020, 3, 1)),  # leap day
    ],
)
def test_week_of(day: date, monday: date, sunday: date) -> None:
    assert week_of(day) == (monday, sunday)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2018, 6, 4), (date(2018, 6, 11), date(2018, 6, 17))),
        (date(2018, 6, 10), (date(2018, 6, 11), date(2018, 6, 17))),  # asked on a Sunday
        (date(2018, 12, 27), (date(2018, 12, 31), date(2019, 1, 6))),
        (date(2018, 12, 30), (date(2018, 12, 31), date(2019, 1, 6))),  # Sunday, year end
        (date(2019, 12, 29), (date(2019, 12, 30), date(2020, 1, 5))),  # Sunday, year end
        (date(2016, 12, 31), (date(2017, 1, 2), date(2017, 1, 8))),
    ],
)
def test_next_week(day: date, expected: tuple[date, date]) -> None:
    assert next_week(day) == expected


def test_last_week_across_year_end() -> None:
    assert last_week(date(2019, 1, 2)) == (date(2018, 12, 24), date(2018, 12, 30))
    assert last_week(date(2019, 1, 6)) == (date(2018, 12, 24), date(2018, 12, 30))


def test_every_day_of_three_years_lies_in_a_monday_to_sunday_week() -> None:
    day = date(2017, 1, 1)
    while day < date(2020, 1, 1):
        monday, sunday = week_of(day)
        assert monday.weekday() == 0 and sunday.weekday() == 6
        assert monday <= day <= sunday and (sunday - monday).days == 6
        assert next_week(day)[0] == sunday + timedelta(days=1)
        day += timedelta(days=1)


@pytest.mark.parametrize(
    ("year", "month", "last"),
    [(2018, 1, 31), (2018, 2, 28), (2020, 2, 29), (2018, 4, 30), (2018, 6, 30), (2018, 12, 31)],
)
def test_month_range(year: int, month: int, last: int) -> None:
    assert month_range(year, month) == (date(year, month, 1), date(year, month, last))


@pytest.mark.parametrize("month", [0, 13, -1])
def test_month_range_rejects_bad_months(month: int) -> None:
    with pytest.raises(ValueError):
        month_range(2018, month)


@pytest.mark.parametrize(
    ("today", "month", "year"),
    [
        (date(2018, 6, 4), 6, 2018),
        (date(2018, 6, 4), 1, 2018),
        (date(2018, 6, 4), 12, 2018),
        (date(2018, 12, 20), 1, 2019),  # next January
        (date(2018, 12, 20), 5, 2019),
        (date(2018, 12, 20), 6, 2018),
        (date(2019, 1, 5), 12, 2018),  # last December
        (date(2019, 1, 5), 7, 2019),
    ],
)
def test_nearest_month(today: date, month: int, year: int) -> None:
    assert nearest_month(today, month) == month_range(year, month)
    assert resolve_range("month", today, month) == month_range(year, month)


def test_this_and_next_month() -> None:
    assert this_month(date(2018, 6, 4)) == (date(2018, 6, 1), date(2018, 6, 30))
    assert next_month(date(2018, 6, 4)) == (date(2018, 7, 1), date(2018, 7, 31))
    assert next_month(date(2018, 12, 15)) == (date(2019, 1, 1), date(2019, 1, 31))
    assert next_month(date(2019, 1, 31)) == (date(2019, 2, 1), date(2019, 2, 28))


def test_days_until() -> None:
    today = date(2018, 6, 4)
    assert days_until(today, date(2018, 6, 10)) == 6
    assert days_until(today, today) == 0
    assert days_until(today, date(2018, 5, 25)) == -10
    assert days_until(date(2018, 12, 31), date(2019, 1, 1)) == 1


@pytest.mark.parametrize(
    ("kind", "month", "expected"),
    [
        ("today", None, (date(2018, 6, 4), date(2018, 6, 4))),
        ("tomorrow", None, (date(2018, 6, 5), date(2018, 6, 5))),
        ("this_week", None, (date(2018, 6, 4), date(2018, 6, 10))),
        ("next_week", None, (date(2018, 6, 11), date(2018, 6, 17))),
        ("last_week", None, (date(2018, 5, 28), date(2018, 6, 3))),
        ("this_month", None, (date(2018, 6, 1), date(2018, 6, 30))),
        ("next_month", None, (date(2018, 7, 1), date(2018, 7, 31))),
        ("month", 12, (date(2018, 12, 1), date(2018, 12, 31))),
        ("upcoming", None, (date(2018, 6, 4), date(2018, 6, 4) + timedelta(UPCOMING_DAYS - 1))),
    ],
)
def test_resolve_range(kind: str, month: int | None, expected: tuple[date, date]) -> None:
    assert resolve_range(kind, date(2018, 6, 4), month) == expected


def test_resolve_range_covers_every_kind_and_rejects_others() -> None:
    for kind in RANGE_KINDS:
        start, end = resolve_range(kind, date(2018, 12, 31), 1)
        assert start <= end
    assert resolve_range("tomorrow", date(2018, 12, 31)) == (date(2019, 1, 1),) * 2
    with pytest.raises(ValueError):
        resolve_range("fortnight", date(2018, 6, 4))
    with pytest.raises(ValueError):
        resolve_range("month", date(2018, 6, 4))
